"""Where a report is, as the public may know it: one rule for every public output.

An anonymous report hides who sent it, but its place can give that away: people complain
about their own street, the waste behind their own house, the school of their own
children, and a village has few people. So wherever the public reads a report (its web
page and the tracking page, the public list, the REST API for callers who do not work on
the report, Open311, the open dataset), an anonymous report is placed only in its
regency/city: no coordinates, no address, no district or village. Other reports show
where they are (the open dataset still rounds their coordinates, see
`aduan.stats.opendata`).

The reporter of a report, and staff and integrators who work on it, read the exact place;
those outputs do not call this module.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from aduan.core import refcache
from aduan.regions.models import Region


@dataclass(frozen=True)
class PublicLocation:
    latitude: Decimal | None
    longitude: Decimal | None
    address: str
    # The region shown: the report's own, or its regency/city (province when the report
    # is placed no finer); "" when the report has no region.
    region_code: str
    # True when the place was coarsened (an anonymous report).
    blurred: bool

    @property
    def district_code(self) -> str:
        """The kecamatan ("64.08.04") of a district or village, else ""."""
        return self.region_code[:8] if len(self.region_code) >= 8 else ""


def location_from_values(values: Mapping) -> PublicLocation:
    """The public location from a report's columns (`is_anonymous`, `latitude`,
    `longitude`, `region_id`, `regency_code`, `province_code`, and `address` when the
    caller shows it), for callers that read rows as values rather than models (the open
    dataset)."""
    anonymous = bool(values["is_anonymous"])
    region_code = _region_code(
        anonymous, values["region_id"], values["regency_code"], values["province_code"]
    )
    if anonymous:
        return PublicLocation(None, None, "", region_code, blurred=True)
    return PublicLocation(
        latitude=values["latitude"],
        longitude=values["longitude"],
        address=values.get("address") or "",
        region_code=region_code,
        blurred=False,
    )


def public_location(report) -> PublicLocation:
    """Where the public may place `report` (see the module's docstring)."""
    return location_from_values(
        {
            "is_anonymous": report.is_anonymous,
            "latitude": report.latitude,
            "longitude": report.longitude,
            "address": report.address,
            "region_id": report.region_id,
            "regency_code": report.regency_code,
            "province_code": report.province_code,
        }
    )


def public_region_code(report) -> str:
    """The code of the region the public may see for `report` (see `public_location`);
    reads only the region columns, for lists that load no coordinates."""
    return _region_code(
        report.is_anonymous, report.region_id, report.regency_code, report.province_code
    )


def public_region(report, location: PublicLocation | None = None) -> Region | None:
    """The Region the public may see for `report`: its own (loaded with the report) or,
    when coarsened, its regency/city from the reference-data memo."""
    code = location.region_code if location is not None else public_region_code(report)
    if not code:
        return None
    if code == report.region_id:
        return report.region
    return refcache.lookup("region", code, lambda: Region.objects.filter(code=code).first())


def _region_code(is_anonymous: bool, region_id, regency_code, province_code) -> str:
    if is_anonymous:
        return regency_code or province_code or ""
    return region_id or ""


def with_public_point(reports: QuerySet) -> QuerySet:
    """`reports` narrowed to those whose exact point the public may see: the query form
    of `location_from_values` for the public map. An anonymous report has no public
    coordinates (it is placed only in its regency/city), so it is never a point on a
    map; nor is a report without coordinates."""
    return reports.filter(is_anonymous=False, latitude__isnull=False, longitude__isnull=False)
