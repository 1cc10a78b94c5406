"""Holidays that admins add, regional holidays and working-day overrides."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from aduan.workdays.calendar import (
    add_working_days,
    is_working_day,
    local_date,
    working_days_between,
)
from aduan.workdays.models import Holiday, HolidayKind

pytestmark = pytest.mark.django_db

WITA = "Asia/Makassar"
MONDAY_4_MAY_2026 = datetime(2026, 5, 4, 9, tzinfo=ZoneInfo(WITA))


def due_date(days: int, region_code: str | None = None) -> date:
    deadline = add_working_days(MONDAY_4_MAY_2026, days, WITA, region_code)
    return local_date(deadline, WITA)


def test_an_admin_added_national_holiday_shifts_a_deadline():
    assert due_date(1) == date(2026, 5, 5)

    Holiday.objects.create(date=date(2026, 5, 5), name="Hari libur tambahan")

    assert not is_working_day(date(2026, 5, 5))
    assert due_date(1) == date(2026, 5, 6)


def test_deleting_an_admin_holiday_restores_the_deadline():
    holiday = Holiday.objects.create(date=date(2026, 5, 5), name="Hari libur tambahan")
    assert due_date(1) == date(2026, 5, 6)

    holiday.delete()

    assert due_date(1) == date(2026, 5, 5)


def test_a_regional_holiday_shifts_deadlines_in_its_subtree_only(east_kalimantan):
    Holiday.objects.create(
        date=date(2026, 5, 5),
        name="Hari Jadi Kabupaten Kutai Timur",
        kind=HolidayKind.LOCAL,
        region=east_kalimantan,
    )

    assert due_date(1, "64.08") == date(2026, 5, 6)
    assert due_date(1, "64.08.04") == date(2026, 5, 6)
    assert due_date(1, "64.08.04.2001") == date(2026, 5, 6)
    assert due_date(1, "64.01") == date(2026, 5, 5)
    assert due_date(1, "64") == date(2026, 5, 5)
    assert due_date(1) == date(2026, 5, 5)


def test_places_without_a_rule_of_their_own_share_one_calendar(east_kalimantan):
    """The calendar is kept by the rules that apply, not by the village: intake looks up
    tens of thousands of villages, nearly all of them without a rule."""
    from unittest import mock

    from aduan.workdays import calendar

    Holiday.objects.create(
        date=date(2026, 5, 5),
        name="Hari Jadi Kabupaten Kutai Timur",
        kind=HolidayKind.LOCAL,
        region=east_kalimantan,
    )
    with mock.patch.object(calendar, "package_holidays", wraps=calendar.package_holidays) as builds:
        for village in ("64.01.01.2001", "64.02.03.2004", "12.24.09.1001", None):
            assert is_working_day(date(2026, 5, 5), village)
        assert builds.call_count == 1
        for village in ("64.08.04.2001", "64.08.01.1002", "64.08"):
            assert not is_working_day(date(2026, 5, 5), village)
        assert builds.call_count == 2


def test_a_regional_holiday_does_not_match_a_code_that_merely_shares_its_prefix(
    east_kalimantan,
):
    Holiday.objects.create(
        date=date(2026, 5, 5),
        name="Hari jadi",
        kind=HolidayKind.LOCAL,
        region=east_kalimantan,
    )

    assert is_working_day(date(2026, 5, 5), "64.080")


def test_a_cancelled_cuti_bersama_is_a_working_day_again():
    # 18 March 2026 is cuti bersama Nyepi in the package.
    assert not is_working_day(date(2026, 3, 18))
    start = datetime(2026, 3, 17, 10, tzinfo=ZoneInfo(WITA))
    assert local_date(add_working_days(start, 5, WITA), WITA) == date(2026, 3, 31)

    Holiday.objects.create(
        date=date(2026, 3, 18),
        name="Cuti bersama Nyepi dibatalkan",
        kind=HolidayKind.CUTI_BERSAMA,
        is_working_day=True,
    )

    assert is_working_day(date(2026, 3, 18))
    assert local_date(add_working_days(start, 5, WITA), WITA) == date(2026, 3, 30)
    assert working_days_between(start, start + timedelta(days=1), WITA) == 1


def test_the_most_specific_region_decides(east_kalimantan):
    # Nationwide the cuti bersama stands; Kutai Timur's offices open that day.
    Holiday.objects.create(
        date=date(2026, 3, 18),
        name="Cuti bersama Nyepi ditiadakan",
        kind=HolidayKind.CUTI_BERSAMA,
        region=east_kalimantan,
        is_working_day=True,
    )
    # A national holiday added by the admin; the regional override still wins there.
    Holiday.objects.create(date=date(2026, 5, 5), name="Hari libur tambahan")
    Holiday.objects.create(
        date=date(2026, 5, 5),
        name="Tetap masuk kerja",
        region=east_kalimantan,
        is_working_day=True,
    )

    assert is_working_day(date(2026, 3, 18), "64.08.04")
    assert not is_working_day(date(2026, 3, 18), "64.01")
    assert is_working_day(date(2026, 5, 5), "64.08.04")
    assert not is_working_day(date(2026, 5, 5), "64.01")


def test_one_national_holiday_per_date():
    Holiday.objects.create(date=date(2026, 5, 5), name="Hari libur tambahan")
    with pytest.raises(IntegrityError), transaction.atomic():
        Holiday.objects.create(date=date(2026, 5, 5), name="Dua kali")


def test_one_regional_holiday_per_date_and_region(east_kalimantan):
    Holiday.objects.create(date=date(2026, 5, 5), name="Hari jadi", region=east_kalimantan)
    with pytest.raises(IntegrityError), transaction.atomic():
        Holiday.objects.create(date=date(2026, 5, 5), name="Dua kali", region=east_kalimantan)


def test_a_thousand_deadlines_cost_one_query_per_calendar_year(
    east_kalimantan, django_assert_max_num_queries
):
    Holiday.objects.create(date=date(2026, 5, 5), name="Hari libur tambahan")
    Holiday.objects.create(
        date=date(2026, 6, 2),
        name="Hari jadi",
        kind=HolidayKind.LOCAL,
        region=east_kalimantan,
    )
    starts = [
        datetime(2026, 1, 1, 8, tzinfo=ZoneInfo(WITA)) + timedelta(hours=8 * i) for i in range(1000)
    ]

    # 2026 and 2027 (60 working days from December reach into the next year).
    with django_assert_max_num_queries(2):
        for index, start in enumerate(starts):
            region_code = ("64.08.04", "64.01", None)[index % 3]
            add_working_days(start, (5, 14, 60)[index % 3], WITA, region_code)
            working_days_between(start, start + timedelta(days=20), WITA, region_code)
