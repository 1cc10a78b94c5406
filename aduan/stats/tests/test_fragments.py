"""The statistics pages' parts built in Python (stats/fragments.py) give exactly the markup
of their reference templates (stats/templates/stats/fragments/), for the inputs real
pages pass them in both languages, and escape whatever text they are given."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from types import SimpleNamespace

import pytest
import time_machine
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from aduan.reports import actions as a
from aduan.reports.sla import scan_deadlines
from aduan.stats import fragments
from aduan.stats.charts import Chart, Row
from conftest import aware

PERIOD = {"dari": "2026-01", "sampai": "2026-12"}
SELECTED_AGENCY = SimpleNamespace(uuid="b", name="B")

# Builder -> its reference template and the template context for the builder's arguments.
REFERENCES = {
    "figures": ("figures.html", lambda total: {"total": total}),
    "chart": ("chart.html", lambda chart: {"chart": chart}),
    "performance": ("performance.html", lambda rows, **named: {"rows": rows, **named}),
    "overdue_list": ("overdue_list.html", lambda rows: {"rows": rows}),
    "breadcrumbs": ("breadcrumbs.html", lambda crumbs: {"crumbs": crumbs}),
    "category_options": (
        "category_options.html",
        lambda options, selected, language: {
            "options": options,
            "selected": selected,
            "language": language,
        },
    ),
    "workload": ("workload.html", lambda rows, **named: {"rows": rows, **named}),
    "queue": ("queue.html", lambda reports, **named: {"reports": reports, **named}),
    "agency_options": (
        "agency_options.html",
        lambda agencies, selected=None: {"agencies": agencies, "selected": selected},
    ),
}


def reference(name: str, *args, **named) -> str:
    template, context = REFERENCES[name]
    return render_to_string(f"stats/fragments/{template}", context(*args, **named))


@pytest.fixture
def recorded(monkeypatch):
    """Every call the pages make to a builder: (name, args, named, language, html)."""
    calls = []
    for name in REFERENCES:
        real = getattr(fragments, name)

        def record(*args, _real=real, _name=name, **named):
            # Iterables the builder would consume are kept, to give the template the same.
            args = tuple(list(arg) if _consumable(arg) else arg for arg in args)
            html = _real(*args, **named)
            calls.append((_name, args, named, translation.get_language(), html))
            return html

        monkeypatch.setattr(fragments, name, record)
    return calls


def _consumable(value) -> bool:
    return isinstance(value, Iterable) and not isinstance(value, Sequence | str | Mapping)


def test_every_builder_gives_its_reference_markup_on_real_pages(world, client, recorded):
    from aduan.stats.views import public

    with time_machine.travel(aware(2026, 3, 10), tick=False) as clock:
        world.report_in("in_progress")
        world.report_in("archived")
        closed = world.report_in("responded", category="limbah")
        a.accept_response(closed, rating=4, actor=world.citizen)
        late = world.report_in("dispositioned", title='Jalan "rusak" & <banjir>')
        contested = world.report_in("responded")
        a.contest_response(contested, "Belum beres.", actor=world.citizen)
        paser = world.submit(region="64.01")
        a.dispose_report(paser, world.pemkab_paser, unit=world.pu_paser, actor=world.national_admin)
        clock.shift(dt.timedelta(days=12))
        scan_deadlines()

        for language in ("id", "en"):
            client.logout()  # (which also forgets the cookies)
            client.cookies["django_language"] = language
            for query in (
                {},
                {"wilayah": "64.08", "urut": "nama", "arah": "desc"},
                {"wilayah": "64.08.04", "kategori": "jalan-rusak"},
            ):
                assert client.get("/statistik/", PERIOD | query).status_code == 200
            with pytest.MonkeyPatch.context() as short:
                short.setattr(public, "TABLE_ROWS", 1)  # "Showing 1 of 2. Show all"
                assert client.get("/statistik/", PERIOD | {"urut": "terlambat"}).status_code == 200
            for user in (world.national_admin, world.agency_admin):
                client.force_login(user)
                assert client.get("/statistik/dasbor/", PERIOD).status_code == 200

    assert {name for name, *_ in recorded} == set(REFERENCES)
    for name, args, named, language, html in recorded:
        with translation.override(language):
            assert html == reference(name, *args, **named), (name, language)
    # The inputs were the interesting ones: shortened tables, non-empty queues, a link
    # around a chart label, a sorted column, a rating, both languages.
    every = "".join(html for *_, html in recorded)
    assert "Menampilkan 1 dari 2." in every and "Showing 1 of 2." in every
    assert late.tracking_number in every and "&quot;rusak&quot; &amp; &lt;banjir&gt;" in every
    assert 'aria-sort="' in every and "▼" in every and "4,0 / 5" in every
    assert {language for *_, language, _html in recorded} == {"id", "en"}


def hostile(name: str) -> str:
    return f"<script>{name}</script>\"'&"


def escaped(name: str) -> str:
    return f"&lt;script&gt;{name}&lt;/script&gt;&quot;&#x27;&amp;"


def hostile_calls():
    """Each builder with hostile text in every text field it renders (numbers are
    formatted by the builders themselves)."""
    chart = Chart(
        slug=hostile("slug"),
        title=hostile("chart-title"),
        svg=mark_safe("<svg></svg>"),  # built and escaped by stats.charts
        columns=[hostile("column")],
        rows=[
            Row(label=hostile("label"), values=(hostile("value"),), href=hostile("row-href")),
            Row(label=hostile("plain-label"), values=(1,)),
        ],
    )
    figures = SimpleNamespace(  # numbers only, formatted by the builder
        reports=1234,
        completion_rate=0.5,
        closed=1,
        handled=2,
        on_time_rate=None,
        closed_on_time_rate=1.0,
        median_first_response_days=None,
        median_closure_days=2.0,
        average_rating=None,
        rated=0,
        overdue=2,
    )
    performance_row = SimpleNamespace(
        name=hostile("agency"),
        parent=hostile("parent"),
        overdue_now=3,
        figures=SimpleNamespace(
            reports=1,
            completion_rate=0.5,
            on_time_rate=None,
            median_first_response_days=1.5,
            median_closure_days=None,
            average_rating=4.0,
        ),
    )
    header = {
        "key": "laporan",
        "label": hostile("header"),
        "href": hostile("header-href"),
        "aria_sort": hostile("aria-sort"),
        "active": True,
        "descending": True,
    }
    report = SimpleNamespace(
        tracking_number=hostile("number"),
        workspace_url=hostile("workspace-url"),
        title=hostile("title"),
        unit=SimpleNamespace(name=hostile("unit")),
        agency=None,
        status=hostile("status"),
        get_status_display=lambda: hostile("status"),
        next_due_at=aware(2026, 3, 10),
        escalation_level=hostile("level"),
        appeal_used=False,
    )
    appealed = SimpleNamespace(**{**vars(report), "appeal_used": True, "escalation_level": 0})
    return [
        ("chart", (chart,), {}),
        (
            "performance",
            ([performance_row],),
            {
                "total": 2,
                "caption": hostile("caption"),
                "units": False,
                "headers": [header],
                "show_all_link": hostile("show-all"),
            },
        ),
        ("overdue_list", ([SimpleNamespace(name=hostile("overdue"), overdue_now=1)],), {}),
        ("breadcrumbs", ([(hostile("crumb"), hostile("crumb-href")), (hostile("here"), "")],), {}),
        (
            "breadcrumbs",
            ([(hostile("above"), ""), (hostile("crumb"), hostile("href")), (hostile("here"), "")],),
            {},
        ),
        (
            "category_options",
            (
                [
                    SimpleNamespace(
                        slug=hostile("slug"), parent_id=1, name="x", name_en=hostile("en")
                    )
                ],
                hostile("slug"),
                "en",
            ),
            {},
        ),
        (
            "workload",
            (
                [
                    {
                        "name": hostile("unit-name"),
                        "parent": hostile("unit-parent"),
                        "cells": [1],
                        "total": 1,
                        "overdue": 0,
                    }
                ],
            ),
            {"total": 2, "open_columns": [hostile("open-column")], "show_all_link": hostile("all")},
        ),
        ("queue", ([report],), {"empty_text": "(not shown)", "length": 1}),
        ("queue", ([appealed, report],), {"empty_text": "(not shown)", "length": 5}),
        ("queue", ([],), {"empty_text": hostile("empty"), "length": 1}),
        ("agency_options", ([SimpleNamespace(uuid=hostile("uuid"), name=hostile("name"))],), {}),
        (
            "agency_options",
            ([SimpleNamespace(uuid="a", name="A"), SELECTED_AGENCY],),
            {"selected": SELECTED_AGENCY},
        ),
        ("figures", (figures,), {}),
    ]


@pytest.mark.parametrize("language", ["id", "en"])
def test_hostile_text_in_every_field_comes_out_escaped(language):
    with translation.override(language):
        for name, args, named in hostile_calls():
            html = getattr(fragments, name)(*args, **named)
            assert "<script>" not in html, name
            # Every hostile field of the input shows up escaped, and the reference
            # template agrees character for character.
            fields = {
                value[len("<script>") : value.index("</script>")]
                for value in _strings(args, named)
                if value.startswith("<script>")
            }
            for field in fields:
                assert escaped(field) in html, (name, field)
            assert html == reference(name, *args, **named), name


def _strings(args, named):
    """Every string inside the arguments (objects, dicts, lists, tuples)."""
    stack = [*args, *named.values()]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
        elif isinstance(value, SimpleNamespace | Chart | Row):
            stack.extend(vars(value).values())
