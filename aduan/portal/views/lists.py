"""The public list of reports with its search, and the account holder's own reports.

Built for a table of millions of reports: pages in date order are keyset pages ordered by
(-submitted_at, -tracking_number) (or the reverse), the order of the
(-submitted_at, -tracking_number) index, and the cursor is the tracking number of the last
report shown. Pages in order of relevance are numbered, up to RELEVANCE_PAGES. The
unfiltered list never counts; a search or filter counts its results up to COUNT_LIMIT
("10.000+"), so counting never reads more than that many rows.

Search (aduan/reports/search.py) covers the title and body of published reports only; a
tracking number typed in the search box opens that report instead (see `report_list`)."""

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from aduan.categories.models import Category
from aduan.reports import search, tracking
from aduan.reports.access import public_reports
from aduan.reports.models import Report

from .. import display, grants
from ..forms import ReportFilterForm
from . import recovery

PAGE_SIZE = 20
# Results are counted up to here and shown as "10.000+" beyond: exact enough for a
# person, and a bounded read for the database however common the words are.
COUNT_LIMIT = 10_000
# Pages in order of relevance cover the ranked candidates (search.RANKED_CANDIDATES, the
# newest 1,000 matches); the date orders page by keyset to the last match.
RELEVANCE_PAGES = search.RANKED_CANDIDATES // PAGE_SIZE


@dataclass
class Page:
    rows: list
    has_next: bool
    has_previous: bool
    # The page's number, for numbered (relevance) pages; None for keyset pages.
    number: int | None = None
    # Relevance pages: only the newest search.RANKED_CANDIDATES matches were ranked.
    ranking_capped: bool = False

    @property
    def first(self):
        return self.rows[0] if self.rows else None

    @property
    def last(self):
        return self.rows[-1] if self.rows else None


NEWEST_FIRST = ("-submitted_at", "-tracking_number")
OLDEST_FIRST = ("submitted_at", "tracking_number")


def _beyond(at, number, *, later: bool) -> Q:
    if later:
        return Q(submitted_at__gt=at) | Q(submitted_at=at, tracking_number__gt=number)
    return Q(submitted_at__lt=at) | Q(submitted_at=at, tracking_number__lt=number)


def keyset_page(
    qs: QuerySet[Report],
    params,
    size: int = PAGE_SIZE,
    *,
    oldest_first: bool = False,
    fetch=None,
) -> Page:
    """One page after (`setelah`) or before (`sebelum`) the report with that number, newest
    first (or oldest first).

    With `fetch` (a function that adds the joins of a row), the page is found on the narrow
    rows and only its reports are read with the joins: a planner that chose to collect
    every match before sorting then joins 20 rows, not thousands."""
    page = _keyset_page(qs, params, size, oldest_first=oldest_first, narrow=fetch is not None)
    if fetch is not None and page.rows:
        by_id = {report.pk: report for report in fetch(Report.objects.filter(pk__in=page.rows))}
        page.rows = [by_id[pk] for pk in page.rows if pk in by_id]
    return page


def _keyset_page(qs, params, size, *, oldest_first: bool, narrow: bool) -> Page:
    after = tracking.normalise(params.get("setelah", ""))
    before = tracking.normalise(params.get("sebelum", ""))
    anchor_number = after or before
    forward, backward = (
        (OLDEST_FIRST, NEWEST_FIRST) if oldest_first else (NEWEST_FIRST, OLDEST_FIRST)
    )
    # The anchor is looked up in the same queryset, so a cursor cannot reveal anything
    # about a report the reader may not see.
    anchor = (
        qs.filter(tracking_number=anchor_number).values("submitted_at", "tracking_number").first()
        if anchor_number
        else None
    )
    if narrow:
        qs = qs.values_list("pk", flat=True)
    if anchor is None:
        rows = list(qs.order_by(*forward)[: size + 1])
        return Page(rows[:size], len(rows) > size, False)
    at, number = anchor["submitted_at"], anchor["tracking_number"]
    if after:
        rows = list(
            qs.filter(_beyond(at, number, later=oldest_first)).order_by(*forward)[: size + 1]
        )
        return Page(rows[:size], len(rows) > size, True)
    rows = list(
        qs.filter(_beyond(at, number, later=not oldest_first)).order_by(*backward)[: size + 1]
    )
    return Page(list(reversed(rows[:size])), True, len(rows) > size)


