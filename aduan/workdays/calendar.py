"""The working-day calendar that every legal deadline uses.

A working day is Monday to Friday, except:

* Indonesian national public holidays and cuti bersama (joint leave days set each year by
  the joint decree of the Ministers of Religious Affairs, Manpower and Administrative
  Reform), both taken from the `holidays` package: category "public" is the holidays,
  category "government" is cuti bersama;
* holidays that admins add as `Holiday` rows, nationwide or for a region subtree.

A `Holiday` row with `is_working_day=True` makes its date a working day whatever the rules
above say, e.g. a cuti bersama the government cancelled after the package was released.
When several rows match a date, the most specific region wins (a row for "64.08" beats a
national row).

Days are counted in the agency's own time zone (WIB/WITA/WIT) and deadlines end at the
last instant of the local day, returned in UTC like every stored timestamp.

Performance: both calendars are kept in each process's reference cache (core.refcache):
per year and region, the dates whose status is not the plain weekday rule. Saving or
deleting a `Holiday` publishes a new reference version, which every web request and
background task that starts afterwards sees; computing many deadlines costs one query per
calendar year touched, not one per deadline.
"""

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays
from holidays.constants import GOVERNMENT, PUBLIC

from aduan.core import refcache

# Saturday and Sunday (date.weekday() numbering).
WEEKEND = frozenset({5, 6})

_END_OF_DAY = time.max  # 23:59:59.999999


def package_holidays(year: int) -> Mapping[date, str]:
    """National public holidays and cuti bersama of `year`, date -> Indonesian name.

    Islamic holidays of years the package has no official decree for are astronomical
    estimates; admins correct them with `Holiday` rows.
    """

    def build() -> dict[date, str]:
        calendar = holidays.Indonesia(years=year, categories=(PUBLIC, GOVERNMENT), language="id")
        return dict(calendar)

    # The package's answer depends on the installed code only: no version needed.
    return MappingProxyType(refcache.lookup("package-holidays", year, build, versioned=False))


def _admin_rules(year: int) -> list[tuple[date, str | None, bool]]:
    """The `Holiday` rows of `year`: (date, region code or None, is working day)."""
    from .models import Holiday

    def load():
        rows = Holiday.objects.filter(date__year=year)
        return list(rows.values_list("date", "region_id", "is_working_day"))

    return refcache.lookup_shared("holiday-rules", year, load)


def _applies_to(rule_region: str | None, region_code: str | None) -> bool:
    if rule_region is None:
        return True
    if region_code is None:
        return False
    return region_code == rule_region or region_code.startswith(rule_region + ".")


def _decided_days(year: int, region_code: str | None) -> dict[date, bool]:
    """The dates of `year` whose status for `region_code` is not simply "Monday to Friday":
    date -> is working day. Package holidays are not; an admin row decides its date, the
    row of the most specific region winning (a national row ranks below any region)."""

    rules = [rule for rule in _admin_rules(year) if _applies_to(rule[1], region_code)]

    def build() -> dict[date, bool]:
        decided = dict.fromkeys(package_holidays(year), False)
        best: dict[date, tuple[int, bool]] = {}
        for day, rule_region, is_working in rules:
            rank = len(rule_region) if rule_region else -1
            if day not in best or rank > best[day][0]:
                best[day] = (rank, is_working)
        decided.update({day: is_working for day, (_, is_working) in best.items()})
        return decided

    # Kept by the regional rules that apply, not by the region: the ~80,000 villages
    # without a rule of their own share one entry with the nation instead of one each.
    regional = sorted({rule[1] for rule in rules if rule[1] is not None})
    return refcache.lookup_shared("working-days", f"{year}:{','.join(regional) or '-'}", build)


def _working_day_test(region_code: str | None) -> Callable[[date], bool]:
    """`is_working_day` for one region, looking each year up once: for loops over days."""
    years: dict[int, dict[date, bool]] = {}

    def is_working(day: date) -> bool:
        decided = years.get(day.year)
        if decided is None:
            decided = years[day.year] = _decided_days(day.year, region_code or None)
        return decided.get(day, day.weekday() not in WEEKEND)

    return is_working


def is_working_day(day: date, region_code: str | None = None) -> bool:
    """Whether `day` is a working day for reports in `region_code` (None: nationwide only).

    An admin row for the date (the most specific one for the region) decides; otherwise
    Monday to Friday minus the package's national holidays and cuti bersama.
    """
    return _working_day_test(region_code)(day)


def next_working_day(day: date, region_code: str | None = None) -> date:
    """The first working day strictly after `day`."""
    return _next_working_day(day, _working_day_test(region_code))


def _next_working_day(day: date, is_working: Callable[[date], bool]) -> date:
    day += timedelta(days=1)
    while not is_working(day):
        day += timedelta(days=1)
    return day


def local_date(moment: datetime, tz: str) -> date:
    """The calendar date of the aware datetime `moment` in the time zone `tz`."""
    _require_aware(moment, "moment")
    return moment.astimezone(ZoneInfo(tz)).date()


def end_of_local_day(day: date, tz: str) -> datetime:
    """The last instant (23:59:59.999999) of `day` in time zone `tz`, as an aware UTC datetime."""
    return datetime.combine(day, _END_OF_DAY, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def add_working_days(
    start: datetime, days: int, tz: str, region_code: str | None = None
) -> datetime:
    """The deadline `days` working days after `start`, counted in the agency's zone `tz`.

    Counting starts on the day after the local date of `start`, whatever the time of day
    and whether or not that date is itself a working day; the deadline is the end of the
    last counted day in `tz`, returned in UTC. With `days=0` it is the end of the local day
    of `start`.

    Example: 5 working days after Tuesday 17 March 2026 is Tuesday 31 March 2026, because
    18-24 March are Nyepi, Idul Fitri, cuti bersama and a weekend.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = local_date(start, tz)
    is_working = _working_day_test(region_code)
    for _ in range(days):
        day = _next_working_day(day, is_working)
    return end_of_local_day(day, tz)


def working_days_between(
    start: datetime, end: datetime, tz: str, region_code: str | None = None
) -> int:
    """How many working days d satisfy local date of `start` < d <= local date of `end`.

    Returns 0 when `end` is not after `start`. Used to extend a deadline by the working
    days a report spent waiting on the reporter.
    """
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end <= start:
        return 0
    first = local_date(start, tz)
    last = local_date(end, tz)
    if last <= first:
        return 0
    # Counted, not walked: the Mondays to Fridays in (first, last], corrected by the dates
    # of each year touched whose status is not the weekday rule. A deadline passed years
    # ago (the staff inbox shows how many working days late it is on every row) costs a
    # few dozen steps per calendar year instead of one per day.
    following = first + timedelta(days=1)
    count = _weekdays_in(following, last)
    for year in range(following.year, last.year + 1):
        for day, working in _decided_days(year, region_code or None).items():
            if first < day <= last and working != (day.weekday() not in WEEKEND):
                count += 1 if working else -1
    return count


def _weekdays_in(first: date, last: date) -> int:
    """How many Mondays to Fridays lie in [first, last] (0 if last < first)."""
    days = (last - first).days + 1
    if days <= 0:
        return 0
    weeks, rest = divmod(days, 7)
    start = first.weekday()
    return weeks * 5 + sum(1 for offset in range(rest) if (start + offset) % 7 not in WEEKEND)


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
