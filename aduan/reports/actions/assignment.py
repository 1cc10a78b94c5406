"""Assignment inside a unit: which of the handling unit's officers works on a report
(docs/DESIGN.md, Assignment).

An officer takes an unassigned report (`take_report`) or gives back one assigned to them
(`release_report`); the agency admin assigns, reassigns or unassigns (`assign_report`).
Only an active officer of the report's current unit may be its assignee, and a change of
unit clears the assignment (`clear_assignee`, called by the triage actions). Assignment is
staff business: its events are internal, the reporter is not told, and no clock changes.
"""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy

from aduan.accounts.models import Role, User

from ..actors import Actor, as_actor
from ..errors import InvalidInput
from ..events import append_event
from ..models import EventType, Report, Visibility
from ..workflow import check_condition
from .base import _begin, _now, _save


def _person(user: User | None) -> dict:
    if user is None:
        return {"uuid": None, "name": ""}
    return {"uuid": str(user.uuid), "name": user.display_name}


def _check_assignee(report: Report, officer) -> User:
    """An active officer of the report's current unit, or InvalidInput."""
    if (
        not isinstance(officer, User)
        or not officer.is_active
        or officer.role != Role.UNIT_OFFICER
        or report.unit_id is None
        or officer.agency_id != report.unit_id
    ):
        raise InvalidInput(
            gettext_lazy("Pilih petugas dari unit kerja yang menangani laporan ini."),
            field="assignee",
            code="not_an_officer_of_the_unit",
        )
    return officer


def _record(
    report: Report, now: dt.datetime, actor: Actor, new: User | None, *, reason: str
) -> None:
    previous = report.assignee
    report.assignee = new
    append_event(
        report,
        EventType.ASSIGNED if new is not None else EventType.UNASSIGNED,
        actor=actor,
        at=now,
        visibility=Visibility.INTERNAL,
        payload={
            "assignee": _person(new),
            "previous": _person(previous),
            "unit_name": report.unit.name if report.unit_id else "",
            # "taken", "assigned", "released", "unassigned" or "unit_changed".
            "reason": reason,
        },
    )


@transaction.atomic
def take_report(report: Report, *, actor) -> Report:
    """An officer of the handling unit takes an unassigned report as their own."""
    actor = as_actor(actor)
    now = _now()
    report, _ = _begin(report, "take_report", actor)
    check_condition("take_report", report)
    _record(report, now, actor, _check_assignee(report, actor.user), reason="taken")
    _save(report, now, "assignee")
    return report


@transaction.atomic
def assign_report(report: Report, officer, *, actor) -> Report:
    """The agency admin assigns the report to an officer of its unit, reassigns it to
    another, or unassigns it (`officer=None`). Changing nothing records nothing."""
    actor = as_actor(actor)
    now = _now()
    report, _ = _begin(report, "assign_report", actor)
    check_condition("assign_report", report)
    new = _check_assignee(report, officer) if officer not in (None, "") else None
    if (new.pk if new else None) == report.assignee_id:
        return report
    _record(report, now, actor, new, reason="assigned" if new is not None else "unassigned")
    _save(report, now, "assignee")
    return report


@transaction.atomic
def release_report(report: Report, *, actor) -> Report:
    """The assigned officer gives the report back to the unit (unassigned again)."""
    actor = as_actor(actor)
    now = _now()
    report, _ = _begin(report, "release_report", actor)
    check_condition("release_report", report)
    _record(report, now, actor, None, reason="released")
    _save(report, now, "assignee")
    return report


def clear_assignee(report: Report, now: dt.datetime, actor: Actor) -> list[str]:
    """Within another action that moves the report to another unit (or back to its agency
    or the national admins): the assignee belonged to the old unit. Returns the fields to
    save."""
    if report.assignee_id is None:
        return []
    _record(report, now, actor, None, reason="unit_changed")
    return ["assignee"]
