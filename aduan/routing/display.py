"""What staff pages show of clusters, suggestions and campaigns (docs/ROUTING.md,
Duplicate clusters and campaigns). Members a reader may not open are counted, never
shown: no title, number or place of a report outside the reader's scope."""

from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.utils.translation import get_language

from aduan.reports.access import visible_reports
from aduan.reports.models import Report

from .clusters import may_group
from .models import (
    Campaign,
    CampaignMember,
    ClusterMembership,
    DuplicateCluster,
    DuplicateSuggestion,
    SuggestionState,
)

MEMBERS_SHOWN = 20
SUGGESTIONS_SHOWN = 5
LISTED = ("pk", "tracking_number", "title", "status", "submitted_at", "agency", "unit")


def _english() -> bool:
    return (get_language() or "id").startswith("en")


def mark_groups(rows: list) -> None:
    """Mark inbox rows that belong to a campaign or a cluster (one query a page: both
    memberships, UNION ALL)."""
    pks = [row.pk for row in rows]
    if not pks:
        return
    campaigns = CampaignMember.objects.filter(
        report_id__in=pks, detached_at__isnull=True
    ).values_list("report_id", Value(1))
    clusters = ClusterMembership.objects.filter(report_id__in=pks).values_list(
        "report_id", Value(2)
    )
    campaign, cluster = set(), set()
    for report_id, kind in campaigns.union(clusters, all=True):
        (campaign if kind == 1 else cluster).add(report_id)
    for row in rows:
        row.in_campaign = row.pk in campaign
        row.in_cluster = row.pk in cluster


def cluster_members(user, cluster, *, exclude=None, limit=MEMBERS_SHOWN) -> dict:
    """The members `user` may open (oldest first, at most `limit`), and how many others
    there are outside the reader's scope."""
    everyone = Report.objects.filter(cluster_membership__cluster=cluster)
    mine = visible_reports(user).filter(cluster_membership__cluster=cluster)
    if exclude is not None:
        everyone = everyone.exclude(pk=exclude.pk)
        mine = mine.exclude(pk=exclude.pk)
    visible_count = mine.count()
    shown = list(
        mine.select_related("agency", "unit").only(*LISTED).order_by("submitted_at", "pk")[:limit]
    )
    return {
        "cluster": cluster,
        "shown": shown,
        "more": visible_count - len(shown),
        "hidden": everyone.count() - visible_count,
    }


GROUP_STATE = (
    "group_cluster_id",
    "group_cluster_uuid",
    "group_campaign_id",
    "group_campaign_uuid",
    "group_detached_at",
    "group_any_pending",
)


def group_state_annotations() -> dict:
    """A report's cluster (id, uuid), campaign (id, uuid, detached at) and whether a
    suggestion about it waits, as annotations of the report's own query (one small
    subquery each): the report page reads them with the report, and most reports are in
    no cluster, no campaign and no suggestion, so the card then costs no query at all
    (it cost three)."""
    membership = ClusterMembership.objects.filter(report_id=OuterRef("pk"))
    member = CampaignMember.objects.filter(report_id=OuterRef("pk"))
    pending = DuplicateSuggestion.objects.filter(
        Q(report_id=OuterRef("pk")) | Q(candidate_id=OuterRef("pk")),
        state=SuggestionState.PENDING,
    )
    values = (
        Subquery(membership.values("cluster_id")),
        Subquery(membership.values("cluster__uuid")),
        Subquery(member.values("campaign_id")),
        Subquery(member.values("campaign__uuid")),
        Subquery(member.values("detached_at")),
        Exists(pending),
    )
    return dict(zip(GROUP_STATE, values, strict=True))


def _group_state(report: Report) -> tuple:
    """`group_state_annotations` of `report`: from its query if it was read with them,
    else in one statement."""
    if all(hasattr(report, name) for name in GROUP_STATE):
        return tuple(getattr(report, name) for name in GROUP_STATE)
    return (
        Report.objects.filter(pk=report.pk).values_list(*group_state_annotations().values()).get()
    )


def report_grouping(user, report: Report, offered) -> dict:
    """The report page's card: its cluster, the pending suggestions whose other report
    the reader may open, its campaign, and what the reader may do. `report`: one the
    reader may open (the page read it through `visible_reports`)."""
    cluster_id, cluster_uuid, campaign_id, campaign_uuid, detached_at, any_pending = _group_state(
        report
    )
    # The card shows the cluster's and the campaign's uuid (their links); any other field
    # would be read when asked (deferred).
    db = report._state.db
    cluster = None
    if cluster_id is not None:
        found = DuplicateCluster.from_db(db, ["id", "uuid"], [cluster_id, cluster_uuid])
        cluster = cluster_members(user, found, exclude=report)
    campaign = Campaign.from_db(db, ["id", "uuid"], [campaign_id, campaign_uuid])
    pending = []
    if any_pending:
        pending = list(
            DuplicateSuggestion.objects.filter(
                Q(report=report) | Q(candidate=report), state=SuggestionState.PENDING
            )
            .select_related("report", "candidate")
            .order_by("-text_similarity", "pk")[: SUGGESTIONS_SHOWN * 2]
        )
    others = {s.candidate_id if s.report_id == report.pk else s.report_id for s in pending}
    visible = set(visible_reports(user).filter(pk__in=others).values_list("pk", flat=True))
    english = _english()
    suggestions = []
    for s in pending:
        other = s.candidate if s.report_id == report.pk else s.report
        if other.pk not in visible:
            continue
        suggestions.append(
            {
                "id": s.pk,
                "other": other,
                "reason": s.reason_en if english else s.reason,
                "similarity": s.text_similarity,
            }
        )
    return {
        "cluster": cluster,
        "suggestions": suggestions[:SUGGESTIONS_SHOWN],
        "campaign": campaign if campaign_id is not None else None,
        "campaign_detached": campaign_id is not None and detached_at is not None,
        # The page's report was read through visible_reports(user).
        "can_group": may_group(user, report, visible=True),
        "can_merge": "archive" in offered,
        "can_unmerge": "unmerge" in offered,
        "in_cluster": cluster_id is not None,
    }
