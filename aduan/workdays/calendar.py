"""The working-day calendar that every legal deadline uses (DESIGN section 4).

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

Performance: the package calendar is cached per year for the life of the process; the
admin rows are cached per year for `ADMIN_HOLIDAYS_CACHE_SECONDS` and dropped whenever a
`Holiday` is saved or deleted, so computing many deadlines costs one query per calendar
year touched, not one per deadline.
"""

import threading
import time as monotonic_clock
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays
from holidays.constants import GOVERNMENT, PUBLIC

# Rows that change through signals are dropped at once in this process; other processes
# (the worker, other web workers) see the change after at most this many seconds, and so
# do queryset.update() and bulk_create(), which send no signals.
ADMIN_HOLIDAYS_CACHE_SECONDS = 60

_MAX_REGION_ENTRIES = 4096

# Saturday and Sunday (date.weekday() numbering).
WEEKEND = frozenset({5, 6})

_END_OF_DAY = time.max  # 23:59:59.999999


@dataclass(frozen=True, slots=True)
class _AdminRule:
    day: date
    region_code: str | None
    is_working_day: bool


_lock = threading.Lock()
# Bumped by clear_cache(): a lookup that started before a clear must not store what it
# read, or a holiday saved meanwhile would stay invisible until the entry expires.
_generation = 0
# year -> (expires at, rules of that year for every region)
_rules_by_year: dict[int, tuple[float, tuple[_AdminRule, ...]]] = {}
# (year, region code) -> (expires at, {date: is working day}) resolved for that region
_overrides_by_year_region: dict[tuple[int, str | None], tuple[float, Mapping[date, bool]]] = {}


@lru_cache(maxsize=32)
def package_holidays(year: int) -> Mapping[date, str]:
    """National public holidays and cuti bersama of `year`, date -> Indonesian name.

    Islamic holidays of years the package has no official decree for are astronomical
    estimates; admins correct them with `Holiday` rows.
    """
    calendar = holidays.Indonesia(years=year, categories=(PUBLIC, GOVERNMENT), language="id")
    return MappingProxyType(dict(calendar))


def clear_cache() -> None:
    """Forget the cached admin holidays (called on every `Holiday` save and delete)."""
    global _generation
    with _lock:
        _generation += 1
        _rules_by_year.clear()
        _overrides_by_year_region.clear()


def _load_rules(year: int) -> tuple[_AdminRule, ...]:
    from .models import Holiday

    rows = Holiday.objects.filter(date__year=year).values_list(
        "date", "region_id", "is_working_day"
    )
    return tuple(_AdminRule(day, region_code, is_working) for day, region_code, is_working in rows)


def _applies_to(rule_region: str | None, region_code: str | None) -> bool:
    if rule_region is None:
        return True
    if region_code is None:
        return False
    return region_code == rule_region or region_code.startswith(rule_region + ".")


def _admin_overrides(year: int, region_code: str | None) -> Mapping[date, bool]:
    """Dates of `year` that admin rows decide for `region_code`: date -> is working day."""
    key = (year, region_code)
    now = monotonic_clock.monotonic()
    cached = _overrides_by_year_region.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]

    generation = _generation
    expires = now + ADMIN_HOLIDAYS_CACHE_SECONDS
    cached_rules = _rules_by_year.get(year)
    if cached_rules is not None and cached_rules[0] > now:
        rules = cached_rules[1]
    else:
        rules = _load_rules(year)
        with _lock:
            if generation == _generation:
                _rules_by_year[year] = (expires, rules)

    # Most specific region wins: a national row has rank -1, a region row its code length.
    best: dict[date, tuple[int, bool]] = {}
    for rule in rules:
        if not _applies_to(rule.region_code, region_code):
            continue
        rank = len(rule.region_code) if rule.region_code else -1
        if rule.day not in best or rank > best[rule.day][0]:
            best[rule.day] = (rank, rule.is_working_day)
    overrides = MappingProxyType({day: working for day, (_, working) in best.items()})
    with _lock:
        if generation == _generation:
            # One entry per region code asked for; a long-running worker may see tens of
            # thousands of village codes, so start afresh rather than grow without bound.
            if len(_overrides_by_year_region) >= _MAX_REGION_ENTRIES:
                _overrides_by_year_region.clear()
            _overrides_by_year_region[key] = (expires, overrides)
    return overrides


def is_working_day(day: date, region_code: str | None = None) -> bool:
    """Whether `day` is a working day for reports in `region_code` (None: nationwide only).

    An admin row for the date (the most specific one for the region) decides; otherwise
    Monday to Friday minus the package's national holidays and cuti bersama.
    """
    override = _admin_overrides(day.year, region_code or None).get(day)
    if override is not None:
        return override
    return day.weekday() not in WEEKEND and day not in package_holidays(day.year)


def next_working_day(day: date, region_code: str | None = None) -> date:
    """The first working day strictly after `day`."""
    day += timedelta(days=1)
    while not is_working_day(day, region_code):
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
    for _ in range(days):
        day = next_working_day(day, region_code)
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
    count = 0
    day = first + timedelta(days=1)
    while day <= last:
        if is_working_day(day, region_code):
            count += 1
        day += timedelta(days=1)
    return count


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
