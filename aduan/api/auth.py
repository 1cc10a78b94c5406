"""Who is calling the REST API, what they may read, and how often they may call.

Three kinds of caller:

- an integrator with an API key (`X-API-Key: aduan_…` or `Authorization: Bearer aduan_…`);
  a key may submit reports (`can_submit`) and, when scoped to an agency with a service
  account (`ApiKey.agency` + `ApiKey.user`), read and act on that agency's reports as that
  account, so the domain's permission rules apply unchanged;
- a person logged in to the web app (the session cookie, with the CSRF token for writes);
- anyone else, who may read public data only, with a stricter rate limit per IP address.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet

from aduan.accounts.models import STAFF_ROLES
from aduan.reports.access import public_reports, visible_reports
from aduan.reports.actors import Actor
from aduan.reports.models import Report, Visibility

from . import keys
from .models import ApiKey

PUBLIC_ONLY = (Visibility.PUBLIC,)
PARTIES = (Visibility.PUBLIC, Visibility.PARTIES)
EVERYTHING = (Visibility.PUBLIC, Visibility.PARTIES, Visibility.INTERNAL)

ANONYMOUS_RATE_PER_MINUTE = 30
SESSION_RATE_PER_MINUTE = 120


def anonymous_rate() -> int:
    return int(getattr(settings, "API_ANONYMOUS_RATE_PER_MINUTE", ANONYMOUS_RATE_PER_MINUTE))


def session_rate() -> int:
    return int(getattr(settings, "API_SESSION_RATE_PER_MINUTE", SESSION_RATE_PER_MINUTE))


@dataclass
class Caller:
    key: ApiKey | None = None
    user: object | None = None  # the session user (never set for key callers)
    ip: str = ""
    # Set when the caller proved to be a report's reporter with its tracking secret.
    reporter_actor: Actor | None = field(default=None)

    @property
    def kind(self) -> str:
        if self.key is not None:
            return "key"
        if self.user is not None:
            return "session"
        return "anonymous"

    @property
    def acting_user(self):
        """The account domain actions run as: the key's service account or the session
        user. None for anonymous callers and keys without a service account."""
        if self.key is not None:
            return self.key.user
        return self.user

    @property
    def is_staff_like(self) -> bool:
        user = self.acting_user
        return user is not None and user.is_active and user.role in STAFF_ROLES

    def scoped_reports(self) -> QuerySet[Report] | None:
        """The reports this caller reads beyond the public ones (None: public only)."""
        if self.key is not None:
            if self.key.user is not None and self.key.user.is_active:
                return visible_reports(self.key.user)
            if self.key.agency_id:
                agency_id = self.key.agency_id
                return Report.objects.filter(Q(agency_id=agency_id) | Q(unit_id=agency_id))
            return None
        if self.user is not None:
            if self.user.role in STAFF_ROLES:
                return visible_reports(self.user)
            # A citizen works on their own reports only; public ones they read as anyone.
            return Report.objects.filter(reporter__user=self.user)
        return None

    def readable_reports(self) -> QuerySet[Report]:
        """Every report this caller may read: public ones plus its scope. Confidential
        and unpublished reports come only through the scope."""
        scoped = self.scoped_reports()
        if scoped is None:
            return public_reports()
        return public_reports() | scoped

    def visibilities(self, report: Report) -> tuple[str, ...]:
        """The event visibilities this caller may read on `report`: everything for those
        who work on it (an agency-scoped key, staff in scope), public and parties for its
        reporter, public only for everyone else."""
        if self.reporter_actor is not None and self.reporter_actor.is_reporter_of(report):
            return PARTIES
        scoped = self.scoped_reports()
        if scoped is None or not scoped.filter(pk=report.pk).exists():
            return PUBLIC_ONLY
        if self.key is not None or self.is_staff_like:
            return EVERYTHING
        return PARTIES

    def working_on(self, report_ids: list[int]) -> set[int]:
        """Which of these reports the caller works on (sees handling data and the whole
        history of): one query for a page of reports."""
        if not report_ids or not (self.key is not None or self.is_staff_like):
            return set()
        scoped = self.scoped_reports()
        if scoped is None:
            return set()
        return set(scoped.filter(pk__in=report_ids).values_list("pk", flat=True))

    def own_reports(self, report_ids: list[int]) -> set[int]:
        """Which of these reports a signed-in citizen reported (one query)."""
        if not report_ids or self.key is not None or self.user is None or self.is_staff_like:
            return set()
        return set(
            Report.objects.filter(pk__in=report_ids, reporter__user=self.user).values_list(
                "pk", flat=True
            )
        )

    def exact_location_q(self) -> Q:
        """The reports whose exact location this caller may read: those in its scope
        (worked on, or reported by it). Matches nothing for the public."""
        scoped = self.scoped_reports()
        if scoped is None:
            return Q(pk__in=[])
        return Q(pk__in=scoped.values("pk"))

    def rate_decision(self) -> keys.RateDecision:
        if self.key is not None:
            return keys.check_rate(self.key)
        if self.user is not None:
            return keys.check_rate_bucket(f"api-rate-user:{self.user.pk}", session_rate())
        return keys.check_rate_bucket(f"api-rate-ip:{self.ip}", anonymous_rate())


def raw_key_from(request) -> str | None:
    """The API key sent with the request, if any ('' when a header is present but empty)."""
    header = request.headers.get("X-API-Key")
    if header is not None:
        return header.strip()
    authorization = request.headers.get("Authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    return None


def client_ip(request) -> str:
    """The caller's address for the rate limits: behind LOGIN_TRUSTED_PROXIES reverse
    proxies the address they recorded in X-Forwarded-For, else REMOTE_ADDR (a client can
    write anything into X-Forwarded-For; deploy/nginx/aduan.conf sets it)."""
    from aduan.accounts.forms import client_ip as forwarded_client_ip

    return forwarded_client_ip(request) or "unknown"
