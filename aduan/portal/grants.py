"""Who is looking at a report on the citizens' pages.

A reporter is either the logged-in account that filed the report, or a guest who opened
the secret link from their e-mail/SMS (`/lacak/<number>/?kunci=<secret>`). The secret is
then kept in the session for that report, encrypted with the personal-data key (a copy of
the session table alone opens nothing), and checked again with
`access.reporter_actor_from_secret` on every request, so a report whose link was
replaced stops opening at once.

A guest may also prove, with a code, the e-mail address or phone number they reported
with ("Laporan saya" without an account). The session then holds a short-lived grant
(`CONTACT_GRANT_LIFETIME` from the moment the code was typed) that opens, as their
reporter, the reports filed without an account with that contact on this node."""

import datetime as dt
from dataclasses import dataclass

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from aduan.accounts.crypto import decrypt, encrypt, lookup_hash
from aduan.accounts.models import Reporter, normalise_phone
from aduan.notifications.models import NotificationChannel
from aduan.reports import tracking
from aduan.reports.access import get_report_for, reporter_actor_from_secret
from aduan.reports.actors import Actor, as_actor
from aduan.reports.models import Report

from . import verification
from .models import ContactVerification, Purpose

SESSION_KEY = "portal_report_keys"
# A session remembers the links of this many reports (the most recent ones).
MAX_KEYS = 20
CONTACT_GRANT_KEY = "portal_contact_grant"
CONTACT_GRANT_LIFETIME = dt.timedelta(minutes=30)


def remember_secret(request, tracking_number: str, secret: str) -> None:
    keys = dict(request.session.get(SESSION_KEY, {}))
    keys.pop(tracking_number, None)
    keys[tracking_number] = encrypt(secret)
    while len(keys) > MAX_KEYS:
        keys.pop(next(iter(keys)))
    request.session[SESSION_KEY] = keys


def forget_secret(request, tracking_number: str) -> None:
    keys = dict(request.session.get(SESSION_KEY, {}))
    if keys.pop(tracking_number, None) is not None:
        request.session[SESSION_KEY] = keys


def session_secret(request, tracking_number: str) -> str:
    token = request.session.get(SESSION_KEY, {}).get(tracking_number)
    if not token:
        return ""
    try:
        return decrypt(token)
    except (InvalidToken, ValueError):
        return ""


def _user(request):
    user = request.user
    return user if user.is_authenticated else None


@dataclass
class Viewer:
    report: Report
    actor: Actor
    is_reporter: bool


def reporter_from_secret(request, number: str, secret: str) -> Viewer | None:
    try:
        report, actor = reporter_actor_from_secret(number, secret)
    except Http404:
        return None
    return Viewer(report, actor, True)


def grant_contact(request, record: ContactVerification) -> None:
    request.session[CONTACT_GRANT_KEY] = str(record.uuid)


def end_contact_grant(request) -> None:
    request.session.pop(CONTACT_GRANT_KEY, None)


def granted_contact(request) -> ContactVerification | None:
    """The contact this session proved for "my reports", while the grant lasts."""
    key = request.session.get(CONTACT_GRANT_KEY)
    if not key:
        return None
    return verification.verified_contact(
        key, purpose=Purpose.MY_REPORTS, valid_for=CONTACT_GRANT_LIFETIME
    )


def contact_reports(record: ContactVerification) -> QuerySet[Report]:
    """The reports filed without an account with the contact `record` proved, on the node
    that holds their reporters' contacts (by the indexed keyed hashes, no decryption).
    Account holders' reports are not among them: they see theirs by signing in."""
    if record.channel == NotificationChannel.EMAIL:
        reporters = Reporter.objects.filter(email_lookup=lookup_hash(record.address))
    else:
        reporters = Reporter.objects.filter(
            phone_lookup=lookup_hash(normalise_phone(record.address))
        )
    return Report.objects.filter(
        reporter_id__in=reporters.filter(user__isnull=True).values("pk"),
        origin_node=settings.NODE_ID,
    )


def reporter_by_grant(request, number: str) -> Viewer | None:
    record = granted_contact(request)
    if record is None:
        return None
    report = contact_reports(record).filter(tracking_number=number).first()
    if report is None:
        return None
    return Viewer(report, Actor(reporter_id=report.reporter_id), True)


def viewer_for(request, raw_number: str) -> Viewer:
    """The report and who is reading it; Http404 when the reader may not see it (never
    saying whether it exists)."""
    number = tracking.normalise(raw_number)
    if number is None:
        raise Http404("Laporan tidak ditemukan / Report not found")
    secret = session_secret(request, number)
    if secret:
        viewer = reporter_from_secret(request, number, secret)
        if viewer is not None:
            return viewer
        forget_secret(request, number)
    viewer = reporter_by_grant(request, number)
    if viewer is not None:
        return viewer
    user = _user(request)
    report = get_report_for(user, number)
    actor = as_actor(user)
    return Viewer(report, actor, actor.is_reporter_of(report))


def reporter_for(request, raw_number: str) -> Viewer:
    """Like viewer_for, but only the report's reporter gets through (Http404 otherwise):
    the reporter's forms are nobody else's business."""
    viewer = viewer_for(request, raw_number)
    if not viewer.is_reporter:
        raise Http404("Laporan tidak ditemukan / Report not found")
    return viewer
