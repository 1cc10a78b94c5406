"""Fetch-and-authorize in one call, and the rules for who sees what (docs/DESIGN.md,
Identity and privacy).

- The public sees published reports (forwarded at least once) that are not confidential.
- A reporter sees their own reports.
- Staff see reports in their scope; supervisors read across theirs.
- A reporter's identity reaches only the staff who need it, never for an anonymous report
  outside the admins who verify it, and every read is logged (PersonalDataAccess).
"""

import hashlib
import uuid as uuid_module
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404

from aduan.accounts.models import PersonalDataAccess, Role

from . import tracking
from .actors import Actor, as_actor
from .models import PUBLISHED_STATUSES, Report, Status


def region_subtree_q(codes: list[str]) -> Q:
    """Reports located in any of the region subtrees `codes` (uses the indexed
    denormalised province/regency columns where the depth allows)."""
    from aduan.regions.models import Region

    parts = []
    for code in codes:
        if len(code) == 2:
            parts.append(Q(province_code=code))
        elif len(code) == 5:
            parts.append(Q(regency_code=code))
        else:
            below = Region.objects.filter(code__startswith=code + ".").values("code")
            parts.append(Q(region_id=code) | Q(region_id__in=below))
    return reduce(or_, parts) if parts else Q()


def public_reports() -> QuerySet[Report]:
    # A forwarded report put on hold (waiting on its reporter) stays public; one held
    # before verification was never published.
    published = Q(status__in=PUBLISHED_STATUSES) | Q(
        status=Status.ON_HOLD, status_before_hold__in=PUBLISHED_STATUSES
    )
    return Report.objects.filter(published, is_confidential=False)


def visible_reports(who) -> QuerySet[Report]:
    """Every report this person may read."""
    actor = as_actor(who)
    user = actor.user
    if user is None:
        return public_reports()
    role = user.role
    qs = Report.objects.all()
    if role == Role.NATIONAL_ADMIN:
        return qs
    if role == Role.AGENCY_ADMIN and user.agency_id:
        q = Q(agency_id=user.agency_id)
        agency = user.agency
        if agency.verifies_own_region:
            codes = agency.jurisdiction_codes()
            if codes:
                q |= Q(agency__isnull=True) & region_subtree_q(codes)
        return qs.filter(q)
    if role == Role.UNIT_OFFICER and user.agency_id:
        return qs.filter(unit_id=user.agency_id)
    if role == Role.SUPERVISOR:
        if user.scope_region_id:
            return qs.filter(region_subtree_q([user.scope_region_id]))
        return qs
    if actor.reporter_id is not None:
        return qs.filter(Q(reporter_id=actor.reporter_id) | Q(pk__in=public_reports().values("pk")))
    return public_reports()


def find_report(key: str, queryset: QuerySet[Report] | None = None) -> Report | None:
    """Look a report up by tracking number (check digit verified) or UUID."""
    qs = queryset if queryset is not None else Report.objects.all()
    number = tracking.normalise(key)
    if number:
        return qs.filter(tracking_number=number).first()
    try:
        return qs.filter(uuid=uuid_module.UUID(str(key))).first()
    except ValueError:
        return None


def get_report_for(who, key: str, *, for_write: bool = False) -> Report:
    """The report `key` if `who` may see it, else Http404 (never reveal that it exists).

    With for_write the row is locked for the rest of the caller's transaction."""
    qs = visible_reports(who)
    if for_write:
        qs = qs.select_for_update()
    report = find_report(key, qs)
    if report is None:
        raise Http404("Laporan tidak ditemukan / Report not found")
    return report


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def reporter_actor_from_secret(key: str, secret: str) -> tuple[Report, Actor]:
    """A guest reporter proves ownership with the secret from their tracking link."""
    report = find_report(key)
    if report is None or not report.access_token_hash or not secret:
        raise Http404("Laporan tidak ditemukan / Report not found")
    import hmac

    if not hmac.compare_digest(report.access_token_hash, token_hash(secret)):
        raise Http404("Laporan tidak ditemukan / Report not found")
    return report, Actor(reporter_id=report.reporter_id)


def may_see_identity(who, report: Report) -> bool:
    actor = as_actor(who)
    if actor.is_reporter_of(report):
        return True
    user = actor.user
    if user is None or not user.is_active:
        return False
    if user.role == Role.NATIONAL_ADMIN:
        return True
    if user.role == Role.AGENCY_ADMIN and user.agency_id:
        agency = user.agency
        # With delegated verification this agency's admins are the ones who verify the
        # reports of their region, before and after they dispose them.
        if (
            agency.verifies_own_region
            and report.region_id
            and agency.covers_region(report.region_id)
        ):
            return True
        # Anonymous identity stays with the admins who verify, not the receiving agency.
        return report.agency_id == user.agency_id and not report.is_anonymous
    if user.role == Role.UNIT_OFFICER and user.agency_id:
        return report.unit_id == user.agency_id and not report.is_anonymous
    return False


@dataclass(frozen=True)
class Identity:
    name: str
    nik: str
    phone: str
    email: str


def reporter_identity(who, report: Report, *, purpose: str = "view") -> Identity | None:
    """The reporter's personal data if `who` may see it (logged for staff), else None."""
    if not may_see_identity(who, report):
        return None
    reporter = report.reporter
    actor = as_actor(who)
    if actor.user is not None and actor.user.role != Role.CITIZEN:
        PersonalDataAccess.objects.create(
            user=actor.user,
            reporter=reporter,
            report=report,
            fields="name,nik,phone,email",
            purpose=purpose[:100],
        )
    return Identity(reporter.name, reporter.nik, reporter.phone, reporter.email)
