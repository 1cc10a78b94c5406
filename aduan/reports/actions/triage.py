"""Triage: verification, disposition to an agency or unit, information requests, archiving,
returns ("bukan wewenang") and re-disposition."""

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy

from aduan.accounts.models import Role
from aduan.agencies.models import Agency
from aduan.notifications.service import notify_reporter, notify_staff

from .. import deadlines
from ..actors import as_actor
from ..errors import InvalidInput, NotAllowed
from ..events import append_event
from ..models import ArchiveReason, EventType, Report, ReportType, Status, Visibility
from ..workflow import check_condition
from .assignment import clear_assignee
from .base import (
    FileGuard,
    _begin,
    _handler_audiences,
    _lock,
    _move,
    _notify_status,
    _now,
    _save,
    _store_files,
    hand_off_if_needed,
    require_owner,
)
from .validation import (
    _check_target,
    _clean_text,
    _process_files,
    _resolve_category,
    _resolve_region,
    clean_title,
)

# ---------------------------------------------------------------------------- verification


def _apply_edits(report: Report, edits: dict) -> tuple[dict, list[str]]:
    """Apply a verifier's corrections; return the change set and the changed fields."""
    changes: dict[str, list] = {}
    fields: list[str] = []
    if "title" in edits and edits["title"] is not None:
        title, problem = clean_title(edits["title"])
        if problem is not None:
            raise InvalidInput(problem, field="title")
        if title != report.title:
            changes["title"] = [report.title, title]
            report.title = title
            fields.append("title")
    if "category" in edits and edits["category"] not in (None, ""):
        category = _resolve_category(edits["category"])
        if category is None:
            raise InvalidInput(gettext_lazy("Kategori tidak dikenal."), field="category")
        if category.pk != report.category_id:
            changes["category"] = [
                report.category.slug if report.category_id else None,
                category.slug,
            ]
            report.category = category
            fields.append("category")
    if "region" in edits and edits["region"] not in (None, ""):
        region = _resolve_region(edits["region"])
        if region is None:
            raise InvalidInput(gettext_lazy("Kode wilayah tidak dikenal."), field="region")
        if region.code != report.region_id:
            changes["region"] = [report.region_id, region.code]
            report.region = region
            report.province_code = region.code[:2]
            report.regency_code = region.code[:5] if region.level >= 2 else ""
            fields += ["region", "province_code", "regency_code"]
    if "report_type" in edits and edits["report_type"] not in (None, ""):
        if edits["report_type"] not in ReportType.values:
            raise InvalidInput(gettext_lazy("Jenis laporan tidak dikenal."), field="report_type")
        if edits["report_type"] != report.report_type:
            changes["report_type"] = [report.report_type, edits["report_type"]]
            report.report_type = edits["report_type"]
            fields.append("report_type")
    if "is_confidential" in edits and edits["is_confidential"] is not None:
        value = bool(edits["is_confidential"])
        if value != report.is_confidential:
            changes["is_confidential"] = [report.is_confidential, value]
            report.is_confidential = value
            fields.append("is_confidential")
    return changes, fields


@transaction.atomic
def verify_report(report: Report, *, actor, **edits) -> Report:
    """Correct the title, category, region or type of a submitted report and mark it
    verified, without disposing it yet."""
    actor = as_actor(actor)
    now = _now()
    report, _ = _begin(report, "verify", actor)
    changes, fields = _apply_edits(report, edits)
    report.verified_at = report.verified_at or now
    append_event(
        report,
        EventType.VERIFIED,
        actor=actor,
        at=now,
        visibility=Visibility.INTERNAL,
        payload={"changes": changes},
    )
    _save(report, now, "verified_at", *fields)
    return report


