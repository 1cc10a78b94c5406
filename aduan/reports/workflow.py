"""The report state machine (docs/DESIGN.md, Lifecycle) as one table, checked in one place.

Each action lists the statuses it may start from and the status it leads to (None means
the status does not change, e.g. an internal note). Domain actions call
`check_transition()` under the report's row lock; nothing else assigns `Report.status`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import deadlines
from .errors import DomainError, InvalidInput, InvalidTransition
from .models import OPEN_STATUSES, ReportType, Status

S = Status

# Where deadlines run and the worker reminds, flags and escalates. A responded report's
# only clock is the reporter's reply window, which closes the report instead.
DEADLINE_STATUSES = (S.SUBMITTED, S.DISPOSITIONED, S.RETURNED, S.IN_PROGRESS)
# Where a report is with a unit and one of its officers may work on it (on hold only
# after disposition: see `_with_a_unit`).
ASSIGNABLE_STATUSES = (S.DISPOSITIONED, S.ON_HOLD, S.IN_PROGRESS, S.RESPONDED)


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str | None


TRANSITIONS: dict[str, Transition] = {
    "verify": Transition((S.SUBMITTED,), None),
    "dispose": Transition((S.SUBMITTED,), S.DISPOSITIONED),
    "put_on_hold": Transition((S.SUBMITTED, S.DISPOSITIONED, S.IN_PROGRESS), S.ON_HOLD),
    # The reporter's answer resumes the status the report had before the hold.
    "add_information": Transition(OPEN_STATUSES, None),
    "archive": Transition((S.SUBMITTED, S.ON_HOLD), S.ARCHIVED),
    "forward_to_unit": Transition((S.DISPOSITIONED,), S.DISPOSITIONED),
    "return_not_authority": Transition((S.DISPOSITIONED, S.IN_PROGRESS), S.RETURNED),
    "redispose": Transition((S.RETURNED,), S.DISPOSITIONED),
    "acknowledge": Transition((S.DISPOSITIONED,), S.IN_PROGRESS),
    "post_follow_up": Transition((S.DISPOSITIONED, S.IN_PROGRESS), S.RESPONDED),
    # An interim update to the reporter: it neither changes the status nor starts the
    # reporter's reply window, which only the answer (`post_follow_up`) does.
    "post_progress_update": Transition((S.DISPOSITIONED, S.IN_PROGRESS), None),
    # Who in the unit works on the report; the status does not change.
    "take_report": Transition(ASSIGNABLE_STATUSES, None),
    "assign_report": Transition(ASSIGNABLE_STATUSES, None),
    "release_report": Transition(ASSIGNABLE_STATUSES, None),
    "add_internal_note": Transition(OPEN_STATUSES, None),
    "set_needs_inspection": Transition(OPEN_STATUSES, None),
    "reporter_reply": Transition((S.RESPONDED,), S.IN_PROGRESS),
    "accept": Transition((S.RESPONDED,), S.CLOSED),
    "contest": Transition((S.RESPONDED, S.CLOSED), S.IN_PROGRESS),
    "rate": Transition((S.CLOSED,), None),
    "withdraw": Transition(OPEN_STATUSES, S.WITHDRAWN),
    "close": Transition((S.IN_PROGRESS, S.RESPONDED), S.CLOSED),
    "auto_close": Transition((S.RESPONDED,), S.CLOSED),
    # The deadline watch (overdue is a flag, not a state).
    "remind": Transition(DEADLINE_STATUSES, None),
    "mark_overdue": Transition(DEADLINE_STATUSES, None),
    "escalate": Transition(DEADLINE_STATUSES, None),
    # Not for archived or withdrawn reports, which never become public; withdrawing a
    # published file is always possible.
    "publish_attachment": Transition(
        (*OPEN_STATUSES, S.CLOSED),
        None,
    ),
    "unpublish_attachment": Transition(tuple(S.values), None),
    # "Saya juga mengalami": on a published report that is still being handled (a closed
    # problem is filed again, not supported); the condition keeps it to public reports.
    "support": Transition(
        (S.ON_HOLD, S.DISPOSITIONED, S.RETURNED, S.IN_PROGRESS, S.RESPONDED), None
    ),
    # Undo a merge: a report archived as a duplicate goes back to verification
    # (docs/ROUTING.md, Duplicate clusters and campaigns).
    "unmerge": Transition((S.ARCHIVED,), S.SUBMITTED),
}

ACTION_LABELS = {
    "verify": _("verifikasi"),
    "dispose": _("disposisi"),
    "put_on_hold": _("minta informasi"),
    "add_information": _("tambah informasi"),
    "archive": _("arsipkan"),
    "forward_to_unit": _("teruskan ke unit"),
    "return_not_authority": _("kembalikan (bukan wewenang)"),
    "redispose": _("disposisi ulang"),
    "acknowledge": _("terima untuk diproses"),
    "post_follow_up": _("tindak lanjut"),
    "post_progress_update": _("perkembangan penanganan"),
    "take_report": _("ambil laporan"),
    "assign_report": _("tugaskan kepada petugas"),
    "release_report": _("lepaskan penugasan"),
    "add_internal_note": _("catatan internal"),
    "set_needs_inspection": _("tandai perlu pemeriksaan/audit"),
    "reporter_reply": _("balas tanggapan"),
    "accept": _("terima tanggapan"),
    "contest": _("ajukan banding"),
    "rate": _("beri penilaian"),
    "withdraw": _("cabut laporan"),
    "close": _("tutup"),
    "auto_close": _("tutup otomatis"),
    "remind": _("ingatkan tenggat"),
    "mark_overdue": _("tandai melewati tenggat"),
    "escalate": _("eskalasi"),
    "publish_attachment": _("publikasikan lampiran"),
    "unpublish_attachment": _("batalkan publikasi lampiran"),
    "support": _("dukung laporan"),
    "unmerge": _("batalkan penggabungan duplikat"),
}


def can_transition(action: str, status: str) -> bool:
    return status in TRANSITIONS[action].sources


def check_transition(action: str, status: str) -> str | None:
    """Return the target status of `action` from `status`, or raise InvalidTransition."""
    transition = TRANSITIONS[action]
    if status not in transition.sources:
        raise InvalidTransition(action, status)
    return transition.target


# ---------------------------------------------------------------------------- conditions
# Some actions depend on more than the status. Each condition is checked by its domain
# action under the row lock and by `possible()`, so the pages, the API and the bulk panel
# offer exactly what the action will accept.


def _archivable(report) -> bool:
    # Only a report still awaiting verification may be archived; once disposed it must be
    # handled (or returned), never dropped, also while it waits on its reporter.
    return report.status != S.ON_HOLD or report.status_before_hold in ("", S.SUBMITTED)


def _is_complaint(report) -> bool:
    # The 60-working-day limit exists for complaints only (aspirations and information
    # requests have 5 whatever they need).
    return report.report_type == ReportType.COMPLAINT


def _appeal_open(report) -> bool:
    """One appeal, within 10 working days of closing when the report is closed."""
    if report.appeal_used:
        return False
    if report.status == S.CLOSED and report.closed_at:
        end = deadlines._add(report, report.closed_at, deadlines.REPLY_WINDOW_WD)
        return timezone.now() <= end
    return True


def _unrated(report) -> bool:
    return report.rating is None


def _published(report) -> bool:
    # Only what the public can read can be supported: not confidential, and on hold only
    # after disposition.
    return report.is_published


def _with_a_unit(report) -> bool:
    # Assignment is inside a unit: a report the agency handles itself has no officers to
    # assign (and one on hold before disposition has no unit yet).
    return report.unit_id is not None


def _unassigned_with_a_unit(report) -> bool:
    return _with_a_unit(report) and report.assignee_id is None


def _assigned(report) -> bool:
    return report.assignee_id is not None


def _merged_duplicate(report) -> bool:
    return report.archive_reason == "duplicate" and report.duplicate_of_id is not None


CONDITIONS: dict[str, Callable] = {
    "unmerge": _merged_duplicate,
    "archive": _archivable,
    "set_needs_inspection": _is_complaint,
    "contest": _appeal_open,
    "rate": _unrated,
    "support": _published,
    "take_report": _unassigned_with_a_unit,
    "assign_report": _with_a_unit,
    "release_report": _assigned,
}


def condition_holds(action: str, report) -> bool:
    check = CONDITIONS.get(action)
    return check is None or check(report)


def possible(action: str, report) -> bool:
    """Whether the state machine lets `action` happen to `report` now, whoever asks."""
    return can_transition(action, report.status) and condition_holds(action, report)


def condition_refusal(action: str, report) -> DomainError:
    """The error for an action whose status allows it but whose condition fails."""
    if action == "archive":
        return InvalidTransition("archive", report.status_before_hold)
    if action == "support":
        return InvalidInput(
            _("Hanya laporan yang tampil di halaman publik yang dapat didukung."),
            field="report",
            code="not_public",
        )
    if action == "set_needs_inspection":
        return InvalidInput(
            _("Hanya pengaduan yang dapat ditandai perlu pemeriksaan/audit."),
            field="needs_inspection",
            code="not_a_complaint",
        )
    if action == "unmerge":
        return InvalidInput(
            _("Hanya laporan yang digabungkan sebagai duplikat yang dapat dipisahkan kembali."),
            field="report",
            code="not_merged",
        )
    if action == "take_report" and report.unit_id is not None:
        return InvalidInput(
            _("Laporan ini sudah ditugaskan kepada seorang petugas."),
            field="assignee",
            code="already_assigned",
        )
    if action in ("take_report", "assign_report"):
        return InvalidInput(
            _("Laporan ini tidak sedang di unit kerja mana pun."),
            field="assignee",
            code="no_unit",
        )
    return InvalidTransition(action, report.status)


def check_condition(action: str, report) -> None:
    """Raise the action's own refusal when its condition fails (call under the lock)."""
    if not condition_holds(action, report):
        raise condition_refusal(action, report)
