"""Who performs an action: a staff or citizen account, a guest reporter who proved
ownership through the secret tracking link, or the system (the worker)."""

from dataclasses import dataclass
from typing import Any

from aduan.accounts.models import Role


@dataclass(frozen=True)
class Actor:
    user: Any = None
    # Set when the actor is proven to be a report's reporter (account or secret link).
    reporter_id: int | None = None
    system: bool = False
    # A member of the public recorded without any identity (a supporter, see
    # actions.support_report).
    public: bool = False

    @property
    def role(self) -> str:
        if self.system:
            return "system"
        if self.public:
            return "public"
        if self.user is not None and self.user.role != Role.CITIZEN:
            return self.user.role
        return "reporter"

    @property
    def agency_id(self) -> int | None:
        return getattr(self.user, "agency_id", None)

    def is_reporter_of(self, report) -> bool:
        return self.reporter_id is not None and self.reporter_id == report.reporter_id


SYSTEM = Actor(system=True)
PUBLIC = Actor(public=True)


def as_actor(who: Any) -> Actor:
    """Accept a User, an Actor, or None (anonymous public) and return an Actor."""
    if isinstance(who, Actor):
        return who
    if who is None or not getattr(who, "is_authenticated", False):
        return Actor()
    reporter_id = None
    if who.role == Role.CITIZEN:
        reporter = getattr(who, "reporter", None) if hasattr(who, "reporter") else None
        reporter_id = reporter.pk if reporter is not None else None
    return Actor(user=who, reporter_id=reporter_id)
