"""One report's page, the reporter's actions on it, tracking by number, and attachments.

The public sees published reports (forwarded, not confidential) and their public events;
the reporter (the account that filed it, or whoever holds its secret link) also sees the
events between them and the staff and may act. Anything else is a 404 that never says
whether the report exists."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aduan.channels.display import conversation, with_messages
from aduan.core.files import stored_file_response
from aduan.federation.dispatch import perform
from aduan.federation.display import PENDING_NOTICE, commands_for
from aduan.federation.messages import Pending
from aduan.regions.models import Region
from aduan.reports import tracking
from aduan.reports.actors import as_actor
from aduan.reports.errors import DomainError, InvalidInput, ValidationFailed
from aduan.reports.models import Attachment, Report, Visibility
from aduan.reports.public import public_location
from aduan.reports.workflow import possible

from .. import display, grants
from ..forms import (
    AcceptForm,
    ContestForm,
    RateForm,
    ReplyChannelForm,
    ReplyForm,
    TextForm,
    TrackForm,
    WithdrawForm,
)
from ..mapassets import map_context

ACTION_FORMS = {
    "information": TextForm,
    "reply": ReplyForm,
    "accept": AcceptForm,
    "contest": ContestForm,
    "rate": RateForm,
    "withdraw": WithdrawForm,
}

# Form name -> the key of display.reporter_actions() that shows it.
FORM_ACTIONS = {
    "information": "add_information",
    "reply": "reply",
    "accept": "accept",
    "contest": "contest",
    "rate": "rate",
    "withdraw": "withdraw",
}


def _detail_url(report) -> str:
    return reverse("portal:report-detail", args=[report.tracking_number])


def _region_names(code: str) -> str:
    """'Sangatta Utara, Kabupaten Kutai Timur, Kalimantan Timur' (one query)."""
    if not code:
        return ""
    parts = code.split(".")
    codes = [".".join(parts[:i]) for i in range(len(parts), 0, -1)]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return ", ".join(names[code] for code in codes if code in names)


@require_GET
def report_detail(request, tracking_number):
    secret = request.GET.get("kunci")
    if secret is not None:
        number = tracking.normalise(tracking_number)
        viewer = grants.reporter_from_secret(request, number, secret) if number else None
        if viewer is None:
            raise Http404("Laporan tidak ditemukan / Report not found")
        grants.remember_secret(request, viewer.report.tracking_number, secret)
        # The secret leaves the address bar (history, shared screenshots, referrers).
        return redirect(_detail_url(viewer.report))
    viewer = grants.viewer_for(request, tracking_number)
    if tracking_number != viewer.report.tracking_number:
        return redirect(_detail_url(viewer.report))
    return _render_detail(request, viewer)


def _render_detail(request, viewer, bound=None, status=200, support_error=""):
    report = viewer.report
    forms = {}
    if viewer.is_reporter:
        forms = {name: form_class(prefix=name) for name, form_class in ACTION_FORMS.items()}
        forms.update(bound or {})
    zone = display.zone_of(report)
    available = display.reporter_actions(report) if viewer.is_reporter else {}
    # A refused action whose form is no longer shown (e.g. a second rating) still says why.
    orphan_errors = [
        error
        for name, form in (bound or {}).items()
        if name in FORM_ACTIONS and not available.get(FORM_ACTIONS[name])
        for errors in form.errors.values()
        for error in errors
    ]
    # The reporter sees where they placed the report; everyone else the public location
    # (an anonymous report only in its regency/city).
    if viewer.is_reporter:
        region_code, address = report.region_id or "", report.address
        latitude, longitude = report.latitude, report.longitude
    else:
        location = public_location(report)
        region_code, address = location.region_code, location.address
        latitude, longitude = location.latitude, location.longitude
    point = None
    if latitude is not None and longitude is not None:
        point = {"latitude": f"{latitude:.6f}", "longitude": f"{longitude:.6f}"}
    timeline, other_files = display.timeline_and_files(report, for_reporter=viewer.is_reporter)
    context = {
        "report": report,
        "is_reporter": viewer.is_reporter,
        # The reporter also reads the messages exchanged on the report's channels (SMS,
        # WhatsApp, e-mail), in their places among the events.
        "timeline": (
            with_messages(timeline, conversation(report), when=lambda entry: entry.when)
            if viewer.is_reporter
            else timeline
        ),
        "other_files": other_files,
        "deadlines": display.deadline_lines(
            report, timezone.now(), for_reporter=viewer.is_reporter
        ),
        # The question an information request waits on, quoted where the reporter answers.
        "question": display.request_question(timeline) if viewer.is_reporter else "",
        "category": display.category_name(report.category),
        "region_names": _region_names(region_code),
        "address": address,
        "handler": display.handler_name(report),
        "submitted_at": display.date_time(report.submitted_at, zone),
        "incident_date": report.incident_date,
        "actions": available,
        "orphan_errors": orphan_errors,
        "forms": forms,
        "open_form": next(iter(bound)) if bound else "",
        "commands": commands_for(report, reporter_only=True) if viewer.is_reporter else [],
        "channel_form": (
            (bound or {}).get("channel")
            or ReplyChannelForm(reporter=report.reporter, report=report, prefix="channel")
            if viewer.is_reporter and _holds_contacts(report)
            else None
        ),
        # The map: the point the reader may see; an anonymous report's is withheld.
        "point": point,
        "point_hidden": point is None and report.latitude is not None,
        **(map_context() if point else {}),
        # "Saya juga mengalami" and the duplicates merged into this report.
        "can_support": not viewer.is_reporter and possible("support", report),
        "support_error": support_error,
        "duplicate_count": Report.objects.filter(duplicate_of=report).count(),
        # A reporter whose report was merged follows the primary (docs/ROUTING.md).
        "merged_into": report.duplicate_of if viewer.is_reporter else None,
    }
    return render(request, "portal/report_detail.html", context, status=status)


def _perform(name: str, report, data: dict, actor, files):
    """The reporter's action, here or as a command to the node that owns the report."""
    if name == "information":
        return perform("add_information", report, data["text"], actor=actor, files=files)
    if name == "reply":
        return perform("reporter_reply", report, data["text"], actor=actor, files=files)
    if name == "accept":
        return perform(
            "accept",
            report,
            actor=actor,
            rating=data.get("rating") or None,
            comment=data.get("comment", ""),
        )
    if name == "contest":
        return perform("contest", report, data["reason"], actor=actor)
    if name == "rate":
        return perform("rate", report, data["rating"], actor=actor, comment=data.get("comment", ""))
    if name == "withdraw":
        return perform("withdraw", report, actor=actor, reason=data.get("reason", ""))
    raise ValueError(name)


