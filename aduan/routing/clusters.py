"""What staff decide about duplicate clusters and campaigns (docs/ROUTING.md, Duplicate
clusters and campaigns): link, merge, split, dismiss a suggestion; answer a campaign
once, detach a genuine report from it.

Each decision that touches a report is an event in that report's sealed history. Linking,
splitting and detaching append to the history here, so they are refused on a node that
does not own the report (the owner node decides there). Merging and undoing a merge are
the state machine's `archive` (reason duplicate) and `unmerge`, and an answer to a
campaign is each member's own `post_follow_up`: they go through
`federation.dispatch.perform`, which sends them to the owner node as commands.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from aduan.accounts.models import Role
from aduan.core import clock
from aduan.federation.dispatch import perform
from aduan.federation.messages import Pending
from aduan.reports.access import visible_reports
from aduan.reports.actions.base import _lock, _save
from aduan.reports.actors import as_actor
from aduan.reports.errors import DomainError, InvalidInput, NotAllowed
from aduan.reports.events import append_event
from aduan.reports.models import ArchiveReason, EventType, Report, Visibility
from aduan.reports.permissions import refusal
from aduan.reports.workflow import possible

from .models import (
    Campaign,
    CampaignMember,
    ClusterMembership,
    DuplicateCluster,
    DuplicateSuggestion,
    SuggestionState,
)

GROUPING_ROLES = (Role.NATIONAL_ADMIN, Role.AGENCY_ADMIN)


class NotOwnedHere(DomainError):
    code = "not_owner"
    status_code = 409

    def __init__(self, report: Report):
        super().__init__(
            format_lazy(
                _("Laporan {number} dikelola oleh simpul {node}; kelompokkan laporan itu di sana."),
                number=report.tracking_number,
                node=report.owner_node,
            )
        )


class Conflict(InvalidInput):
    status_code = 409


def may_group(user, report: Report, *, visible: bool = False) -> bool:
    """National admins group any report; an agency admin the reports it may open (its
    agency's, and with delegated verification the undisposed ones of its region). Unit
    officers and supervisors see clusters and campaigns but do not change them.
    `visible`: the caller read `report` through `visible_reports(user)` (no need to ask
    again)."""
    if user is None or not user.is_active or user.role not in GROUPING_ROLES:
        return False
    if user.role == Role.NATIONAL_ADMIN or visible:
        return True
    return visible_reports(user).filter(pk=report.pk).exists()


def _require_group(actor, *reports: Report) -> None:
    for report in reports:
        if not may_group(actor.user, report):
            raise NotAllowed(_("kelompokkan laporan"))


def _require_owned(*reports: Report) -> None:
    for report in reports:
        if report.owner_node != settings.NODE_ID:
            raise NotOwnedHere(report)


def _now() -> dt.datetime:
    return clock.now()


# ------------------------------------------------------------------------------ clusters


def _internal_event(report: Report, type: str, actor, now, payload: dict) -> Report:
    """Append an internal event to `report`'s history under its row lock; returns the
    locked report."""
    locked = _lock(report)
    append_event(locked, type, actor=actor, at=now, visibility=Visibility.INTERNAL, payload=payload)
    _save(locked, now)
    return locked


def _join(report: Report, cluster: DuplicateCluster, other: Report, actor, now, reason: str):
    locked = _internal_event(
        report,
        EventType.CLUSTER_LINKED,
        actor,
        now,
        {"cluster": str(cluster.uuid), "with": other.tracking_number, "reason": reason},
    )
    ClusterMembership.objects.create(
        cluster=cluster, report=locked, added_at=now, added_by=actor.user
    )


@transaction.atomic
def link_reports(
    report: Report, other: Report, *, actor, suggestion: DuplicateSuggestion | None = None
) -> DuplicateCluster:
    """Put two reports in one cluster (the cluster of either, or a new one). Each keeps
    its own lifecycle and deadlines."""
    actor = as_actor(actor)
    if report.pk == other.pk:
        raise InvalidInput(
            _("Laporan tidak dapat dihubungkan dengan dirinya sendiri."), field="other"
        )
    _require_group(actor, report, other)
    now = _now()
    memberships = {
        m.report_id: m
        for m in ClusterMembership.objects.select_for_update()
        .select_related("cluster")
        .filter(report_id__in=(report.pk, other.pk))
    }
    mine, theirs = memberships.get(report.pk), memberships.get(other.pk)
    if mine and theirs:
        if mine.cluster_id == theirs.cluster_id:
            raise Conflict(_("Kedua laporan sudah berada di klaster yang sama."), field="other")
        raise Conflict(
            _(
                "Kedua laporan sudah berada di klaster yang berbeda; keluarkan salah satunya "
                "dari klasternya dulu."
            ),
            field="other",
        )
    joining = [r for r in (report, other) if r.pk not in memberships]
    _require_owned(*joining)
    cluster = (mine or theirs).cluster if (mine or theirs) else None
    if cluster is None:
        cluster = DuplicateCluster.objects.create(created_at=now, created_by=actor.user)
    reason = suggestion.reason if suggestion is not None else ""
    for joiner in sorted(joining, key=lambda r: r.pk):
        _join(joiner, cluster, other if joiner.pk == report.pk else report, actor, now, reason)
    if suggestion is not None:
        _decide(suggestion, SuggestionState.LINKED, actor, now)
    return cluster


@transaction.atomic
def split_report(report: Report, *, actor, note: str = "") -> None:
    """Take a report out of its cluster (the others stay together)."""
    actor = as_actor(actor)
    _require_group(actor, report)
    membership = (
        ClusterMembership.objects.select_for_update()
        .select_related("cluster")
        .filter(report=report)
        .first()
    )
    if membership is None:
        raise Conflict(_("Laporan ini tidak berada di klaster mana pun."), field="report")
    _require_owned(report)
    now = _now()
    cluster = membership.cluster
    membership.delete()
    _internal_event(
        report,
        EventType.CLUSTER_UNLINKED,
        actor,
        now,
        {"cluster": str(cluster.uuid), "note": note[:500]},
    )
    if not cluster.memberships.exists():
        cluster.delete()


def merge_report(report: Report, primary: Report, *, actor, note: str = ""):
    """Merge `report` into `primary`: archived as its duplicate (the reporter is told and
    pointed to the primary), and put in the primary's cluster. Only while the report
    awaits verification, as archiving; a disposed report is linked instead and handled on
    its own. Returns the archived report, or Pending when its owner node decides."""
    actor = as_actor(actor)
    if report.pk == primary.pk:
        raise InvalidInput(
            _("Laporan tidak dapat menjadi duplikat dirinya sendiri."), field="primary"
        )
    _require_group(actor, report, primary)
    if not possible("archive", report):
        raise Conflict(
            format_lazy(
                _(
                    "Laporan {number} sudah didisposisikan atau selesai, sehingga tidak "
                    "dapat digabung sebagai duplikat; hubungkan saja ke klaster agar tetap "
                    "ditangani sendiri."
                ),
                number=report.tracking_number,
            ),
            field="primary",
        )
    with transaction.atomic():
        outcome = perform(
            "archive",
            report,
            ArchiveReason.DUPLICATE,
            actor=actor,
            duplicate_of=primary,
            note=note,
        )
        if isinstance(outcome, Pending):
            return outcome
        now = _now()
        try:
            with transaction.atomic():
                link_reports(report, outcome.duplicate_of, actor=actor)
        except (Conflict, NotOwnedHere, NotAllowed):
            # Already together, in another cluster, or the primary is decided elsewhere:
            # the merge itself stands and links the two.
            pass
        DuplicateSuggestion.objects.filter(
            report__in=(report, primary), candidate__in=(report, primary)
        ).update(state=SuggestionState.MERGED, decided_at=now, decided_by=actor.user)
    return outcome


def unmerge_report(report: Report, *, actor, note: str = ""):
    """Undo a merge: the report returns to verification, on its own (`unmerge`)."""
    return perform("unmerge", report, actor=actor, note=note)


def _decide(suggestion, state, actor, now) -> None:
    suggestion.state = state
    suggestion.decided_at = now
    suggestion.decided_by = actor.user
    suggestion.save(update_fields=["state", "decided_at", "decided_by"])


def dismiss_suggestion(suggestion: DuplicateSuggestion, *, actor) -> None:
    """Not the same problem: the suggestion is kept as dismissed and not shown again."""
    actor = as_actor(actor)
    _require_group(actor, suggestion.report)
    if suggestion.state != SuggestionState.PENDING:
        raise Conflict(_("Saran ini sudah diputuskan."), field="suggestion")
    _decide(suggestion, SuggestionState.DISMISSED, actor, _now())


# ----------------------------------------------------------------------------- campaigns


@dataclass
class AnswerResult:
    answered: list = field(default_factory=list)
    pending: list = field(default_factory=list)
    # (report, reason) for members this answer could not reach now.
    skipped: list = field(default_factory=list)


def open_members(campaign: Campaign):
    return campaign.members.filter(detached_at__isnull=True)


@transaction.atomic
def answer_campaign(campaign: Campaign, text: str, *, actor) -> AnswerResult:
    """Answer every member report the actor may answer now with one text: each gets its
    own follow-up (its own event, its reporter told on their own channel). Members the
    actor may not answer now are listed with the reason, never silently left."""
    actor = as_actor(actor)
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("Tulis jawaban untuk laporan-laporan kampanye ini."), field="text")
    if len(text) > 10_000:
        raise InvalidInput(
            _("Jawaban terlalu panjang (paling banyak 10.000 karakter)."), field="text"
        )
    result = AnswerResult()
    members = (
        visible_reports(actor.user)
        .filter(
            campaign_membership__campaign=campaign,
            campaign_membership__detached_at__isnull=True,
        )
        .select_related("agency", "unit")
        .order_by("pk")
    )
    for report in members.iterator(chunk_size=200):
        error = refusal(actor, "post_follow_up", report)
        if error is not None:
            result.skipped.append((report, error.message))
            continue
        outcome = perform("post_follow_up", report, text, actor=actor)
        (result.pending if isinstance(outcome, Pending) else result.answered).append(report)
    if not result.answered and not result.pending:
        raise Conflict(
            _(
                "Tidak ada laporan kampanye ini yang dapat Anda jawab sekarang: jawaban "
                "diberikan oleh instansi atau unit yang menangani, setelah disposisi."
            ),
            field="text",
        )
    campaign.answer_text = text
    campaign.answered_at = _now()
    campaign.answered_by = actor.user
    campaign.save(update_fields=["answer_text", "answered_at", "answered_by"])
    return result


@transaction.atomic
def detach_member(campaign: Campaign, report: Report, *, actor, note: str = "") -> None:
    """A genuine separate report flagged by mistake leaves the campaign for good."""
    actor = as_actor(actor)
    _require_group(actor, report)
    member = (
        CampaignMember.objects.select_for_update()
        .filter(campaign=campaign, report=report, detached_at__isnull=True)
        .first()
    )
    if member is None:
        raise Conflict(_("Laporan ini bukan anggota kampanye ini."), field="report")
    _require_owned(report)
    now = _now()
    member.detached_at = now
    member.detached_by = actor.user
    member.save(update_fields=["detached_at", "detached_by"])
    _internal_event(
        report,
        EventType.CAMPAIGN_DETACHED,
        actor,
        now,
        {"campaign": str(campaign.uuid), "note": note[:500]},
    )
