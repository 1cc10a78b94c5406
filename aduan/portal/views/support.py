"""Similar reports before submitting, and "Saya juga mengalami" (I have this problem too).

Before a new report is filed, the citizen sees the published reports still being handled
that are about the same thing in the same place (aduan/reports/similar.py) and may
support one instead of filing it again, or go on. Without JavaScript the report form's
POST shows them once, on a page of their own that keeps everything typed; with
JavaScript the form shows them as the category and the place are chosen
(`similar_fragment`), and the POST skips the page when it would show nothing new.

A support counts one verified contact once per report (`actions.support_report`): a
guest who verified a contact for their report supports at once; anyone else first gets a
6-digit code, the same one a guest's report needs, and the support is made once the code
is right. The contact reaches the domain only as a keyed hash.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aduan.accounts.crypto import lookup_hash
from aduan.accounts.models import normalise_phone
from aduan.federation.dispatch import perform
from aduan.federation.display import PENDING_NOTICE
from aduan.federation.messages import Pending
from aduan.notifications.models import NotificationChannel
from aduan.reports import similar, tracking
from aduan.reports.access import find_report, public_reports
from aduan.reports.actions import AlreadySupported, supporter_key, validate_submission
from aduan.reports.actors import PUBLIC, as_actor
from aduan.reports.errors import DomainError, ValidationFailed
from aduan.reports.models import Report

from .. import display, grants, verification
from ..forms import ContactForm

# A support waiting for its contact's code: {"verification": uuid, "report": number}.
SUPPORT_KEY = "portal_support_pending"
# The similar reports the citizen has already been shown, sent back with the form.
SEEN_FIELD = "serupa_dilihat"
# Fields of the report form that the "similar reports" page does not carry over.
NOT_CARRIED = {"csrfmiddlewaretoken", "aksi", SEEN_FIELD}


def _detail_url(report: Report, anchor: str = "#dukungan") -> str:
    return reverse("portal:report-detail", args=[report.tracking_number]) + anchor


def _public_report(tracking_number: str) -> Report:
    number = tracking.normalise(tracking_number)
    report = find_report(number, public_reports()) if number else None
    if report is None:
        raise Http404("Laporan tidak ditemukan / Report not found")
    return report


# ------------------------------------------------------------------------------ similar reports


def rows(reports: list[Report]) -> list[dict]:
    """What the citizen reads of each similar report: only public output (the public
    location rule places an anonymous report in its regency/city)."""
    return [
        {
            "report": report,
            "category": display.category_name(report.category),
            "region": display.region_name(report, public=True),
        }
        for report in reports
    ]


def _place(data, region_code: str):
    return similar.place_from_input(
        category=data.get("category", ""),
        region_code=region_code,
        latitude=data.get("latitude", ""),
        longitude=data.get("longitude", ""),
        at=timezone.now(),
    )


def interstitial(request, form, *, files_chosen: bool, kept=(), kept_field: str = ""):
    """The "similar reports" page for a valid report, or None to file the report.

    Shown once: the numbers shown travel back with the form (SEEN_FIELD), and the page
    comes again only if other reports turned up (say the place was changed). Everything
    typed is carried in hidden fields. A browser cannot carry files: where the form keeps
    checked files on the server, pass them as `kept` (objects with `uuid` and
    `display_name`) and the name of their form field, and they travel as hidden values;
    otherwise `files_chosen` asks for them to be chosen again on this page."""
    try:
        clean, _files = validate_submission(form.submission_data())
    except ValidationFailed:
        # The report is not valid yet: its errors come first (from submit_report, which
        # also checks the files and the reporter).
        return None
    place = similar.Place(
        category_id=clean["category"].pk if clean["category"] is not None else None,
        region_code=clean["region"].code if clean["region"] is not None else "",
        latitude=clean["latitude"],
        longitude=clean["longitude"],
        at=timezone.now(),
    )
    found = similar.similar_for_citizen(place)
    if not found:
        return None
    seen = set(request.POST.get(SEEN_FIELD, "").split())
    numbers = [report.tracking_number for report in found]
    if set(numbers) <= seen:
        return None
    carried = [
        (name, value)
        for name in request.POST
        if name not in NOT_CARRIED and name != kept_field
        for value in request.POST.getlist(name)
    ]
    carried += [(kept_field, str(item.uuid)) for item in kept]
    context = {
        "rows": rows(found),
        "carried": carried,
        "seen": " ".join(sorted(seen | set(numbers))),
        "files_chosen": files_chosen and not kept,
        "kept": kept,
    }
    return render(request, "portal/report_similar.html", context)


@require_GET
def similar_fragment(request):
    """The similar reports for the form's JavaScript, as an HTML fragment (public data
    only, like the public list)."""
    from ..choices import resolve_chain

    chain = resolve_chain(
        {
            level: request.GET.get(level, "")
            for level in ("province", "regency", "district", "village")
        }
    )
    found = similar.similar_for_citizen(_place(request.GET, chain.deepest))
    response = render(
        request,
        "portal/includes/similar_live.html",
        {"rows": rows(found), "seen": " ".join(r.tracking_number for r in found)},
    )
    response["Cache-Control"] = "private, max-age=60"
    return response


# ------------------------------------------------------------------------------ support


def _own_report(request, report: Report, contact) -> bool:
    """Whether the person supporting is the report's own reporter: the account that filed
    it, the holder of its secret link, or the contact it was filed with."""
    user = request.user
    if user.is_authenticated and as_actor(user).is_reporter_of(report):
        return True
    secret = grants.session_secret(request, report.tracking_number)
    if secret and grants.reporter_from_secret(request, report.tracking_number, secret):
        return True
    if contact is None:
        return False
    reporter = report.reporter
    if contact.channel == NotificationChannel.SMS:
        return bool(reporter.phone_lookup) and reporter.phone_lookup == lookup_hash(
            normalise_phone(contact.address)
        )
    return bool(reporter.email_lookup) and reporter.email_lookup == lookup_hash(contact.address)


def _refused(request, report: Report, text: str, status: int):
    from .reports import _render_detail

    viewer = grants.viewer_for(request, report.tracking_number)
    return _render_detail(request, viewer, status=status, support_error=text)


def _support(request, report: Report, contact):
    if _own_report(request, report, contact):
        return _refused(
            request, report, _("Ini laporan Anda sendiri; laporan Anda sudah tercatat."), 409
        )
    key = supporter_key(report, contact.address)
    try:
        outcome = perform("support", report, key, actor=PUBLIC)
    except AlreadySupported as exc:
        return _refused(request, report, display.error_text(exc), exc.status_code)
    except DomainError as exc:
        return _refused(request, report, display.error_text(exc), exc.status_code)
    if isinstance(outcome, Pending):
        messages.info(request, PENDING_NOTICE % {"node": outcome.node})
    else:
        count = outcome.support_count
        messages.success(
            request,
            ngettext(
                "Terima kasih. Dukungan Anda tercatat: %(count)s orang mengalami masalah ini.",
                "Terima kasih. Dukungan Anda tercatat: %(count)s orang mengalami masalah ini.",
                count,
            )
            % {"count": count},
        )
    return redirect(_detail_url(report))


@require_POST
def report_support(request, tracking_number):
    """ "Saya juga mengalami" on a published report."""
    from .submit import CONTACT_KEY

    report = _public_report(tracking_number)
    contact = verification.verified_contact(request.session.get(CONTACT_KEY))
    if contact is None:
        if _own_report(request, report, None):
            return _refused(
                request, report, _("Ini laporan Anda sendiri; laporan Anda sudah tercatat."), 409
            )
        return redirect("portal:report-support-contact", tracking_number=report.tracking_number)
    return _support(request, report, contact)


@require_http_methods(["GET", "POST"])
def support_contact(request, tracking_number):
    """Prove a contact to support a report: the same 6-digit code as a guest's report."""
    from .submit import PENDING_KEY

    report = _public_report(tracking_number)
    form = ContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                record = verification.start_verification(
                    form.contact(), name=form.cleaned_data["name"]
                )
            except verification.VerificationError as exc:
                form.add_error(None, display.error_text(exc))
                status = 429
            else:
                request.session[PENDING_KEY] = str(record.uuid)
                request.session[SUPPORT_KEY] = {
                    "verification": str(record.uuid),
                    "report": report.tracking_number,
                }
                return redirect("portal:contact-verify")
    context = {"report": report, "form": form}
    return render(request, "portal/support_contact.html", context, status=status)


def after_contact_verified(request, record):
    """Called once a code is right: make the support the code was asked for, if any."""
    pending = request.session.pop(SUPPORT_KEY, None)
    if not isinstance(pending, dict) or pending.get("verification") != str(record.uuid):
        return None
    number = tracking.normalise(pending.get("report", ""))
    report = find_report(number, public_reports()) if number else None
    if report is None:
        return None
    return _support(request, report, record)