@transaction.atomic
def dispose_report(
    report: Report,
    agency: Agency | None,
    *,
    actor,
    unit: Agency | None = None,
    note: str = "",
    needs_inspection: bool | None = None,
    **edits,
) -> Report:
    """Verify a submitted report (with optional corrections) and forward it to the
    responsible agency, optionally straight to one of its units. Starts the first-response
    and completion clocks."""
    actor = as_actor(actor)
    now = _now()
    report, target = _begin(report, "dispose", actor)
    agency, unit = _check_target(agency, unit)
    if actor.role == Role.AGENCY_ADMIN and agency.pk != actor.agency_id:
        # Delegated verification lets a regional admin keep reports, not send them away.
        raise InvalidInput(
            gettext_lazy("Admin instansi hanya dapat mendisposisikan ke instansinya sendiri."),
            field="agency",
        )
    note = _clean_text(note, "note", required=False)
    changes, fields = _apply_edits(report, edits)
    before, after = _move(report, target)
    report.agency, report.unit = agency, unit
    report.returned_to = ""
    if needs_inspection is not None:
        report.needs_inspection = bool(needs_inspection)
    report.verified_at = report.verified_at or now
    report.dispositioned_at = now
    deadlines.on_dispositioned(report, now)
    if changes:
        append_event(
            report,
            EventType.VERIFIED,
            actor=actor,
            at=now,
            visibility=Visibility.INTERNAL,
            payload={"changes": changes},
        )
    append_event(
        report,
        EventType.DISPOSITIONED,
        actor=actor,
        at=now,
        from_status=before,
        to_status=after,
        payload={
            "agency": str(agency.uuid),
            "agency_name": agency.name,
            "unit": str(unit.uuid) if unit else None,
            "unit_name": unit.name if unit else None,
        },
    )
    if note:
        append_event(
            report,
            EventType.INTERNAL_NOTE,
            actor=actor,
            at=now,
            visibility=Visibility.INTERNAL,
            payload={"text": note},
        )
    handed = hand_off_if_needed(report, now, actor)
    _save(
        report,
        now,
        *handed,
        *fields,
        "status",
        "agency",
        "unit",
        "returned_to",
        "needs_inspection",
        "verified_at",
        "dispositioned_at",
        "first_response_due_at",
        "completion_due_at",
    )
    _notify_status(report, agency_name=agency.name)
    notify_staff(report, ("unit",) if unit else ("agency",), "new_disposition")
    return report


@transaction.atomic
def put_on_hold(report: Report, question: str, *, actor) -> Report:
    """Ask the reporter for more information. The report waits and its clocks pause."""
    actor = as_actor(actor)
    now = _now()
    report, target = _begin(report, "put_on_hold", actor)
    question = _clean_text(question, "question")
    before, after = _move(report, target)
    report.status_before_hold = before
    deadlines.pause(report, now)
    append_event(
        report,
        EventType.PUT_ON_HOLD,
        actor=actor,
        at=now,
        visibility=Visibility.PARTIES,
        from_status=before,
        to_status=after,
        payload={"question": question},
    )
    _save(report, now, "status", "status_before_hold", "paused_at")
    notify_reporter(report, "information_requested", extra={"question": question})
    return report


@transaction.atomic
def add_information(report: Report, text: str, *, actor, files: Sequence = ()) -> Report:
    """The reporter adds information; a report waiting on them resumes where it was and
    its deadlines move by the working days it waited."""
    actor = as_actor(actor)
    now = _now()
    report, _ = _begin(report, "add_information", actor)
    text = _clean_text(text, "text")
    with FileGuard() as guard:
        processed = _process_files(files, existing=report.attachments.count())
        before = report.status
        shift = 0
        if before == Status.ON_HOLD:
            report.status = report.status_before_hold or Status.SUBMITTED
            report.status_before_hold = ""
            shift = deadlines.resume(report, now)
        event = append_event(
            report,
            EventType.INFORMATION_ADDED,
            actor=actor,
            at=now,
            visibility=Visibility.PARTIES,
            from_status=before,
            to_status=report.status,
            payload={"text": text, "deadline_shift_working_days": shift},
        )
        _store_files(
            report,
            processed,
            guard,
            event=event,
            visibility=Visibility.PARTIES,
            by_reporter=True,
        )
        _save(
            report,
            now,
            "status",
            "status_before_hold",
            "paused_at",
            *deadlines.DEADLINE_FIELDS,
        )
        notify_staff(report, _handler_audiences(report), "reporter_added_information")
        return report


