"""The public statistics page: everything from the aggregates, cached for a minute, and
the page's content rendered once per query and language for as long as its data."""

import hashlib
from typing import NamedTuple

from django.core.cache import cache
from django.http import QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from aduan.audit.checkpoints import latest_public
from aduan.categories.models import Category
from aduan.core import refcache

from .. import fragments
from ..charts import Chart
from ..pages import Presented, StatsData, as_of_label, load, period_label, present
from ..params import BadParameter, parse_category, parse_period, parse_region
from ..queries import Selection
from .common import link_builder, parse_sort, sort_headers

CACHE_SECONDS = 60
# Rows of each performance table unless the reader asks for all (?semua=1).
TABLE_ROWS = 50
# The parameters the page reads. Its links keep every parameter of the query, so only a
# query made of these has its rendered content cached (anything else would let any
# visitor add cache entries at will); other queries are rendered on each request.
PAGE_PARAMETERS = frozenset({"dari", "sampai", "wilayah", "kategori", "urut", "arah", "semua"})


def cache_key(*parts) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"stats:{digest}"


def warm_default_view(*, seconds: int) -> str:
    """Load the page's default view (national, the last twelve months, no filter) into the
    cache for `seconds`, replacing what is there: the worker calls this every minute
    (`tasks.warm_public_statistics`) so no visitor waits for the most requested view.
    Returns the cache key."""
    start, end = parse_period({})
    sel = Selection(start=start, end=end)
    key = cache_key("public", start, end, sel.region, None)
    data = load(sel)
    cache.set(key, data, seconds)
    # The content of the default view in both languages, so that its visitors render
    # nothing but the page around it.
    empty = QueryDict()
    for language in ("id", "en"):
        with override(language):
            body, _stats = public_body(data, empty, start=start, end=end, region=None)
            cache.set(body_key(key, data, empty), body, seconds)
    return key


def rendered_key(data_key: str, version, query: QueryDict, allowed: frozenset) -> str | None:
    """Where content rendered from the cached data under `data_key` (at `version`) is
    cached for this query and the active language; None for queries with parameters
    outside `allowed` (a visitor must not be able to add cache entries at will)."""
    if not set(query) <= allowed:
        return None
    items = sorted((name, tuple(query.getlist(name))) for name in query)
    return f"{data_key}:html:{cache_key(version, get_language(), items)}"


def body_key(data_key: str, data: StatsData, query: QueryDict) -> str | None:
    """Where the public page's content for this data, query and language is cached."""
    return rendered_key(data_key, getattr(data, "version", ""), query, PAGE_PARAMETERS)


def public_body(data: StatsData, query: QueryDict, *, start, end, region) -> tuple[str, Presented]:
    """The page's content (everything between the site's header and footer) for one
    query in the active language, and the presented statistics it shows."""
    sort, descending = parse_sort(query)
    link = link_builder(query)
    show_all = query.get("semua") == "1"
    stats = present(
        data, link=link, sort=sort, descending=descending, limit=None if show_all else TABLE_ROWS
    )
    context = {
        "form": query,
        "LANGUAGE_CODE": get_language(),
        "category_option_tags": category_option_tags(query.get("kategori", "")),
        "stats": stats,
        "fragments": page_fragments(
            stats,
            headers=sort_headers(query, sort, descending, anchor="#kinerja"),
            show_all_link=link(semua="1") + "#kinerja",
        ),
        "period": period_label(start, end),
        "as_of": as_of_label(data),
        "start": start,
        "end": end,
        "region": region,
        "category": bool(data.selection.category_ids),
        "all_categories": link(kategori=""),
    }
    return render_to_string("stats/_public_body.html", context), stats


