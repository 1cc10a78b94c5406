"""Who may do what to which report (docs/DESIGN.md, People and what they may do), in one
place.

`allowed(actor, action, report)` answers for every role; domain actions call
`require(actor, action, report)` under the report's lock. Visibility of reports and of
reporters' personal data lives in `access.py` and follows the same rules."""

from aduan.accounts.models import Role

from .actors import Actor, as_actor
from .errors import DomainError, InvalidTransition, NotAllowed
from .models import Status
from .workflow import TRANSITIONS, can_transition, condition_holds, condition_refusal, possible

# Publishing a reporter's file is a privacy decision, taken by the admins who verify
# reports and may see the reporter's identity (so they can tell whether a photo shows the
# reporter's own house or face); unit officers, who never see an anonymous reporter's
# identity, and supervisors, who only read, do not publish.
PUBLISHING_ACTIONS = {"publish_attachment", "unpublish_attachment"}
NATIONAL_ACTIONS = {
    "verify",
    "unmerge",
    "dispose",
    "put_on_hold",
    "archive",
    "forward_to_unit",
    "redispose",
    "close",
    "add_internal_note",
    "set_needs_inspection",
} | PUBLISHING_ACTIONS
AGENCY_ACTIONS = {
    "verify",
    "dispose",
    "put_on_hold",
    "archive",
    "forward_to_unit",
    "redispose",
    "close",
    "add_internal_note",
    "set_needs_inspection",
    "acknowledge",
    "post_follow_up",
    "post_progress_update",
    "return_not_authority",
    # Deciding which of its units' officers works on a report (docs/DESIGN.md, Assignment).
    "assign_report",
} | PUBLISHING_ACTIONS
# Actions an agency admin may take on a not-yet-disposed report in its jurisdiction when
# verification is delegated to it.
AGENCY_VERIFICATION_ACTIONS = {
    "verify",
    "unmerge",
    "dispose",
    "put_on_hold",
    "archive",
    "add_internal_note",
} | PUBLISHING_ACTIONS
UNIT_ACTIONS = {
    "acknowledge",
    "put_on_hold",
    "post_follow_up",
    "post_progress_update",
    "return_not_authority",
    "add_internal_note",
    "take_report",
    "release_report",
}
# Only the officer a report is assigned to may give it back; anyone else who may
# assign (the agency admin) reassigns or unassigns it with `assign_report`.
ASSIGNEE_ACTIONS = {"release_report"}
REPORTER_ACTIONS = {"add_information", "reporter_reply", "accept", "contest", "rate", "withdraw"}
# Anyone who is not the report's reporter or staff: "Saya juga mengalami" on a published
# report (the supporter proves a contact first, `actions.support_report`).
PUBLIC_ACTIONS = {"support"}
# The worker: closing after the reporter's silence, and the deadline watch.
SYSTEM_ACTIONS = {"auto_close", "remind", "mark_overdue", "escalate"}


def agency_verifies(user, report) -> bool:
    """Whether an agency admin verifies this undisposed report (delegated verification)."""
    agency = user.agency
    if agency is None or not agency.verifies_own_region or report.agency_id is not None:
        return False
    return report.region_id is not None and agency.covers_region(report.region_id)


def allowed(actor: Actor, action: str, report) -> bool:
    if actor.system:
        return action in SYSTEM_ACTIONS
    if actor.is_reporter_of(report):
        return action in REPORTER_ACTIONS
    user = actor.user
    if user is None:
        return action in PUBLIC_ACTIONS
    if not user.is_active:
        return False
    role = user.role
    if role == Role.NATIONAL_ADMIN:
        # The national admin may also intervene in a unit's return to its agency.
        return action in NATIONAL_ACTIONS
    if role == Role.AGENCY_ADMIN and user.agency_id:
        if report.agency_id == user.agency_id:
            if action == "redispose":
                return report.returned_to == "agency"
            if action in ("verify", "dispose") and report.status == Status.SUBMITTED:
                return agency_verifies(user, report)
            return action in AGENCY_ACTIONS
        return action in AGENCY_VERIFICATION_ACTIONS and agency_verifies(user, report)
    if role == Role.UNIT_OFFICER and user.agency_id:
        if action in ASSIGNEE_ACTIONS:
            return report.assignee_id == user.pk and report.unit_id == user.agency_id
        return report.unit_id == user.agency_id and action in UNIT_ACTIONS
    if role == Role.CITIZEN:
        return action in PUBLIC_ACTIONS
    return False


def require(actor: Actor, action: str, report) -> None:
    if not allowed(actor, action, report):
        raise NotAllowed(action)


# ---------------------------------------------------------------------------- what may be done


def _remember_jurisdiction(actor: Actor) -> None:
    # Delegated verification asks for the agency's jurisdiction once per action and
    # report; load it once per request instead (a page of reports stays a fixed number
    # of queries).
    from django.db.models import prefetch_related_objects

    user = actor.user
    if user is not None and user.agency_id and user.role == Role.AGENCY_ADMIN:
        agency = user.agency
        if agency.verifies_own_region:
            prefetch_related_objects([agency], "jurisdiction")


def available_actions(actor, report) -> list[str]:
    """The actions `actor` may take on `report` as it stands: permission, state machine and
    each action's own condition together, in the state machine's order. The domain action
    accepts exactly these (given valid input); pages, the API and bulk panels offer these
    and nothing else. (For the system, whether a deadline calls for a reminder or an
    escalation at a given moment is the deadline watch's own question.)"""
    actor = as_actor(actor)
    _remember_jurisdiction(actor)
    return [
        action
        for action in TRANSITIONS
        if allowed(actor, action, report) and possible(action, report)
    ]


def refusal(actor, action: str, report) -> DomainError | None:
    """Why `actor` may not take `action` on `report` now (the error the domain action
    raises before reading its input), or None when it may."""
    actor = as_actor(actor)
    if not allowed(actor, action, report):
        return NotAllowed(action)
    if not can_transition(action, report.status):
        return InvalidTransition(action, report.status)
    if not condition_holds(action, report):
        return condition_refusal(action, report)
    return None


def role_actions(actor) -> frozenset[str]:
    """The actions `actor` may take on at least some report: what a menu that is not about
    one report (the inbox's bulk panel) may offer.

    An agency admin verifies, disposes and archives only reports of its region that are
    not yet disposed, and only when verification is delegated to its agency: archiving
    happens before disposition, and a report of its own agency is disposed already."""
    actor = as_actor(actor)
    if actor.system:
        return frozenset(SYSTEM_ACTIONS)
    user = actor.user
    if user is None:
        return frozenset(PUBLIC_ACTIONS)
    if not user.is_active:
        return frozenset()
    if actor.reporter_id is not None or user.role == Role.CITIZEN:
        return frozenset(REPORTER_ACTIONS | PUBLIC_ACTIONS)
    if user.role == Role.NATIONAL_ADMIN:
        return frozenset(NATIONAL_ACTIONS)
    if user.role == Role.AGENCY_ADMIN and user.agency_id:
        actions = set(AGENCY_ACTIONS) - {"verify", "dispose", "archive", "unmerge"}
        if user.agency.verifies_own_region:
            actions |= AGENCY_VERIFICATION_ACTIONS
        return frozenset(actions)
    if user.role == Role.UNIT_OFFICER and user.agency_id:
        return frozenset(UNIT_ACTIONS)
    return frozenset()
