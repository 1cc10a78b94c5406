"""Possible duplicates: reports about the same problem in the same place, one rule for the
staff's duplicate hints and for what citizens see before they submit (docs/DESIGN.md,
Duplicates and support).

Two reports are similar when
- they share a category: without a category there is no suggestion at all;
- they are in the same place: within about 1 km when both have a point; when either has
  no point, in the same region (a report's region, else the one suggested from its
  coordinates), where a village and the district it lies in count as the same (people
  name a place as deep as they know it); a regency/city or a province matches only
  itself, which would otherwise take in a whole regency;
- they were submitted within 90 days of each other;
and the other report is an original (not archived as someone's duplicate) and was not
withdrawn.

Citizens are shown only published reports that can still be supported, and only by what
the public may know of them (aduan/reports/public.py): an anonymous report has no public
point and is public only in its regency/city, so it matches only a place given as that
same regency/city.

Every query starts from an index (`report_similar_point_idx` on category and point,
`report_similar_idx` on region and category), stays within the 90-day window and stops at
`limit` rows.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from .access import public_reports
from .actions.validation import _coordinate, _resolve_category
from .models import Report, Status
from .workflow import TRANSITIONS

# About 1 km: 0.009 degrees of latitude; longitude degrees shrink away from the equator,
# but Indonesia lies within 11 degrees of it (cos >= 0.98).
RADIUS = Decimal("0.009")
WINDOW = dt.timedelta(days=90)
LIMIT = 5


@dataclass(frozen=True)
class Place:
    """What a report (or a report being written) is about and where."""

    category_id: int | None
    region_code: str
    latitude: Decimal | None
    longitude: Decimal | None
    # The moment around which the 90-day window is centred.
    at: dt.datetime

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def place_of(report: Report) -> Place:
    return Place(
        category_id=report.category_id,
        region_code=report.region_id or report.suggested_region_id or "",
        latitude=report.latitude,
        longitude=report.longitude,
        at=report.submitted_at,
    )


def place_from_input(*, category, region_code: str, latitude, longitude, at: dt.datetime) -> Place:
    """The place of a report being written, from the form's raw values; a wrong value
    counts as not given (the form itself reports it)."""
    category_row = _resolve_category(category)
    lat = _coordinate(latitude, -90, 90)
    lon = _coordinate(longitude, -180, 180)
    if lat is None or lon is None or not (lat.is_finite() and lon.is_finite()):
        lat = lon = None
    return Place(
        category_id=category_row.pk if category_row is not None else None,
        region_code=region_code or "",
        latitude=lat,
        longitude=lon,
        at=at,
    )


def _near(place: Place) -> Q:
    return Q(
        latitude__range=(place.latitude - RADIUS, place.latitude + RADIUS),
        longitude__range=(place.longitude - RADIUS, place.longitude + RADIUS),
    )


DISTRICT_LENGTH = len("64.08.04")


def _same_region(code: str) -> Q:
    """Reports in the region `code`, or, for a village, in its district, or, for a
    district, in its villages (a range on the code, so the region index serves it)."""
    if len(code) > DISTRICT_LENGTH:
        return Q(region_id__in=(code, code[:DISTRICT_LENGTH]))
    if len(code) == DISTRICT_LENGTH:
        # "64.08.04.xxxx" lies between "64.08.04." and "64.08.04/" ("/" follows ".").
        return Q(region_id=code) | Q(region_id__gt=code + ".", region_id__lt=code + "/")
    return Q(region_id=code)


def _anonymous_in(code: str) -> Q | None:
    """Anonymous reports whose public place is the region `code` (a regency/city, or a
    province for a report placed no finer)."""
    if len(code) == 5:
        return Q(is_anonymous=True, regency_code=code)
    if len(code) == 2:
        return Q(is_anonymous=True, regency_code="", province_code=code)
    return None


def _queries(base: QuerySet, place: Place, *, public: bool) -> list[QuerySet]:
    exact = base.filter(is_anonymous=False) if public else base
    queries = []
    if place.has_point:
        # Both have a point: within about 1 km.
        queries.append(exact.filter(_near(place)))
        if place.region_code:
            # The other has no point: the same region.
            queries.append(exact.filter(_same_region(place.region_code), latitude__isnull=True))
    elif place.region_code:
        # This one has no point: the same region, with or without a point.
        queries.append(exact.filter(_same_region(place.region_code)))
    if public and place.region_code and not place.has_point:
        anonymous = _anonymous_in(place.region_code)
        if anonymous is not None:
            queries.append(base.filter(anonymous))
    return queries


def find_similar(
    candidates: QuerySet[Report],
    place: Place,
    *,
    exclude: Report | None = None,
    public: bool = False,
    limit: int = LIMIT,
    only: tuple[str, ...] = (),
) -> list[Report]:
    """The newest `limit` reports of `candidates` similar to `place` (see the module's
    docstring). With `public`, match only on what the public may know of each report.
    `only`: the columns the caller shows (then without category and region: fewer
    tables for PostgreSQL to plan); by default whole rows with those."""
    if place.category_id is None or not (place.has_point or place.region_code):
        return []
    base = candidates.filter(
        category_id=place.category_id,
        submitted_at__gte=place.at - WINDOW,
        submitted_at__lte=place.at + WINDOW,
        duplicate_of__isnull=True,
    ).exclude(status=Status.WITHDRAWN)
    base = (
        base.only(*only) if only else base.select_related("category", "category__parent", "region")
    )
    if exclude is not None:
        base = base.exclude(pk=exclude.pk)
    found: dict[int, Report] = {}
    for query in _queries(base, place, public=public):
        for report in query.order_by("-submitted_at")[:limit]:
            found.setdefault(report.pk, report)
    return sorted(found.values(), key=lambda r: (r.submitted_at, r.pk), reverse=True)[:limit]


def supportable_reports() -> QuerySet[Report]:
    """Published reports that can still be supported (the `support` action's statuses)."""
    return public_reports().filter(status__in=TRANSITIONS["support"].sources)


def similar_for_citizen(place: Place, *, limit: int = LIMIT) -> list[Report]:
    """What a citizen is shown before submitting: published reports still being handled,
    similar to the report they are writing."""
    return find_similar(supportable_reports(), place, public=True, limit=limit)