@transaction.atomic
def archive_report(
    report: Report,
    reason: str,
    *,
    actor,
    duplicate_of: Report | None = None,
    note: str = "",
) -> Report:
    """Close a report without follow-up, with a reason code. A duplicate is linked to its
    original (the root of any duplicate chain), never lost."""
    actor = as_actor(actor)
    now = _now()
    report, target = _begin(report, "archive", actor)
    # Once disposed a report must be handled (or returned), never dropped.
    check_condition("archive", report)
    if reason not in ArchiveReason.values:
        raise InvalidInput(gettext_lazy("Alasan arsip tidak dikenal."), field="reason")
    note = _clean_text(note, "note", required=False)
    if reason == ArchiveReason.DUPLICATE:
        if duplicate_of is None:
            raise InvalidInput(
                gettext_lazy("Sebutkan laporan asli untuk duplikat."), field="duplicate_of"
            )
        original = duplicate_of
        while original.duplicate_of_id is not None:
            original = original.duplicate_of
        if original.pk == report.pk:
            raise InvalidInput(
                gettext_lazy("Laporan tidak dapat menjadi duplikat dirinya sendiri."),
                field="duplicate_of",
            )
        report.duplicate_of = original
    elif duplicate_of is not None:
        raise InvalidInput(
            gettext_lazy("Laporan asli hanya untuk alasan duplikat."), field="duplicate_of"
        )
    before, after = _move(report, target)
    report.archive_reason = reason
    report.closed_at = now
    report.paused_at = None
    report.status_before_hold = ""
    append_event(
        report,
        EventType.ARCHIVED,
        actor=actor,
        at=now,
        visibility=Visibility.PARTIES,
        from_status=before,
        to_status=after,
        payload={
            "reason": reason,
            "duplicate_of": report.duplicate_of.tracking_number if report.duplicate_of_id else None,
            "note": note,
        },
    )
    _save(
        report,
        now,
        "status",
        "archive_reason",
        "duplicate_of",
        "closed_at",
        "paused_at",
        "status_before_hold",
    )
    _notify_status(
        report,
        reason=str(ArchiveReason(reason).label),
        duplicate_of=report.duplicate_of.tracking_number if report.duplicate_of_id else "",
    )
    return report


@transaction.atomic
def unmerge_report(report: Report, *, actor, note: str = "") -> Report:
    """Undo a merge: a report archived as a duplicate goes back to verification, with a
    new verification deadline, and its reporter is told (docs/ROUTING.md)."""
    actor = as_actor(actor)
    now = _now()
    report, target = _begin(report, "unmerge", actor)
    check_condition("unmerge", report)
    note = _clean_text(note, "note", required=False)
    primary = report.duplicate_of.tracking_number
    before, after = _move(report, target)
    report.archive_reason = ""
    report.duplicate_of = None
    report.closed_at = None
    deadlines.on_submitted(report, now)
    append_event(
        report,
        EventType.UNMERGED,
        actor=actor,
        at=now,
        visibility=Visibility.PARTIES,
        from_status=before,
        to_status=after,
        payload={"duplicate_of": primary, "note": note},
    )
    _save(report, now, "status", "archive_reason", "duplicate_of", "closed_at", "verify_due_at")
    _notify_status(report)
    return report


# ---------------------------------------------------------------------------- disposition


@transaction.atomic
def forward_to_unit(report: Report, unit: Agency, *, actor, note: str = "") -> Report:
    """The agency admin passes a disposed report to one of its units (OPD)."""
    actor = as_actor(actor)
    now = _now()
    report, _ = _begin(report, "forward_to_unit", actor)
    _, unit = _check_target(report.agency, unit)
    if unit is None:
        raise InvalidInput(gettext_lazy("Pilih unit kerja."), field="unit")
    note = _clean_text(note, "note", required=False)
    previous = report.unit
    cleared = clear_assignee(report, now, actor) if unit.pk != report.unit_id else []
    report.unit = unit
    append_event(
        report,
        EventType.FORWARDED,
        actor=actor,
        at=now,
        from_status=report.status,
        to_status=report.status,
        payload={
            "unit": str(unit.uuid),
            "unit_name": unit.name,
            "previous_unit": str(previous.uuid) if previous else None,
        },
    )
    if note:
        append_event(
            report,
            EventType.INTERNAL_NOTE,
            actor=actor,
            at=now,
            visibility=Visibility.INTERNAL,
            payload={"text": note},
        )
    _save(report, now, "unit", *cleared)
    notify_staff(report, ("unit",), "new_disposition")
    return report


