"""The public list of reports, and the account holder's own reports.

Built for a table of millions of reports: pages are keyset pages ordered by
(-submitted_at, -tracking_number), the order of the (status, -submitted_at) index, and the
cursor is the tracking number of the last report shown. No COUNT(*) ever runs: the page
says only whether there is a next or previous page."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from aduan.categories.models import Category
from aduan.reports import tracking
from aduan.reports.access import public_reports
from aduan.reports.models import Report

from .. import display, grants
from ..forms import ReportFilterForm
from . import recovery

PAGE_SIZE = 20


@dataclass
class Page:
    rows: list
    has_next: bool
    has_previous: bool

    @property
    def first(self):
        return self.rows[0] if self.rows else None

    @property
    def last(self):
        return self.rows[-1] if self.rows else None


def keyset_page(qs: QuerySet[Report], params, size: int = PAGE_SIZE) -> Page:
    """One page after (`setelah`) or before (`sebelum`) the report with that number."""
    after = tracking.normalise(params.get("setelah", ""))
    before = tracking.normalise(params.get("sebelum", ""))
    anchor_number = after or before
    # The anchor is looked up in the same queryset, so a cursor cannot reveal anything
    # about a report the reader may not see.
    anchor = (
        qs.filter(tracking_number=anchor_number).values("submitted_at", "tracking_number").first()
        if anchor_number
        else None
    )
    if anchor is None:
        rows = list(qs.order_by("-submitted_at", "-tracking_number")[: size + 1])
        return Page(rows[:size], len(rows) > size, False)
    at, number = anchor["submitted_at"], anchor["tracking_number"]
    if after:
        older = Q(submitted_at__lt=at) | Q(submitted_at=at, tracking_number__lt=number)
        rows = list(qs.filter(older).order_by("-submitted_at", "-tracking_number")[: size + 1])
        return Page(rows[:size], len(rows) > size, True)
    newer = Q(submitted_at__gt=at) | Q(submitted_at=at, tracking_number__gt=number)
    rows = list(qs.filter(newer).order_by("submitted_at", "tracking_number")[: size + 1])
    return Page(list(reversed(rows[:size])), True, len(rows) > size)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filtered_public_reports(form: ReportFilterForm) -> QuerySet[Report]:
    qs = public_reports()
    if not form.is_bound:
        return qs
    # A wrong field (shown with its error) is left out; the valid ones still apply.
    form.is_valid()
    data = form.cleaned_data
    regency = form.chain.codes.get("regency")
    province = form.chain.codes.get("province")
    if regency:
        qs = qs.filter(regency_code=regency)
    elif province:
        qs = qs.filter(province_code=province)
    if data.get("kategori"):
        slug = data["kategori"]
        ids = Category.objects.filter(Q(slug=slug) | Q(parent__slug=slug)).values("pk")
        qs = qs.filter(category_id__in=ids)
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("dari"):
        qs = qs.filter(submitted_at__gte=_day_start(data["dari"]))
    if data.get("sampai"):
        qs = qs.filter(submitted_at__lt=_day_start(data["sampai"] + dt.timedelta(days=1)))
    if data.get("cari"):
        qs = qs.filter(title__icontains=data["cari"].strip())
    return qs


def _list_rows(qs: QuerySet[Report]) -> QuerySet[Report]:
    return qs.select_related("category", "category__parent", "region", "agency", "unit").only(
        "tracking_number",
        "title",
        "status",
        "report_type",
        "submitted_at",
        "is_overdue",
        "is_confidential",
        "is_anonymous",
        "support_count",
        "province_code",
        "regency_code",
        "category",
        "region",
        "agency",
        "unit",
        "category__parent",
        "category__name",
        "category__name_en",
        "category__parent_id",
        "category__parent__name",
        "category__parent__name_en",
        "region__name",
        "agency__name",
        "agency__short_name",
        "unit__name",
        "unit__short_name",
    )


def _query_without_cursor(request) -> str:
    params = request.GET.copy()
    params.pop("setelah", None)
    params.pop("sebelum", None)
    return params.urlencode()


@require_GET
def report_list(request):
    form = ReportFilterForm(request.GET or None, english=display.english())
    page = keyset_page(_list_rows(filtered_public_reports(form)), request.GET)
    context = {
        "form": form,
        "page": page,
        "rows": _rows(page.rows, public=True),
        "query": _query_without_cursor(request),
        "filtered": any(request.GET.get(name) for name in form.fields),
    }
    return render(request, "portal/report_list.html", context)


def _rows(reports, *, public: bool = False) -> list[dict]:
    """`public`: the rows of the public list, where an anonymous report shows its
    regency/city only; a reporter's own list shows the region they gave."""
    return [
        {
            "report": report,
            "category": display.category_name(report.category),
            "handler": str(report.unit or report.agency or ""),
            "region": display.region_name(report, public=public),
        }
        for report in reports
    ]


@never_cache
@require_GET
def my_reports(request):
    """The reporter's own reports, every status (confidential ones included): an account
    holder's, or a guest's for the contact proved with a code (a short-lived grant in the
    session, `grants.contact_reports`). Anyone else is offered both ways in."""
    guest = None
    if request.user.is_authenticated:
        qs = Report.objects.filter(reporter__user=request.user)
    else:
        guest = grants.granted_contact(request)
        if guest is None:
            return recovery.my_reports_start(request)
        qs = grants.contact_reports(guest)
    page = keyset_page(_list_rows(qs), request.GET)
    context = {
        "page": page,
        "rows": _rows(page.rows),
        "query": _query_without_cursor(request),
        "is_staff": request.user.is_authenticated and request.user.is_staff_role,
        "guest_contact": recovery.guest_contact_label(guest) if guest else "",
        "grant_minutes": int(grants.CONTACT_GRANT_LIFETIME.total_seconds() // 60),
    }
    return render(request, "portal/my_reports.html", context)