def _success_message(name: str) -> str:
    # Spelled out so that makemessages finds each message.
    return {
        "information": _("Informasi tambahan Anda telah dikirim ke petugas."),
        "reply": _("Balasan Anda telah dikirim; laporan kembali diproses instansi."),
        "accept": _("Terima kasih. Laporan ditutup sebagai selesai."),
        "contest": _("Banding Anda telah diajukan; laporan dibuka kembali dan ditinjau ulang."),
        "rate": _("Terima kasih atas penilaian Anda."),
        "withdraw": _("Laporan telah dicabut."),
    }[name]


def _reporter_action(name: str):
    @require_POST
    def view(request, tracking_number):
        viewer = grants.reporter_for(request, tracking_number)
        form = ACTION_FORMS[name](request.POST, prefix=name)
        form.file_errors = []
        status = 400
        if form.is_valid():
            files = request.FILES.getlist(f"{name}-attachments")
            try:
                outcome = _perform(name, viewer.report, form.cleaned_data, viewer.actor, files)
            except ValidationFailed as exc:
                for texts in display.validation_errors(exc.errors).values():
                    for text in texts:
                        form.add_error(None, text)
            except InvalidInput as exc:
                text = display.error_text(exc)
                if exc.field == "attachments":
                    form.file_errors.append(text)
                else:
                    form.add_error(exc.field if exc.field in form.fields else None, text)
            except DomainError as exc:
                form.add_error(None, display.error_text(exc))
                status = exc.status_code
            else:
                if isinstance(outcome, Pending):
                    messages.info(request, PENDING_NOTICE % {"node": outcome.node})
                else:
                    messages.success(request, _success_message(name))
                return redirect(_detail_url(viewer.report) + "#riwayat")
        viewer.report.refresh_from_db()
        return _render_detail(request, viewer, bound={name: form}, status=status)

    view.__name__ = f"report_{name}"
    return view


