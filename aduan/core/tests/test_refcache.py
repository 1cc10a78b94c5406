"""The reference-data memo saves intake round trips without serving stale data in this
process."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aduan.categories.models import Category
from aduan.reports.actions.validation import _resolve_category, _resolve_region

pytestmark = pytest.mark.django_db


def test_a_second_lookup_needs_no_query_and_returns_a_copy(world):
    first = _resolve_category(world.jalan.slug)
    with CaptureQueriesContext(connection) as queries:
        second = _resolve_category(world.jalan.slug)
        region = _resolve_region(world.kutim.code)
        region_again = _resolve_region(world.kutim.code)
    assert second == first and second is not first
    assert region_again == region and region_again is not region
    assert len(queries) == 1  # only the first region lookup


def test_a_deactivated_category_is_refused_at_once(world):
    assert _resolve_category(world.jalan.slug) is not None
    Category.objects.filter(pk=world.jalan.pk).update(is_active=False)
    world.jalan.refresh_from_db()
    world.jalan.save()  # an admin edit: saved through the model, signals fire
    assert _resolve_category(world.jalan.slug) is None


def test_unknown_codes_are_not_memoised(world):
    assert _resolve_region("99.99") is None
    with CaptureQueriesContext(connection) as queries:
        assert _resolve_region("99.99") is None
    assert len(queries) == 1


def test_the_memo_can_be_turned_off(world, settings):
    settings.REFCACHE_SECONDS = 0  # memo off
    _resolve_category(world.jalan.slug)
    with CaptureQueriesContext(connection) as queries:
        _resolve_category(world.jalan.slug)
    assert len(queries) >= 1
