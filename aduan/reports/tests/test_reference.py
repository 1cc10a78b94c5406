"""Categories and regions given to reports from the reference-data memo: the same objects
a join gives, one query for all those not yet known, none once they are, and a change seen
at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aduan.core import refcache
from aduan.reports import reference
from aduan.reports.models import Report

pytestmark = pytest.mark.django_db


def _fresh(*reports):
    return list(Report.objects.filter(pk__in=[r.pk for r in reports]).order_by("pk"))


def test_reports_get_their_category_parent_and_regions_without_a_query(world):
    child = world.report_in("submitted", category="limbah")
    plain = world.report_in("submitted")
    Report.objects.filter(pk=plain.pk).update(suggested_region_id=world.paser.code)
    rows = _fresh(child, plain)
    refcache.clear()
    with CaptureQueriesContext(connection) as cold:
        reference.attach(rows, suggested_region=True)
    # The reference version, the categories, the regions.
    assert len(cold) == 3
    with CaptureQueriesContext(connection) as reading:
        shown = [(str(r.category), r.region.name, r.region.timezone) for r in rows]
        suggested = rows[1].suggested_region.code
    assert len(reading) == 0
    joined = list(
        Report.objects.filter(pk__in=[child.pk, plain.pk])
        .select_related("category", "category__parent", "region", "suggested_region")
        .order_by("pk")
    )
    assert shown == [(str(r.category), r.region.name, r.region.timezone) for r in joined]
    assert suggested == world.paser.code
    assert child.category.parent_id is not None

    again = _fresh(child, plain)
    with CaptureQueriesContext(connection) as warm:
        reference.attach(again, suggested_region=True)
        [str(r.category) for r in again]
    assert len(warm) == 0  # the version was read once in this unit of work


def test_a_renamed_category_shows_at_once(world):
    report = world.report_in("submitted")
    reference.attach(_fresh(report))
    category = report.category
    category.name = "Jalan dan jembatan"
    category.save()
    (row,) = _fresh(report)
    reference.attach([row])
    assert row.category.name == "Jalan dan jembatan"


def test_reports_without_category_or_region_are_left_alone(world):
    report = world.report_in("submitted")
    Report.objects.filter(pk=report.pk).update(category=None, region=None)
    (row,) = _fresh(report)
    with CaptureQueriesContext(connection) as queries:
        reference.attach([row], suggested_region=True)
    assert row.category is None and row.region is None
    assert len(queries) <= 1  # at most the reference version
    reference.attach([])


def test_lookup_many_loads_only_what_is_missing_in_one_call(world):
    calls = []

    def load(keys):
        calls.append(sorted(keys))
        return {key: key * 2 for key in keys if key != 3}

    assert refcache.lookup_many("double", [1, 2, 3], load) == {1: 2, 2: 4}
    assert refcache.lookup_many("double", [2, 3, 4, 2], load) == {2: 4, 4: 8}
    assert calls == [[1, 2, 3], [3, 4]]  # 3 is unknown: not kept
    assert refcache.lookup_many("double", [], load) == {}
