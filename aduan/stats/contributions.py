"""What one report adds to the aggregate tables, as a pure function of its snapshot.

`contributions(values)` maps a report's SNAPSHOT_FIELDS (aduan/reports/signals.py) to
{(table, key): {measure: amount}}. Incremental maintenance subtracts the contribution of
the `before` snapshot and adds that of the report after the change; `rebuild_stats` sums
the contributions of every report. Both therefore agree by construction, and a recount
test checks the definitions themselves against direct queries on the reports table.
"""

import bisect
import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from aduan.reports.models import OPEN_STATUSES, Status

# Statistics are kept in Western Indonesian Time (WIB), the zone of the capital: one
# national reference for months and days. WITA and WIT are one and two hours ahead, so a
# report filed between midnight and 01:00 WITA (02:00 WIT) on the first of a month counts in
# the previous month; the page says which zone it uses.
STATS_TIME_ZONE = ZoneInfo("Asia/Jakarta")

# Upper bounds (exclusive) of the duration buckets, in hours; the last bucket is open.
# Fine where the legal deadlines lie (5 and 14 working days ~ 7 and 20 calendar days).
BOUNDS_HOURS: tuple[int, ...] = (
    (1, 2, 4, 8, 12, 24, 36)
    + tuple(range(48, 24 * 29, 24))  # daily up to four weeks
    + (24 * 35, 24 * 42, 24 * 49, 24 * 56, 24 * 70, 24 * 84, 24 * 100)
    + (24 * 120, 24 * 150, 24 * 180, 24 * 270, 24 * 365)
)
BUCKET_COUNT = len(BOUNDS_HOURS) + 1

FIRST_RESPONSE = "first_response"
CLOSURE = "closure"

CUBE = "cube"
DURATION = "duration"
FLOW = "flow"

PENDING_FIRST_RESPONSE = (Status.DISPOSITIONED, Status.RETURNED, Status.IN_PROGRESS)


def bucket_of(hours: float) -> int:
    """Index of the bucket holding a duration of `hours` (>= 0)."""
    return bisect.bisect_right(BOUNDS_HOURS, hours)


def bucket_range(index: int) -> tuple[float, float | None]:
    """(lower, upper) hours of a bucket; upper is None for the last, open bucket."""
    lower = 0.0 if index == 0 else float(BOUNDS_HOURS[index - 1])
    upper = float(BOUNDS_HOURS[index]) if index < len(BOUNDS_HOURS) else None
    return lower, upper


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(STATS_TIME_ZONE).date()


def month_of(moment: dt.datetime) -> dt.date:
    return local_day(moment).replace(day=1)


def district_of(region_id: str | None) -> str:
    """The kecamatan code of a district or village code ("64.08.04.1001" -> "64.08.04")."""
    if region_id and len(region_id) >= 8:
        return region_id[:8]
    return ""


def _hours(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds() / 3600


def contributions(v: Mapping) -> dict[tuple, dict[str, int]]:
    """The rows a report with snapshot `v` adds to, and by how much."""
    status = v["status"]
    month = month_of(v["submitted_at"])
    province = v["province_code"] or ""
    regency = v["regency_code"] or ""
    district = district_of(v["region_id"])
    category = v["category_id"] or 0
    agency = v["agency_id"] or 0
    unit = v["unit_id"] or 0
    report_type = v["report_type"]

    first_response_at = v["first_response_at"]
    first_due = v["first_response_due_at"]
    closed_at = v["closed_at"]
    completion_due = v["completion_due_at"]
    dispositioned_at = v["dispositioned_at"]
    rating = v["rating"]

    responded = first_response_at is not None
    measures = {
        "reports": 1,
        "pending": int(status in OPEN_STATUSES),
        "closed": int(status == Status.CLOSED),
        "handled": int(dispositioned_at is not None and status != Status.WITHDRAWN),
        "forwarded": int(dispositioned_at is not None),
        "responded": int(responded),
        "responded_on_time": int(
            responded and first_due is not None and first_response_at <= first_due
        ),
        "unanswered_overdue": int(
            not responded and bool(v["is_overdue"]) and status in PENDING_FIRST_RESPONSE
        ),
        "closed_on_time": int(
            status == Status.CLOSED
            and closed_at is not None
            and completion_due is not None
            and closed_at <= completion_due
        ),
        "overdue": int(bool(v["is_overdue"]) and status in OPEN_STATUSES),
        "escalated": int((v["escalation_level"] or 0) > 0),
        "anonymous": int(bool(v["is_anonymous"])),
        "rated": int(rating is not None),
        "rating_sum": rating or 0,
    }
    cube_key = (
        CUBE,
        month,
        province,
        regency,
        district,
        category,
        agency,
        unit,
        report_type,
        v["channel"],
        status,
        bool(v["is_confidential"]),
    )
    rows: dict[tuple, dict[str, int]] = {cube_key: measures}

    place = (month, province, regency, district, category, agency, unit, report_type)
    # Durations count from the disposition, the start of the agency's legal clocks. A
    # report re-disposed after its first follow-up restarts its clock later than that
    # answer; such a negative span measures nothing and is left out.
    if responded and dispositioned_at is not None and first_response_at >= dispositioned_at:
        bucket = bucket_of(_hours(dispositioned_at, first_response_at))
        rows[(DURATION, *place, FIRST_RESPONSE, bucket)] = {"reports": 1}
    if (
        status == Status.CLOSED
        and closed_at is not None
        and dispositioned_at is not None
        and closed_at >= dispositioned_at
    ):
        bucket = bucket_of(_hours(dispositioned_at, closed_at))
        rows[(DURATION, *place, CLOSURE, bucket)] = {"reports": 1}

    received_day = local_day(v["submitted_at"])
    flow_place = (province, regency, agency, unit)
    rows[(FLOW, received_day, *flow_place)] = {"received": 1, "closed": 0, "ended": 0}
    if closed_at is not None and status in (Status.CLOSED, Status.ARCHIVED, Status.WITHDRAWN):
        key = (FLOW, local_day(closed_at), *flow_place)
        row = rows.setdefault(key, {"received": 0, "closed": 0, "ended": 0})
        row["closed" if status == Status.CLOSED else "ended"] += 1
    return rows


def difference(before: Mapping | None, after: Mapping | None) -> dict[tuple, dict[str, int]]:
    """after - before, without the rows and measures that do not change."""
    delta: dict[tuple, dict[str, int]] = {}
    if after is not None:
        for key, measures in contributions(after).items():
            delta[key] = dict(measures)
    if before is not None:
        for key, measures in contributions(before).items():
            row = delta.setdefault(key, {})
            for name, amount in measures.items():
                row[name] = row.get(name, 0) - amount
    return {
        key: {name: amount for name, amount in measures.items() if amount}
        for key, measures in delta.items()
        if any(measures.values())
    }
