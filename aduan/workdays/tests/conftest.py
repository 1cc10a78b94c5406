import pytest

from aduan.core import refcache


@pytest.fixture(autouse=True)
def fresh_holiday_cache():
    # A test's rows are rolled back without a delete signal, so the cached admin holidays
    # would leak into the next test.
    refcache.clear()
    yield
    refcache.clear()


@pytest.fixture
def east_kalimantan(db):
    """Kalimantan Timur and its regency Kutai Timur (64.08), both in WITA."""
    from aduan.regions.models import Region, RegionLevel, TimeZone

    province = Region.objects.create(
        code="64",
        name="Kalimantan Timur",
        level=RegionLevel.PROVINCE,
        timezone=TimeZone.WITA,
    )
    kutai_timur = Region.objects.create(
        code="64.08",
        name="Kutai Timur",
        level=RegionLevel.REGENCY,
        parent=province,
        timezone=TimeZone.WITA,
    )
    return kutai_timur
