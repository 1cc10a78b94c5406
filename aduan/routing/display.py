"""What staff pages show of clusters, suggestions and campaigns (docs/ROUTING.md,
Duplicate clusters and campaigns). Members a reader may not open are counted, never
shown: no title, number or place of a report outside the reader's scope."""

from django.db.models import Q
from django.utils.translation import get_language

from aduan.reports.access import visible_reports
from aduan.reports.models import Report

from .clusters import may_group
from .models import CampaignMember, ClusterMembership, DuplicateSuggestion, SuggestionState

MEMBERS_SHOWN = 20
SUGGESTIONS_SHOWN = 5
LISTED = ("pk", "tracking_number", "title", "status", "submitted_at", "agency", "unit")


def _english() -> bool:
    return (get_language() or "id").startswith("en")


def mark_groups(rows: list) -> None:
    """Mark inbox rows that belong to a campaign or a cluster (two queries a page)."""
    pks = [row.pk for row in rows]
    if not pks:
        return
    campaign = set(
        CampaignMember.objects.filter(report_id__in=pks, detached_at__isnull=True).values_list(
            "report_id", flat=True
        )
    )
    cluster = set(
        ClusterMembership.objects.filter(report_id__in=pks).values_list("report_id", flat=True)
    )
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


def report_grouping(user, report: Report, offered) -> dict:
    """The report page's card: its cluster, the pending suggestions whose other report
    the reader may open, its campaign, and what the reader may do."""
    membership = ClusterMembership.objects.filter(report=report).select_related("cluster").first()
    cluster = cluster_members(user, membership.cluster, exclude=report) if membership else None
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
    member = CampaignMember.objects.filter(report=report).select_related("campaign").first()
    return {
        "cluster": cluster,
        "suggestions": suggestions[:SUGGESTIONS_SHOWN],
        "campaign": member.campaign if member else None,
        "campaign_detached": bool(member and member.detached_at),
        "can_group": may_group(user, report),
        "can_merge": "archive" in offered,
        "can_unmerge": "unmerge" in offered,
        "in_cluster": membership is not None,
    }
