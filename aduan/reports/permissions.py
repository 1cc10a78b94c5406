"""Who may do what to which report (DESIGN section 3), in one place.

`allowed(actor, action, report)` answers for every role; domain actions call
`require(actor, action, report)` under the report's lock. Visibility of reports and of
reporters' personal data lives in `access.py` and follows the same rules."""

from aduan.accounts.models import Role

from .actors import Actor
from .errors import NotAllowed
from .models import Status

# Publishing a reporter's file is a privacy decision, taken by the admins who verify
# reports and may see the reporter's identity (so they can tell whether a photo shows the
# reporter's own house or face); unit officers, who never see an anonymous reporter's
# identity, and supervisors, who only read, do not publish.
PUBLISHING_ACTIONS = {"publish_attachment", "unpublish_attachment"}
NATIONAL_ACTIONS = {
    "verify",
    "dispose",
    "put_on_hold",
    "archive",
    "forward_to_unit",
    "redispose",
    "close",
    "add_internal_note",
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
    "acknowledge",
    "post_follow_up",
    "return_not_authority",
} | PUBLISHING_ACTIONS
# Actions an agency admin may take on a not-yet-disposed report in its jurisdiction when
# verification is delegated to it.
AGENCY_VERIFICATION_ACTIONS = {
    "verify",
    "dispose",
    "put_on_hold",
    "archive",
    "add_internal_note",
} | PUBLISHING_ACTIONS
UNIT_ACTIONS = {
    "acknowledge",
    "put_on_hold",
    "post_follow_up",
    "return_not_authority",
    "add_internal_note",
}
REPORTER_ACTIONS = {"add_information", "reporter_reply", "accept", "contest", "rate", "withdraw"}
SYSTEM_ACTIONS = {"auto_close"}


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
    if user is None or not user.is_active:
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
        return report.unit_id == user.agency_id and action in UNIT_ACTIONS
    return False


def require(actor: Actor, action: str, report) -> None:
    if not allowed(actor, action, report):
        raise NotAllowed(action)
