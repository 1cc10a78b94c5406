"""The report state machine (DESIGN section 4) as one table, checked in one place.

Each action lists the statuses it may start from and the status it leads to (None means
the status does not change, e.g. an internal note). Domain actions call
`check_transition()` under the report's row lock; nothing else assigns `Report.status`.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .errors import InvalidTransition
from .models import OPEN_STATUSES, Status

S = Status


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
    "add_internal_note": Transition(OPEN_STATUSES, None),
    "reporter_reply": Transition((S.RESPONDED,), S.IN_PROGRESS),
    "accept": Transition((S.RESPONDED,), S.CLOSED),
    "contest": Transition((S.RESPONDED, S.CLOSED), S.IN_PROGRESS),
    "rate": Transition((S.CLOSED,), None),
    "withdraw": Transition(OPEN_STATUSES, S.WITHDRAWN),
    "close": Transition((S.IN_PROGRESS, S.RESPONDED), S.CLOSED),
    "auto_close": Transition((S.RESPONDED,), S.CLOSED),
    # Not for archived or withdrawn reports, which never become public; withdrawing a
    # published file is always possible.
    "publish_attachment": Transition(
        (*OPEN_STATUSES, S.CLOSED),
        None,
    ),
    "unpublish_attachment": Transition(tuple(S.values), None),
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
    "add_internal_note": _("catatan internal"),
    "reporter_reply": _("balas tanggapan"),
    "accept": _("terima tanggapan"),
    "contest": _("ajukan banding"),
    "rate": _("beri penilaian"),
    "withdraw": _("cabut laporan"),
    "close": _("tutup"),
    "auto_close": _("tutup otomatis"),
    "publish_attachment": _("publikasikan lampiran"),
    "unpublish_attachment": _("batalkan publikasi lampiran"),
}


def can_transition(action: str, status: str) -> bool:
    return status in TRANSITIONS[action].sources


def check_transition(action: str, status: str) -> str | None:
    """Return the target status of `action` from `status`, or raise InvalidTransition."""
    transition = TRANSITIONS[action]
    if status not in transition.sources:
        raise InvalidTransition(action, status)
    return transition.target
