"""Deadlines on the national calendar: weekends, holidays, cuti bersama and time zones."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aduan.workdays.calendar import (
    add_working_days,
    end_of_local_day,
    is_working_day,
    local_date,
    next_working_day,
    package_holidays,
    working_days_between,
)

pytestmark = pytest.mark.django_db

WIB = "Asia/Jakarta"
WITA = "Asia/Makassar"
WIT = "Asia/Jayapura"


def at(tz: str, *args: int) -> datetime:
    """An aware datetime given as local wall-clock time in `tz`."""
    return datetime(*args, tzinfo=ZoneInfo(tz))


def deadline_date(deadline: datetime, tz: str) -> date:
    return local_date(deadline, tz)


def test_five_working_days_after_17_march_2026_end_on_31_march():
    # 18 Mar cuti bersama Nyepi, 19 Nyepi, 20 cuti bersama Idul Fitri, 21-22 Idul Fitri
    # (a weekend), 23-24 cuti bersama Idul Fitri.
    for hour in (0, 9, 23):
        start = at(WITA, 2026, 3, 17, hour, 30)
        deadline = add_working_days(start, 5, WITA)
        assert deadline == at(WITA, 2026, 3, 31, 23, 59, 59, 999999)


def test_deadline_is_returned_in_utc_at_the_end_of_the_local_day():
    deadline = add_working_days(at(WITA, 2026, 3, 17, 10), 5, WITA)
    assert deadline.tzinfo == UTC
    assert deadline == datetime(2026, 3, 31, 15, 59, 59, 999999, tzinfo=UTC)


def test_zero_working_days_is_the_end_of_the_start_day_even_on_a_holiday():
    assert add_working_days(at(WIB, 2026, 3, 19, 8), 0, WIB) == end_of_local_day(
        date(2026, 3, 19), WIB
    )


def test_the_package_lists_cuti_bersama_alongside_public_holidays():
    calendar_2025 = package_holidays(2025)
    assert calendar_2025[date(2025, 3, 31)] == "Hari Raya Idul Fitri"
    assert "Cuti Bersama" in calendar_2025[date(2025, 4, 2)]
    assert "Cuti Bersama" in package_holidays(2026)[date(2026, 3, 18)]


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 3, 28),  # cuti bersama Nyepi
        date(2025, 3, 31),  # Idul Fitri
        date(2025, 4, 1),  # Idul Fitri, second day
        date(2025, 4, 2),  # cuti bersama Idul Fitri
        date(2025, 4, 7),  # cuti bersama Idul Fitri
        date(2025, 4, 18),  # Good Friday
    ],
)
def test_idul_fitri_2025_and_its_cuti_bersama_are_not_working_days(day):
    assert not is_working_day(day)


def test_one_working_day_after_27_march_2025_is_8_april():
    deadline = add_working_days(at(WIB, 2025, 3, 27, 14), 1, WIB)
    assert deadline_date(deadline, WIB) == date(2025, 4, 8)


def test_fourteen_working_days_across_idul_fitri_and_good_friday_2025():
    # 21, 24-27 Mar (5); 8-11, 14-17 Apr (13); 18 Apr Good Friday; 21 Apr (14).
    deadline = add_working_days(at(WIB, 2025, 3, 20, 9), 14, WIB)
    assert deadline_date(deadline, WIB) == date(2025, 4, 21)


def test_ten_working_days_across_idul_fitri_and_good_friday_2026():
    # 16-17 Mar (2); 25-27, 30-31 Mar, 1-2 Apr (9); 3 Apr Good Friday; 6 Apr (10).
    deadline = add_working_days(at(WIT, 2026, 3, 13, 16), 10, WIT)
    assert deadline_date(deadline, WIT) == date(2026, 4, 6)


def test_a_deadline_crossing_new_year_counts_both_years():
    # 24 Dec 2026 cuti bersama, 25 Dec Christmas, 1 Jan 2027 New Year's Day.
    deadline = add_working_days(at(WIB, 2026, 12, 23, 9), 3, WIB)
    assert deadline_date(deadline, WIB) == date(2026, 12, 30)
    deadline = add_working_days(at(WIB, 2026, 12, 30, 9), 2, WIB)
    assert deadline_date(deadline, WIB) == date(2027, 1, 4)


def test_weekends_are_not_working_days():
    assert is_working_day(date(2026, 5, 8))  # Friday
    assert not is_working_day(date(2026, 5, 9))  # Saturday
    assert not is_working_day(date(2026, 5, 10))  # Sunday
    assert next_working_day(date(2026, 5, 8)) == date(2026, 5, 11)


def test_a_report_sent_on_friday_or_saturday_is_due_on_monday_after_one_working_day():
    for start in (
        at(WIB, 2026, 5, 8, 16),
        at(WIB, 2026, 5, 9, 11),
        at(WIB, 2026, 5, 10, 20),
    ):
        assert deadline_date(add_working_days(start, 1, WIB), WIB) == date(2026, 5, 11)


def test_the_same_instant_falls_on_different_days_in_wib_and_wit():
    # 23:30 WIB on Monday 4 May 2026 is already 01:30 on Tuesday in WIT.
    sent = at(WIB, 2026, 5, 4, 23, 30)
    assert local_date(sent, WIB) == date(2026, 5, 4)
    assert local_date(sent, WIT) == date(2026, 5, 5)

    assert add_working_days(sent, 1, WIB) == at(WIB, 2026, 5, 5, 23, 59, 59, 999999)
    assert add_working_days(sent, 1, WIT) == at(WIT, 2026, 5, 6, 23, 59, 59, 999999)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        add_working_days(datetime(2026, 5, 4, 9), 1, WIB)
    with pytest.raises(ValueError):
        working_days_between(datetime(2026, 5, 4, 9), at(WIB, 2026, 5, 8, 9), WIB)


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(at(WIB, 2026, 5, 4, 9), -1, WIB)


def test_working_days_between_counts_days_after_the_start_up_to_the_end():
    monday = at(WIB, 2026, 5, 4, 10)
    assert working_days_between(monday, at(WIB, 2026, 5, 8, 9), WIB) == 4
    assert working_days_between(monday, at(WIB, 2026, 5, 4, 17), WIB) == 0
    assert working_days_between(monday, at(WIB, 2026, 5, 11, 0, 1), WIB) == 5


def test_working_days_between_is_zero_when_the_end_is_not_after_the_start():
    monday = at(WIB, 2026, 5, 4, 10)
    assert working_days_between(monday, monday, WIB) == 0
    assert working_days_between(monday, monday - timedelta(days=3), WIB) == 0


def test_working_days_between_skips_idul_fitri_2026():
    start = at(WIB, 2026, 3, 17, 12)
    assert working_days_between(start, at(WIB, 2026, 3, 24, 12), WIB) == 0
    assert working_days_between(start, at(WIB, 2026, 3, 25, 12), WIB) == 1


def test_a_pause_shifts_a_deadline_by_the_working_days_it_lasted():
    # A report put on hold on Monday 4 May 2026 and resumed on Friday 8 May.
    original = add_working_days(at(WIB, 2026, 5, 4, 9), 5, WIB)
    paused = working_days_between(at(WIB, 2026, 5, 4, 9), at(WIB, 2026, 5, 8, 15), WIB)
    shifted = add_working_days(original, paused, WIB)
    # Ascension Day (14 May) and its cuti bersama (15 May) fall inside the extension.
    assert deadline_date(original, WIB) == date(2026, 5, 11)
    assert deadline_date(shifted, WIB) == date(2026, 5, 19)


def _walked(start: datetime, end: datetime, tz: str, region: str | None = None) -> int:
    """working_days_between as its definition reads: one day at a time."""
    if end <= start:
        return 0
    day, last, count = local_date(start, tz) + timedelta(days=1), local_date(end, tz), 0
    while day <= last:
        count += is_working_day(day, region)
        day += timedelta(days=1)
    return count


def test_working_days_between_counts_what_a_walk_over_the_days_counts(east_kalimantan):
    """The count is arithmetic (weekdays, corrected by each year's holidays and admin
    rows); it must agree with walking day by day, for short and multi-year spans, across
    new year, in every zone, with admin rows for the nation and for one regency."""
    from aduan.workdays.models import Holiday

    Holiday.objects.create(date=date(2025, 12, 29), name="Cuti daerah", region_id="64.08")
    Holiday.objects.create(date=date(2026, 3, 21), name="Masuk kerja (Sabtu)", is_working_day=True)
    Holiday.objects.create(
        date=date(2026, 3, 24),
        name="Cuti bersama dibatalkan di Kutai Timur",
        region_id="64.08",
        is_working_day=True,
    )
    starts = [
        at(WIB, 2025, 12, 31, 23, 59),
        at(WITA, 2026, 3, 17, 9),
        at(WIT, 2024, 1, 1, 0, 30),
        at(WIB, 2026, 5, 8, 17),  # a Friday
        at(WITA, 2023, 6, 3, 12),  # a Saturday
    ]
    spans = [timedelta(hours=1), timedelta(days=1), timedelta(days=2), timedelta(days=6)]
    spans += [timedelta(days=n) for n in (7, 13, 30, 100, 365, 800, 1200)]
    for start in starts:
        for span in spans:
            for tz in (WIB, WITA, WIT):
                for region in (None, "64.08", "64"):
                    end = start + span
                    expected = _walked(start, end, tz, region)
                    assert working_days_between(start, end, tz, region) == expected, (
                        start,
                        span,
                        tz,
                        region,
                    )
                    assert working_days_between(end, start, tz, region) == 0
