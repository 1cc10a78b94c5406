"""One entry for pages and APIs: run an action here, or send it to the node that owns the
report.

    outcome = perform("post_follow_up", report, text, actor=user)
    if isinstance(outcome, Pending): ...  # "waiting for node KTM"

What this node can check (the actor's permission and the state machine on its copy) is
checked at once, so an obvious refusal needs no round trip; the owner checks everything
again when it applies the command."""

from django.conf import settings

from aduan.reports.actors import as_actor
from aduan.reports.errors import NotOwner
from aduan.reports.permissions import require
from aduan.reports.workflow import TRANSITIONS, check_transition

from .messages import ACTIONS, Pending, send_command


def perform(action: str, report, *args, actor, **kwargs):
    func = ACTIONS[action]
    if report.owner_node == settings.NODE_ID:
        try:
            return func(report, *args, actor=actor, **kwargs)
        except NotOwner:
            report.refresh_from_db(fields=["owner_node"])
    actor = as_actor(actor)
    require(actor, action, report)
    if action in TRANSITIONS:
        check_transition(action, report.status)
    return Pending(send_command(report, action, *args, actor=actor, **kwargs))
