"""Inbox rows drawn in Python match the row template exactly, in every variant, and
escape whatever text they are given."""

from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation

from aduan.reports import actions as a
from aduan.reports.models import Report
from aduan.workspace import inbox as ib
from aduan.workspace.rows import report_row

pytestmark = pytest.mark.django_db


def _variants(world):
    world.report_in("submitted")
    world.report_in("dispositioned", is_anonymous=True, category="limbah")
    world.report_in("in_progress")
    overdue = world.report_in("in_progress")
    Report.objects.filter(pk=overdue.pk).update(
        next_due_at=timezone.now() - timezone.timedelta(days=3), is_overdue=True
    )
    escalated = world.report_in("dispositioned")
    Report.objects.filter(pk=escalated.pk).update(
        is_escalated=True, is_confidential=True, title='Jalan <b>"rusak"</b> & banjir'
    )
    appealed = world.report_in("responded")
    appealed = a.contest_response(appealed, "Belum diperbaiki.", actor=world.citizen)
    a.take_report(appealed, actor=world.officer)
    bare = world.report_in("submitted")
    Report.objects.filter(pk=bare.pk).update(category=None, region=None, next_due_at=None)
    rows = list(ib.with_related(Report.objects.order_by("pk")))
    ib.SLAJudge(timezone.now()).annotate(rows)
    return rows


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("bulk", [True, False])
def test_python_rows_equal_the_template(world, language, bulk):
    rows = _variants(world)
    assert {r.sla_state for r in rows} >= {"overdue", None}
    assert any(r.is_appealed and r.assignee for r in rows)
    assert any(r.is_deadline_escalated for r in rows)
    with translation.override(language):
        for report in rows:
            expected = render_to_string(
                "workspace/_report_row.html",
                {"report": report, "bulk_form": object() if bulk else None},
            )
            assert report_row(report, bulk=bulk) == expected
    assert any("&lt;b&gt;" in report_row(r, bulk=bulk) for r in rows)


def hostile(name: str) -> str:
    return f"<script>{name}</script>\"'&"


def escaped(name: str) -> str:
    return f"&lt;script&gt;{name}&lt;/script&gt;&quot;&#x27;&amp;"


@pytest.mark.parametrize("handler", ["unit", "agency"])
def test_hostile_text_in_every_field_comes_out_escaped(handler):
    moment = timezone.now()
    report = SimpleNamespace(
        tracking_number="<i>\"'&",  # no slash: it is also part of the row's link
        title=hostile("title"),
        sla_state="overdue",
        sla_class=hostile("sla_class"),
        sla_label=hostile("sla_label"),
        status_label=hostile("status"),
        is_appealed=True,
        is_deadline_escalated=True,
        is_anonymous=True,
        is_confidential=True,
        report_type_label=hostile("type"),
        category=hostile("category"),
        region=SimpleNamespace(name=hostile("region")),
        next_due_at=moment,
        days_left_label=hostile("days_left"),
        days_left_late=True,
        submitted_at=moment,
        channel_label=hostile("channel"),
        assignee=SimpleNamespace(display_name=hostile("assignee")),
        unit=hostile("unit") if handler == "unit" else None,
        agency=hostile("agency"),
    )
    html = report_row(report, bulk=True)
    assert "<script>" not in html and "<i>" not in html
    fields = ["title", "sla_class", "sla_label", "status", "type", "category", "region"]
    for name in [*fields, "channel", handler, "days_left", "assignee"]:
        assert escaped(name) in html, name
    # The checkbox value, its id and label, and the visible number.
    assert html.count("&lt;i&gt;&quot;&#x27;&amp;") == 4
    assert html == render_to_string(
        "workspace/_report_row.html", {"report": report, "bulk_form": object()}
    )


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("zone", ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "UTC"])
def test_row_dates_equal_django_date_format(language, zone):
    import datetime as dt

    from django.utils.formats import date_format

    from aduan.workspace.rows import Dates

    start = dt.datetime(2025, 12, 31, 16, 59, 59, 999999, tzinfo=dt.UTC)
    moments = [start + dt.timedelta(days=31 * i, hours=5 * i, minutes=7 * i) for i in range(40)]
    moments.append(dt.datetime(999, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=400))
    with translation.override(language), timezone.override(zone):
        dates = Dates()
        for moment in moments:
            local = timezone.localtime(moment)
            assert dates.iso(moment) == date_format(local, "c")
            assert dates.day(moment) == date_format(local, "j M Y")
            assert dates.moment(moment) == date_format(local, "j M Y H:i T")