@transaction.atomic
def return_not_authority(report: Report, reason: str, *, actor) -> Report:
    """The receiver says the report is not theirs. A unit returns it to its agency admin;
    an agency returns it to the national admins. Either must re-dispose it."""
    actor = as_actor(actor)
    now = _now()
    report, target = _begin(report, "return_not_authority", actor)
    reason = _clean_text(reason, "reason")
    before, after = _move(report, target)
    from_unit = report.unit
    # A unit hands the report back to its agency admin; an agency to the national admins.
    if actor.role == Role.UNIT_OFFICER:
        report.returned_to, audience = "agency", ("agency",)
    else:
        report.returned_to, audience = "national", ("national",)
    cleared = clear_assignee(report, now, actor)
    report.unit = None
    append_event(
        report,
        EventType.RETURNED,
        actor=actor,
        at=now,
        from_status=before,
        to_status=after,
        payload={
            "reason": reason,
            "returned_to": report.returned_to,
            "from": (from_unit or report.agency).name if (from_unit or report.agency) else None,
        },
    )
    handed = hand_off_if_needed(report, now, actor)
    _save(report, now, *handed, *cleared, "status", "returned_to", "unit")
    notify_staff(report, audience, "report_returned", extra={"reason": reason})
    _notify_status(report)
    return report


@transaction.atomic
def redispose_report(
    report: Report,
    agency: Agency | None,
    *,
    actor,
    unit: Agency | None = None,
    note: str = "",
) -> Report:
    """Send a returned report on again. The national admin may choose any agency (the
    clocks restart for the new agency); an agency admin chooses another of its units."""
    actor = as_actor(actor)
    now = _now()
    report, target = _begin(report, "redispose", actor)
    if report.returned_to == "agency":
        agency = report.agency
        if unit is None:
            raise InvalidInput(gettext_lazy("Pilih unit kerja."), field="unit")
    agency, unit = _check_target(agency, unit)
    note = _clean_text(note, "note", required=False)
    before, after = _move(report, target)
    agency_changed = agency.pk != report.agency_id
    # A return already cleared it; kept for any other way a report could reach here.
    cleared = clear_assignee(report, now, actor) if report.unit_id != (unit and unit.pk) else []
    report.agency, report.unit = agency, unit
    report.returned_to = ""
    if agency_changed:
        report.dispositioned_at = now
        deadlines.on_dispositioned(report, now)
    append_event(
        report,
        EventType.REDISPOSITIONED,
        actor=actor,
        at=now,
        from_status=before,
        to_status=after,
        payload={
            "agency": str(agency.uuid),
            "agency_name": agency.name,
            "unit": str(unit.uuid) if unit else None,
            "unit_name": unit.name if unit else None,
            "note": note,
        },
    )
    handed = hand_off_if_needed(report, now, actor)
    _save(
        report,
        now,
        *handed,
        *cleared,
        "status",
        "agency",
        "unit",
        "returned_to",
        "dispositioned_at",
        "first_response_due_at",
        "completion_due_at",
    )
    notify_staff(report, ("unit",) if unit else ("agency",), "new_disposition")
    _notify_status(report, agency_name=agency.name)
    return report


@transaction.atomic
def hand_over_report(report: Report, node: str, *, actor) -> Report:
    """Pass a report to the node that now works for its agency, when a government starts
    running its own node (`manage.py host_agency`). Nothing else about the report
    changes; the handoff is the last event this node appends to it."""
    actor = as_actor(actor)
    now = _now()
    report = _lock(report)
    require_owner(report)
    if not (actor.system or (actor.user is not None and actor.user.role == Role.NATIONAL_ADMIN)):
        raise NotAllowed("hand_over")
    if node == report.owner_node:
        return report
    append_event(
        report,
        EventType.HANDED_OVER,
        actor=actor,
        at=now,
        visibility=Visibility.INTERNAL,
        payload={"from_node": report.owner_node, "to_node": node},
    )
    report.owner_node = node
    _save(report, now, "owner_node")
    return report