def page_fragments(
    stats: Presented,
    *,
    headers: list[dict],
    show_all_link: str,
    chart_list: list[Chart] | None = None,
) -> dict[str, str]:
    """The large parts of a statistics page, as HTML (fragments.py)."""
    if chart_list is None:
        chart_list = [stats.charts[name] for name in PUBLIC_CHARTS]
    table = {"headers": headers, "show_all_link": show_all_link}
    return {
        "breadcrumbs": fragments.breadcrumbs(stats.breadcrumbs),
        "figures": fragments.figures(stats.total),
        "charts": fragments.charts_html(chart_list),
        "agencies": fragments.performance(
            stats.agencies,
            total=stats.agencies_total,
            caption=_("Kinerja per instansi"),
            units=False,
            **table,
        ),
        "units": fragments.performance(
            stats.units,
            total=stats.units_total,
            caption=_("Kinerja per unit kerja"),
            units=True,
            **table,
        )
        if stats.units
        else "",
        "overdue": fragments.overdue_list(stats.overdue),
    }


PUBLIC_CHARTS = ("month", "region", "category", "status", "type", "channel")


def category_option_tags(selected: str) -> str:
    """The `<option>`s of the filter's category list in the active language, rendered once
    per process for each choice and language until categories change (core.refcache). A
    choice that is no active category selects nothing, as "" does, and shares its entry:
    visitors cannot add entries at will."""
    slugs = refcache.lookup(
        "stats-category-slugs", "active", lambda: frozenset(o.slug for o in _category_options())
    )
    chosen = selected if selected in slugs else ""
    language = get_language()
    return refcache.lookup(
        "stats-category-options",
        (chosen or "-", language),
        lambda: fragments.category_options(_category_options(), chosen, language),
    )


class CategoryOption(NamedTuple):
    slug: str
    parent_id: int | None
    name: str
    name_en: str


def _category_options() -> list[CategoryOption]:
    """The active categories, each under its parent (one query per process and version)."""

    def load():
        rows = Category.objects.filter(is_active=True).select_related("parent")
        rows = sorted(
            rows, key=lambda c: (c.parent.name if c.parent_id else c.name, c.parent_id or 0, c.name)
        )
        return [CategoryOption(c.slug, c.parent_id, c.name, c.name_en) for c in rows]

    return refcache.lookup("stats-category-list", "active", load)


@require_GET
def statistics(request):
    try:
        start, end = parse_period(request.GET)
        region = parse_region(request.GET)
        category = parse_category(request.GET)
    except BadParameter as error:
        context = {
            "form": request.GET,
            "error": error,
            "LANGUAGE_CODE": get_language(),
            "category_option_tags": category_option_tags(request.GET.get("kategori", "")),
        }
        body = render_to_string("stats/_public_body.html", context)
        return render(request, "stats/public.html", {"body": mark_safe(body)}, status=400)  # noqa: S308
    sel = Selection(
        start=start,
        end=end,
        region=region.code if region else "",
        category_ids=category.ids,
    )
    key = cache_key("public", start, end, sel.region, category.ids)
    data = cache.get(key)
    fresh = data is None
    if fresh:
        data = load(sel)
        cache.set(key, data, CACHE_SECONDS)
    html_key = body_key(key, data, request.GET)
    # Freshly loaded data has a new version: nothing can be cached for it yet.
    body = cache.get(html_key) if html_key and not fresh else None
    presented: list = []
    if body is None:
        body, stats = public_body(data, request.GET, start=start, end=end, region=region)
        presented.append(stats)
        if html_key:
            cache.set(html_key, body, CACHE_SECONDS)

    def stats() -> Presented:
        # Only computed when read (by tests, through response.context) on a cached body.
        if not presented:
            sort, descending = parse_sort(request.GET)
            limit = None if request.GET.get("semua") == "1" else TABLE_ROWS
            presented.append(present(data, sort=sort, descending=descending, limit=limit))
        return presented[0]

    context = {
        "body": mark_safe(body),  # noqa: S308
        "stats": SimpleLazyObject(stats),
        # The newest signed digest of the whole history, for anyone to keep a copy.
        "checkpoint": latest_public(),
    }
    return render(request, "stats/public.html", context)
