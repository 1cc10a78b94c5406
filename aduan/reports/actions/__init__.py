"""Domain actions: the only code that changes a report's state (docs/ARCHITECTURE.md, "One
door for state changes").

Every action
- runs in one transaction and locks the report row (`SELECT ... FOR UPDATE`), so two staff
  acting at once cannot both succeed or append the same event number;
- checks the actor's permission and the state machine under that lock;
- appends an event to the hash-chained history;
- enqueues its side effects (notifications) in the same transaction: they run after
  commit, and never for a rolled-back change.

Views, APIs, Open311, commands and sync parse input, call an action and render the result.
The actions are grouped by the phase of a report's life: `intake`, `triage`, `handling`,
`closing`, `assignment` inside a unit, the worker's deadline watch in `escalation`,
`attachments` for publishing a reporter's files, `links` for the reporter's secret link
issued again, and `support` for the public's "Saya juga mengalami"; `validation`
holds every input rule once, `base` the shared machinery.
"""

from .assignment import assign_report, release_report, take_report
from .attachments import publish_attachment, unpublish_attachment
from .closing import (
    accept_response,
    auto_close_report,
    close_report,
    contest_response,
    rate_report,
    withdraw_report,
)
from .escalation import escalate, mark_overdue, send_deadline_reminder
from .handling import (
    acknowledge_report,
    add_internal_note,
    post_follow_up,
    post_progress_update,
    reporter_reply,
    set_needs_inspection,
)
from .intake import SubmitResult, submit_report
from .links import reissue_secret_link
from .support import AlreadySupported, support_report, supporter_key
from .triage import (
    add_information,
    archive_report,
    dispose_report,
    forward_to_unit,
    hand_over_report,
    put_on_hold,
    redispose_report,
    return_not_authority,
    unmerge_report,
    verify_report,
)
from .validation import ReporterDetails, validate_submission

__all__ = [
    "AlreadySupported",
    "ReporterDetails",
    "SubmitResult",
    "accept_response",
    "acknowledge_report",
    "add_information",
    "add_internal_note",
    "archive_report",
    "assign_report",
    "auto_close_report",
    "close_report",
    "contest_response",
    "dispose_report",
    "escalate",
    "forward_to_unit",
    "hand_over_report",
    "mark_overdue",
    "post_follow_up",
    "post_progress_update",
    "publish_attachment",
    "put_on_hold",
    "rate_report",
    "redispose_report",
    "reissue_secret_link",
    "release_report",
    "reporter_reply",
    "return_not_authority",
    "send_deadline_reminder",
    "set_needs_inspection",
    "submit_report",
    "support_report",
    "supporter_key",
    "take_report",
    "unmerge_report",
    "unpublish_attachment",
    "validate_submission",
    "verify_report",
    "withdraw_report",
]
