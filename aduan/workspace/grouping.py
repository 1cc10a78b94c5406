"""Staff pages for duplicate clusters and campaigns (docs/ROUTING.md, Duplicate clusters
and campaigns). The decisions live in `aduan/routing/clusters.py`; these views parse the
form, call it and show the outcome. A report the user may not open is a 404, a decision
the user may not take a 403, bad input a 400 and a conflict a 409, each with its message
on the page."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aduan.federation.display import PENDING_NOTICE
from aduan.federation.messages import Pending
from aduan.reports.access import find_report, visible_reports
from aduan.reports.errors import DomainError, InvalidInput
from aduan.routing import clusters
from aduan.routing.display import cluster_members
from aduan.routing.models import Campaign, CampaignMember, DuplicateCluster, DuplicateSuggestion

from .views import _fetch, _render_error, localized, staff_required

MEMBERS_PER_PAGE = 50
CAMPAIGNS_PER_PAGE = 25


def _other(request, field: str):
    """The report named in the form by its tracking number, among those the user may
    open; anything else is a 400 that says so (never whether a hidden report exists)."""
    number = (request.POST.get(field) or "").strip()[:40]
    if not number:
        raise InvalidInput(gettext_lazy("Isikan nomor laporan."), field=field)
    other = find_report(number, visible_reports(request.user))
    if other is None:
        raise InvalidInput(
            format_lazy(gettext_lazy("Laporan {number} tidak ditemukan."), number=number),
            field=field,
        )
    return other


def _suggestion(request, report):
    value = (request.POST.get("suggestion") or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput(gettext_lazy("Saran tidak dikenal."), field="suggestion")
    suggestion = DuplicateSuggestion.objects.filter(pk=int(value)).first()
    if suggestion is None or report.pk not in (suggestion.report_id, suggestion.candidate_id):
        raise InvalidInput(gettext_lazy("Saran tidak dikenal."), field="suggestion")
    return suggestion


def _decide(request, tracking_number, decide, success):
    report = _fetch(request, tracking_number)
    try:
        outcome = decide(report)
    except DomainError as error:
        return _render_error(request, report, None, None, localized(error), error.status_code)
    if isinstance(outcome, Pending):
        messages.info(request, PENDING_NOTICE % {"node": outcome.node})
    else:
        messages.success(request, success)
    if not visible_reports(request.user).filter(pk=report.pk).exists():
        return redirect("workspace:inbox")
    return redirect("workspace:report", tracking_number=report.tracking_number)


@staff_required
@require_POST
def report_link(request, tracking_number):
    def decide(report):
        other = _other(request, "other")
        suggestion = _suggestion(request, report)
        if suggestion is not None and other.pk not in (
            suggestion.report_id,
            suggestion.candidate_id,
        ):
            raise InvalidInput(gettext_lazy("Saran tidak dikenal."), field="suggestion")
        if suggestion is not None and suggestion.report_id != report.pk:
            # Record it from the suggestion's own side.
            return clusters.link_reports(
                suggestion.report, suggestion.candidate, actor=request.user, suggestion=suggestion
            )
        return clusters.link_reports(report, other, actor=request.user, suggestion=suggestion)

    return _decide(request, tracking_number, decide, _("Laporan dihubungkan ke klaster."))


@staff_required
@require_POST
def report_merge(request, tracking_number):
    def decide(report):
        return clusters.merge_report(
            report, _other(request, "primary"), actor=request.user, note=""
        )

    return _decide(
        request,
        tracking_number,
        decide,
        _("Laporan digabungkan sebagai duplikat; pelapor diberi tahu."),
    )


@staff_required
@require_POST
def report_split(request, tracking_number):
    return _decide(
        request,
        tracking_number,
        lambda report: clusters.split_report(report, actor=request.user),
        _("Laporan dikeluarkan dari klaster."),
    )


@staff_required
@require_POST
def report_unmerge(request, tracking_number):
    return _decide(
        request,
        tracking_number,
        lambda report: clusters.unmerge_report(report, actor=request.user),
        _("Penggabungan dibatalkan; laporan kembali menunggu verifikasi."),
    )


@staff_required
@require_POST
def report_dismiss(request, tracking_number):
    def decide(report):
        suggestion = _suggestion(request, report)
        if suggestion is None:
            raise InvalidInput(gettext_lazy("Saran tidak dikenal."), field="suggestion")
        return clusters.dismiss_suggestion(suggestion, actor=request.user)

    return _decide(request, tracking_number, decide, _("Saran diabaikan."))


@staff_required
def cluster_detail(request, cluster_uuid):
    cluster = get_object_or_404(DuplicateCluster, uuid=cluster_uuid)
    members = cluster_members(request.user, cluster, limit=200)
    if not members["shown"]:
        # Nothing of it is the reader's: the cluster does not exist for them.
        raise Http404
    return render(request, "workspace/cluster.html", {"cluster": cluster, "members": members})


# ----------------------------------------------------------------------------- campaigns


def _visible_members(user, campaign):
    return visible_reports(user).filter(
        campaign_membership__campaign=campaign, campaign_membership__detached_at__isnull=True
    )


def _page_number(request) -> int:
    value = request.GET.get("halaman", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 100_000 else 1


@staff_required
def campaigns(request):
    visible = visible_reports(request.user).filter(campaign_membership__detached_at__isnull=True)
    qs = (
        Campaign.objects.filter(members__report__in=visible.values("pk"))
        .distinct()
        .order_by("-last_at", "-pk")
    )
    page = Paginator(qs, CAMPAIGNS_PER_PAGE).get_page(_page_number(request))
    rows = list(page.object_list)
    counts = dict(
        CampaignMember.objects.filter(campaign__in=rows, detached_at__isnull=True)
        .values("campaign")
        .annotate(n=Count("pk"))
        .values_list("campaign", "n")
    )
    for campaign in rows:
        campaign.member_count = counts.get(campaign.pk, 0)
    return render(request, "workspace/campaigns.html", {"campaigns": rows, "page": page})


def _campaign_context(request, campaign, **extra) -> dict:
    user = request.user
    mine = _visible_members(user, campaign).order_by("submitted_at", "pk")
    number = _page_number(request)
    offset = (number - 1) * MEMBERS_PER_PAGE
    shown = list(
        mine.only("pk", "tracking_number", "title", "status", "submitted_at")[
            offset : offset + MEMBERS_PER_PAGE + 1
        ]
    )
    total = clusters.open_members(campaign).count()
    visible_count = mine.count()
    if not visible_count:
        raise Http404
    sample = (
        campaign.sample
        if mine.filter(pk=campaign.sample_id).exists()
        else mine.only("title", "body").first()
    )
    return {
        "campaign": campaign,
        "sample": sample,
        "members": {
            "shown": shown[:MEMBERS_PER_PAGE],
            "has_next": len(shown) > MEMBERS_PER_PAGE,
            "next_page": number + 1,
            "total": total,
            "hidden": total - visible_count,
        },
        "can_detach": user.role in clusters.GROUPING_ROLES,
        **extra,
    }


@staff_required
def campaign_detail(request, campaign_uuid):
    campaign = get_object_or_404(Campaign, uuid=campaign_uuid)
    return render(request, "workspace/campaign.html", _campaign_context(request, campaign))


@staff_required
@require_POST
def campaign_answer(request, campaign_uuid):
    campaign = get_object_or_404(Campaign, uuid=campaign_uuid)
    context = _campaign_context(request, campaign)
    text = request.POST.get("text", "")
    try:
        result = clusters.answer_campaign(campaign, text, actor=request.user)
    except DomainError as error:
        context.update(error=localized(error), text=text[:10_000])
        return render(request, "workspace/campaign.html", context, status=error.status_code)
    counts = {"answered": len(result.answered), "pending": len(result.pending)}
    if result.pending:
        notice = _(
            "Jawaban dicatat pada %(answered)s laporan; %(pending)s dikirim ke simpul pengelola."
        )
    else:
        notice = _("Jawaban dicatat pada %(answered)s laporan.")
    messages.success(request, notice % counts)
    context = _campaign_context(request, campaign)
    context["skipped"] = [(r.tracking_number, str(reason)) for r, reason in result.skipped]
    return render(request, "workspace/campaign.html", context)


@staff_required
@require_POST
def campaign_detach(request, campaign_uuid, tracking_number):
    campaign = get_object_or_404(Campaign, uuid=campaign_uuid)
    report = _fetch(request, tracking_number)
    try:
        clusters.detach_member(campaign, report, actor=request.user)
    except DomainError as error:
        context = _campaign_context(request, campaign, error=localized(error))
        return render(request, "workspace/campaign.html", context, status=error.status_code)
    messages.success(
        request,
        _("Laporan %(number)s dilepas dari kampanye dan ditangani tersendiri.")
        % {"number": report.tracking_number},
    )
    return redirect("workspace:campaign", campaign_uuid=campaign.uuid)
