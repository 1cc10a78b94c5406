"""Reference data is read from the database once per version and process, and a change
made by any process is seen by every other one from its next request or task on."""

import hashlib
import warnings

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from aduan.api import keys
from aduan.api.models import ApiKey
from aduan.api.tests.conftest import ApiClient
from aduan.categories.models import Category
from aduan.core import refcache
from aduan.regions.models import Region
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


def test_any_text_is_a_valid_key_and_never_taken_for_another(world):
    # Codes come from requests: text with spaces, markup or of any length is hashed into a
    # valid cache key, behind a character that a plain key cannot contain.
    hostile = "jalan rusak <b>\n" + "x" * 300
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # CacheKeyWarning
        assert refcache.lookup("test", hostile, lambda: "hostile") == "hostile"
        assert refcache.lookup("test", hostile, lambda: "loaded again") == "hostile"
    digest = hashlib.blake2b(repr(hostile).encode(), digest_size=16).hexdigest()
    assert refcache.lookup("test", digest, lambda: "plain") == "plain"


@pytest.fixture
def other_process(monkeypatch):
    """Run code as another process would (a second web process, the worker, a management
    command): with its own local cache and its own memo of the reference version."""
    this = refcache._process
    other = refcache.ProcessCache(LocMemCache("test-other-process", {}))

    def run(function):
        monkeypatch.setattr(refcache, "_process", other)
        try:
            return function()
        finally:
            monkeypatch.setattr(refcache, "_process", this)

    yield run
    other.clear()


def test_a_key_revoked_in_another_process_is_refused_at_this_ones_next_request(
    world, other_process
):
    issued = keys.issue_key("Aplikasi lama")
    client = ApiClient(issued.secret)
    assert client.get("/api/v1/categories").status_code == 200  # this process remembers it

    # `manage.py revoke_api_key`, or another web process.
    other_process(lambda: keys.revoke(ApiKey.objects.get(pk=issued.key.pk)))

    assert client.get("/api/v1/categories").status_code == 401


def test_the_version_is_read_once_per_request_and_kept_for_the_request(world, other_process):
    refcache.refresh()  # a request starts
    with CaptureQueriesContext(connection) as first:
        region = _resolve_region(world.kutim.code)
    assert len(first) == 2  # the version, then the region
    with CaptureQueriesContext(connection) as later:
        assert _resolve_region(world.kutim.code) == region
        _resolve_region(world.paser.code)
    assert len(later) == 1  # the new code only; no second read of the version

    def rename_elsewhere():
        Region.objects.filter(pk=world.kutim.pk).update(name="Kutai Timur (baru)")
        refcache.bump()

    other_process(rename_elsewhere)
    # The running request finishes with what it started with ...
    assert _resolve_region(world.kutim.code).name == "Kabupaten Kutai Timur"
    refcache.refresh()  # ... and the next one sees the change.
    assert _resolve_region(world.kutim.code).name == "Kutai Timur (baru)"


def test_a_rolled_back_change_leaves_nothing_behind(world):
    assert _resolve_region(world.kutim.code).name == "Kabupaten Kutai Timur"
    with pytest.raises(RuntimeError), transaction.atomic():
        world.kutim.name = "Nama yang batal"
        world.kutim.save()
        # The changing transaction sees its own change at once ...
        assert _resolve_region(world.kutim.code).name == "Nama yang batal"
        raise RuntimeError("the admin's request fails")
    # ... and after the rollback neither the name nor its version number is used.
    assert _resolve_region(world.kutim.code).name == "Kabupaten Kutai Timur"


def test_a_version_number_is_never_handed_out_twice(world):
    seen = {refcache.read_version()}
    for _ in range(20):
        refcache.bump()
        seen.add(refcache.read_version())
    assert len(seen) == 21


def test_a_shared_value_is_the_same_object_until_the_version_changes(
    world, other_process, settings
):
    loads = []

    def load():
        loads.append(1)
        return {"2026-05-05": False}

    first = refcache.lookup_shared("test-shared", 2026, load)
    assert refcache.lookup_shared("test-shared", 2026, load) is first
    assert refcache.lookup("test-shared", 2026, load) is not first  # the store gives copies
    assert len(loads) == 1
    # Another process changes reference data: this thread's next unit of work reads the new
    # version and loads the value afresh.
    other_process(refcache.bump)
    assert refcache.lookup_shared("test-shared", 2026, load) is first  # same unit of work
    refcache.refresh()
    again = refcache.lookup_shared("test-shared", 2026, load)
    assert again == first and again is not first
    assert len(loads) == 2
    # Kept no longer than an entry lives in the store, whatever the version: then it is
    # what the store has (a copy), or loaded again.
    settings.REFCACHE_SECONDS = 0
    assert refcache.lookup_shared("test-shared", 2026, load) is not again