report_add_information = _reporter_action("information")
report_reply = _reporter_action("reply")
report_accept = _reporter_action("accept")
report_contest = _reporter_action("contest")
report_rate = _reporter_action("rate")
report_withdraw = _reporter_action("withdraw")


def _holds_contacts(report) -> bool:
    """The reporter's contacts, and so their choice of channel, live on the node where the
    report was submitted (docs/FEDERATION.md); another node's page does not offer it."""
    return not report.origin_node or report.origin_node == settings.NODE_ID


@require_POST
def report_reply_channel(request, tracking_number):
    """The reporter chooses the channel they hear about their reports on."""
    viewer = grants.reporter_for(request, tracking_number)
    report = viewer.report
    if not _holds_contacts(report):
        raise Http404("Laporan tidak ditemukan / Report not found")
    reporter = report.reporter
    form = ReplyChannelForm(request.POST, reporter=reporter, report=report, prefix="channel")
    if not form.is_valid():
        return _render_detail(request, viewer, bound={"channel": form}, status=400)
    reporter.reply_channel = form.cleaned_data["channel"]
    reporter.save(update_fields=["reply_channel"])
    messages.success(request, _("Pilihan Anda disimpan: kabar berikutnya dikirim ke sana."))
    return redirect(_detail_url(report) + "#kabar")


@require_GET
def track(request):
    """Find a report by its number. A mistyped number (check digit) is refused as such; a
    report the reader may not see reads exactly like one that does not exist."""
    form = TrackForm(request.GET or None)
    status = 200
    not_found = False
    if form.is_bound and form.is_valid():
        number = tracking.normalise(form.cleaned_data["nomor"])
        if number is None:
            form.add_error(
                "nomor",
                _(
                    "Nomor laporan tidak valid. Periksa setiap angka: nomor berbentuk "
                    "PST-26-0001234-7 dan angka terakhir adalah angka pemeriksa, jadi salah "
                    "ketik satu angka langsung ketahuan."
                ),
            )
            status = 400
        else:
            try:
                viewer = grants.viewer_for(request, number)
            except Http404:
                not_found = True
                status = 404
            else:
                return redirect(_detail_url(viewer.report))
    elif form.is_bound:
        status = 400
    return render(
        request, "portal/track.html", {"form": form, "not_found": not_found}, status=status
    )


@require_GET
def attachment(request, uuid):
    """An attachment, if the reader may see it: published attachments of published
    reports for everyone, attachments shared between the reporter and the staff only for
    the reporter, internal ones never (staff open them in the workspace). Downloads carry
    the generated name, never the one the file had on the sender's device."""
    item = Attachment.objects.select_related("report").filter(uuid=uuid).first()
    if item is None or item.visibility == Visibility.INTERNAL:
        raise Http404("Lampiran tidak ditemukan / Attachment not found")
    report = item.report
    public = item.visibility == Visibility.PUBLIC and report.is_published
    if not public and not _is_reporter(request, report):
        raise Http404("Lampiran tidak ditemukan / Attachment not found")
    # Images were re-encoded on upload and are safe to show inline; documents download.
    response = stored_file_response(
        item.file,
        content_type=item.content_type,
        as_attachment=item.kind != "image",
        filename=item.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.setdefault("Cache-Control", "public, max-age=300" if public else "private, no-store")
    return response


def _is_reporter(request, report) -> bool:
    secret = grants.session_secret(request, report.tracking_number)
    if secret and grants.reporter_from_secret(request, report.tracking_number, secret):
        return True
    if grants.reporter_by_grant(request, report.tracking_number) is not None:
        return True
    user = request.user
    return user.is_authenticated and as_actor(user).is_reporter_of(report)
