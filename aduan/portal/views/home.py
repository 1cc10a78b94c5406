"""The home page: what Aduan is, how a report travels, and a few live numbers."""

from django.core.cache import cache
from django.db.models import Count
from django.shortcuts import render
from django.views.decorators.http import require_GET

from aduan.reports import deadlines
from aduan.reports.access import public_reports
from aduan.reports.models import OPEN_STATUSES, Report, Status

from .. import display
from ..forms import TrackForm

STATS_CACHE_KEY = "portal:home-stats:v1"
STATS_CACHE_SECONDS = 60
RECENT_COUNT = 5


def compute_stats() -> dict:
    """Counts per status: one GROUP BY over the indexed status column."""
    counts = {
        row["status"]: row["n"]
        for row in Report.objects.order_by().values("status").annotate(n=Count("id"))
    }
    received = sum(counts.values())
    in_progress = sum(counts.get(status, 0) for status in OPEN_STATUSES)
    completed = counts.get(Status.CLOSED, 0)
    # Archived (spam, duplicates, out of scope) and withdrawn reports are not a service
    # failure: the rate counts reports that were handled or still are.
    handled = received - counts.get(Status.ARCHIVED, 0) - counts.get(Status.WITHDRAWN, 0)
    percent = round(100 * completed / handled) if handled else None
    return {
        "received": received,
        "in_progress": in_progress,
        "completed": completed,
        "percent_completed": percent,
    }


def home_stats() -> dict:
    return cache.get_or_set(STATS_CACHE_KEY, compute_stats, STATS_CACHE_SECONDS)


@require_GET
def home(request):
    recent = list(
        public_reports()
        .select_related("region")
        .only(
            "tracking_number",
            "title",
            "status",
            "submitted_at",
            "region",
            "region__name",
            "is_anonymous",
            "province_code",
            "regency_code",
        )
        .order_by("-submitted_at")[:RECENT_COUNT]
    )
    for report in recent:
        report.public_region_name = display.region_name(report, public=True)
    context = {
        "stats": home_stats(),
        "recent": recent,
        "track_form": TrackForm(),
        "wd": {
            "verify": deadlines.VERIFY_WD,
            "first": deadlines.FIRST_RESPONSE_WD,
            "short": deadlines.COMPLETION_WD["aspiration"],
            "complaint": deadlines.COMPLETION_WD["complaint"],
            "inspection": deadlines.INSPECTION_COMPLETION_WD,
            "reply": deadlines.REPLY_WINDOW_WD,
        },
        "english": display.english(),
    }
    return render(request, "portal/home.html", context)