def relevance_page(matches: QuerySet[Report], params, size: int = PAGE_SIZE) -> Page:
    """Page `halaman` of a search in order of relevance (then newest first): the ranked ids
    come from one narrow query (search.ranked_ids), then only the page's rows are read
    with their joins."""
    try:
        number = int(params.get("halaman", "1"))
    except ValueError:
        number = 1
    number = min(max(number, 1), RELEVANCE_PAGES)
    ranked = search.ranked_ids(matches, newest_first=NEWEST_FIRST)
    ids = ranked[(number - 1) * size : number * size]
    by_id = {report.pk: report for report in _list_rows(Report.objects.filter(pk__in=ids))}
    rows = [by_id[pk] for pk in ids if pk in by_id]
    more = len(ranked) > number * size
    capped = len(ranked) == search.RANKED_CANDIDATES
    return Page(rows, more, number > 1, number, ranking_capped=capped)


def count_up_to(qs: QuerySet) -> int:
    """COUNT over at most COUNT_LIMIT + 1 rows (a LIMIT subquery)."""
    return qs.order_by().values("pk")[: COUNT_LIMIT + 1].count()


def count_text(count: int) -> str:
    """ "1.234 laporan" / "10.000+ laporan", grouped the way the page's language writes
    numbers."""
    limit = COUNT_LIMIT
    shown = number_format(min(count, limit), force_grouping=True)
    if count > limit:
        shown += "+"
    return ngettext("%(count)s laporan ditemukan", "%(count)s laporan ditemukan", count) % {
        "count": shown
    }


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filtered_public_reports(form: ReportFilterForm, *, for_pages: bool = False) -> QuerySet[Report]:
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
    query = form.search_query
    if query:
        qs = search.search(qs, query, for_pages=for_pages)
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
    for name in ("setelah", "sebelum", "halaman"):
        params.pop(name, None)
    return params.urlencode()


def _tracking_redirect(text: str):
    """A tracking number typed in the search box opens that report: its public page when
    it is public, else the tracking page, which opens it for its reporter and reads
    "not found" for everyone else, exactly as for a number nobody has. A number with a
    wrong check digit goes to the tracking page too, which explains the mistake."""
    if not text or len(text) > 40:
        return None
    number = tracking.normalise(text)
    if number and public_reports().filter(tracking_number=number).exists():
        return redirect("portal:report-detail", number)
    if number or tracking.looks_like_number(text):
        return redirect(reverse("portal:track") + "?" + urlencode({"nomor": number or text}))
    return None


@require_GET
def report_list(request):
    tracked = _tracking_redirect(request.GET.get("cari", "").strip())
    if tracked is not None:
        return tracked
    form = ReportFilterForm(request.GET or None, english=display.english())
    qs = filtered_public_reports(form)
    pages_qs = filtered_public_reports(form, for_pages=True)
    sort = form.sort
    if sort == form.SORT_RELEVANCE:
        page = relevance_page(pages_qs, request.GET)
    elif form.search_query:
        # The page's ids first, then their rows with the joins (see keyset_page).
        page = keyset_page(
            pages_qs, request.GET, oldest_first=sort == form.SORT_OLDEST, fetch=_list_rows
        )
    else:
        page = keyset_page(_list_rows(qs), request.GET, oldest_first=sort == form.SORT_OLDEST)
    filter_names = [name for name in form.fields if name != "urut"]
    filtered = any(request.GET.get(name) for name in filter_names)
    context = {
        "form": form,
        "page": page,
        "rows": _rows(page.rows, public=True),
        "query": _query_without_cursor(request),
        "filtered": filtered,
        # The filters besides the search box: their panel opens when one is in use.
        "narrowed": any(request.GET.get(name) for name in filter_names if name != "cari"),
        "searching": bool(form.search_query),
        "sort": sort,
        # Counted only when narrowed: the whole public list would always read "10.000+".
        "result_count": count_text(count_up_to(qs)) if filtered else "",
        "ranked_limit": number_format(search.RANKED_CANDIDATES, force_grouping=True),
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
