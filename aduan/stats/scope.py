"""Which aggregates a staff member may read: the same rules as
`aduan.reports.access.visible_reports`, expressed on the aggregate tables' columns."""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from aduan.accounts.models import Role


def _region_q(code: str, *, flow: bool = False) -> Q:
    # The parents' codes are named too so that the region indexes (province first) apply.
    if len(code) == 2:
        return Q(province_code=code)
    if len(code) == 5 or flow:
        # The daily flow goes down to the regency only.
        return Q(province_code=code[:2], regency_code=code[:5])
    return Q(province_code=code[:2], regency_code=code[:5], district_code=code[:8])


def _regions_q(codes: list[str], *, flow: bool = False) -> Q:
    return reduce(or_, (_region_q(c, flow=flow) for c in codes)) if codes else Q()


@dataclass(frozen=True)
class StaffScope:
    role: str
    cube: Q
    flow: Q
    agency_id: int | None = None
    unit_id: int | None = None
    region: str = ""

    @property
    def is_national(self) -> bool:
        return self.role == Role.NATIONAL_ADMIN or (
            self.role == Role.SUPERVISOR and not self.region
        )


def staff_scope(user) -> StaffScope | None:
    """The aggregates `user` may read, or None for anyone who is not staff."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    role = user.role
    if role == Role.NATIONAL_ADMIN:
        return StaffScope(role, Q(), Q())
    if role == Role.AGENCY_ADMIN and user.agency_id:
        cube = flow = Q(agency_id=user.agency_id)
        agency = user.agency
        if agency.verifies_own_region:
            codes = agency.jurisdiction_codes()
            if codes:
                # Reports of its region still awaiting verification, as visible_reports.
                cube |= Q(agency_id=0) & _regions_q(codes)
                flow |= Q(agency_id=0) & _regions_q(codes, flow=True)
        return StaffScope(role, cube, flow, agency_id=user.agency_id)
    if role == Role.UNIT_OFFICER and user.agency_id:
        q = Q(unit_id=user.agency_id)
        return StaffScope(role, q, q, unit_id=user.agency_id)
    if role == Role.SUPERVISOR:
        code = user.scope_region_id or ""
        if not code:
            return StaffScope(role, Q(), Q())
        return StaffScope(role, _region_q(code), _region_q(code, flow=True), region=code)
    return None
