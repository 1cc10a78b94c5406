"""The aggregate navigator: every query reads the smallest rollup that holds the columns
it needs, and gets exactly the figures the base tables give."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from aduan.stats import maintenance, queries
from aduan.stats.models import ROLLUPS, DailyFlow, DurationCube, ReportCube
from aduan.stats.pages import load
from aduan.stats.queries import (
    Selection,
    daily_flow,
    flow_q,
    table_for,
    workload,
)
from aduan.stats.scope import staff_scope

from .lifecycle import Walk

YEAR = (dt.date(2024, 1, 1), dt.date(2027, 12, 1))
ROLLUP_TABLES = {model._meta.db_table for _base, model in ROLLUPS.values()}


@pytest.fixture
def base_tables_only(monkeypatch):
    """Switch the navigator off: every query reads the base tables."""

    def switch():
        monkeypatch.setattr(queries, "ROLLUPS_OF", {m: [] for m in queries.ROLLUPS_OF})

    return switch


def figures(sel: Selection, *, units: bool) -> dict:
    """Everything the pages read for `sel`, as comparable plain data."""
    data = load(sel, units=units)
    ov = data.overview
    start, end = dt.date(2024, 1, 1), dt.date(2027, 12, 31)
    return {
        "total": ov.total,
        "by": {name: sorted(items) for name, items in ov.by.items()},
        "regions": sorted(ov.regions),
        "overdue": data.overdue,
        "workload": workload(sel, units=units),
        "flow": [row for row in daily_flow(flow_q(sel), start, end) if row[1] or row[2]],
    }


def selections(world) -> list[tuple[str, Selection, bool]]:
    start, end = YEAR
    agency_admin = staff_scope(world.agency_admin)
    officer = staff_scope(world.officer)
    supervisor = staff_scope(world.supervisor)
    return [
        ("national", Selection(start=start, end=end), False),
        ("national, one year", Selection(start=dt.date(2026, 1, 1), end=end), False),
        (
            "national, a topic",
            Selection(start=start, end=end, category_ids=[world.lingkungan.pk, world.limbah.pk]),
            False,
        ),
        (
            "national, a sub-topic",
            Selection(start=start, end=end, category_ids=[world.jalan.pk]),
            False,
        ),
        ("province", Selection(start=start, end=end, region="64"), False),
        (
            "province, a topic",
            Selection(start=start, end=end, region="64", category_ids=[world.jalan.pk]),
            False,
        ),
        ("regency", Selection(start=start, end=end, region="64.08"), True),
        ("kecamatan", Selection(start=start, end=end, region="64.08.04"), True),
        ("one agency", Selection(start=start, end=end, agency_id=world.pemkab.pk), True),
        ("one unit", Selection(start=start, end=end, unit_id=world.dinas_pu.pk), True),
        (
            "agency admin",
            Selection(scope=agency_admin.cube, flow_scope=agency_admin.flow, start=start, end=end),
            True,
        ),
        (
            "unit officer",
            Selection(scope=officer.cube, flow_scope=officer.flow, start=start, end=end),
            True,
        ),
        (
            "supervisor of a province",
            Selection(scope=supervisor.cube, flow_scope=supervisor.flow, start=start, end=end),
            True,
        ),
    ]


@pytest.mark.parametrize("seed", [3, 11])
def test_every_selection_gets_the_same_figures_from_the_rollups_as_from_the_base_tables(
    world, base_tables_only, seed
):
    walk = Walk(world, seed).run(steps=60)
    assert walk.done >= 15
    assert maintenance.check() == []
    cases = selections(world)
    navigated = {name: figures(sel, units=units) for name, sel, units in cases}
    assert navigated["national"]["total"].reports > 0
    base_tables_only()
    for name, sel, units in cases:
        assert figures(sel, units=units) == navigated[name], name


def test_national_views_read_only_rollups(world):
    Walk(world, 5).run(steps=30)
    start, end = YEAR
    for sel in (
        Selection(start=start, end=end),
        Selection(start=start, end=end, category_ids=[world.jalan.pk]),
        Selection(start=start, end=end, region="64"),
    ):
        with CaptureQueriesContext(connection) as captured:
            load(sel, units=False)
            workload(sel, units=False)
            daily_flow(flow_q(sel), start, end)
        statements = [q["sql"] for q in captured if "stats_" in q["sql"]]
        assert statements
        for sql in statements:
            assert f'"{ReportCube._meta.db_table}"' not in sql, sql
            assert f'"{DurationCube._meta.db_table}"' not in sql, sql
            assert f'"{DailyFlow._meta.db_table}"' not in sql, sql


def test_the_navigator_falls_back_to_the_base_table_for_the_finest_columns():
    assert table_for(ReportCube, {"month", "district_code"}) is ReportCube
    assert table_for(ReportCube, {"month", "is_confidential"}) is ReportCube
    assert table_for(DurationCube, {"month", "district_code", "bucket"}) is DurationCube
    # Measures are in every table: filtering on one does not force the base table.
    assert table_for(ReportCube, {"month", "overdue"}) is not ReportCube
    assert table_for(ReportCube, {"month"})._meta.db_table in ROLLUP_TABLES
    assert table_for(DailyFlow, {"day"})._meta.db_table in ROLLUP_TABLES


def test_the_navigator_reads_the_first_rollup_that_has_every_column():
    for name, (base, _model) in ROLLUPS.items():
        keys = maintenance.TABLES[name][1]
        chosen = table_for(maintenance.BASE_TABLES[base][0], set(keys))
        chosen_keys = set(maintenance.TABLES[_name_of(chosen)][1])
        assert set(keys) <= chosen_keys
        # Nothing earlier (smaller) in the list would have done.
        earlier = list(ROLLUPS).index(_name_of(chosen))
        assert earlier <= list(ROLLUPS).index(name)


def _name_of(model) -> str:
    return next(name for name, (_b, m) in ROLLUPS.items() if m is model)


def test_filter_columns_are_read_from_nested_q_objects():
    q = (Q(agency_id=3) | (Q(agency_id=0) & Q(regency_code="64.08"))) & Q(month__gte="2026-01-01")
    assert queries.q_columns(q) == {"agency_id", "regency_code", "month"}


def test_a_submission_writes_every_statistics_table_in_one_statement_on_postgresql(world):
    world.report_in("closed")  # the tracking-number sequence exists
    with CaptureQueriesContext(connection) as captured:
        world.submit()
    writes = [q["sql"] for q in captured if "stats_" in q["sql"]]
    # A new report adds to the cube, the daily flow and their rollups (no duration yet).
    tables = {ReportCube._meta.db_table, DailyFlow._meta.db_table} | {
        model._meta.db_table for base, model in ROLLUPS.values() if base != "duration"
    }
    if connection.vendor == "postgresql":
        assert len(writes) == 1
        assert {t for t in tables if f'INSERT INTO "{t}"' in writes[0]} == tables
    else:
        # SQLite (one writer at a time) runs one executemany per table.
        assert len(writes) == len(tables)
