"""The public statistics page: everything from the aggregates, cached for a minute."""

import hashlib

from django.core.cache import cache
from django.shortcuts import render
from django.views.decorators.http import require_GET

from aduan.categories.models import Category

from ..pages import load, period_label, present
from ..params import BadParameter, parse_category, parse_period, parse_region
from ..queries import Selection
from .common import link_builder, parse_sort, sort_headers

CACHE_SECONDS = 60
# Rows of each performance table unless the reader asks for all (?semua=1).
TABLE_ROWS = 50


def cache_key(*parts) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"stats:{digest}"


def cached_load(sel: Selection, key: str):
    data = cache.get(key)
    if data is None:
        data = load(sel)
        cache.set(key, data, CACHE_SECONDS)
    return data


def warm_default_view(*, seconds: int) -> str:
    """Load the page's default view (national, the last twelve months, no filter) into the
    cache for `seconds`, replacing what is there: the worker calls this every minute
    (`tasks.warm_public_statistics`) so no visitor waits for the most requested view.
    Returns the cache key."""
    start, end = parse_period({})
    sel = Selection(start=start, end=end)
    key = cache_key("public", start, end, sel.region, None)
    cache.set(key, load(sel), seconds)
    return key


def _category_options() -> list[Category]:
    options = cache.get("stats:category-options")
    if options is None:
        options = list(Category.objects.filter(is_active=True).select_related("parent"))
        options.sort(
            key=lambda c: (c.parent.name if c.parent_id else c.name, c.parent_id or 0, c.name)
        )
        cache.set("stats:category-options", options, CACHE_SECONDS)
    return options


@require_GET
def statistics(request):
    context = {"form": request.GET, "category_options": _category_options()}
    try:
        start, end = parse_period(request.GET)
        region = parse_region(request.GET)
        category = parse_category(request.GET)
    except BadParameter as error:
        context["error"] = error
        return render(request, "stats/public.html", context, status=400)
    sort, descending = parse_sort(request.GET)
    sel = Selection(
        start=start,
        end=end,
        region=region.code if region else "",
        category_ids=category.ids,
    )
    key = cache_key("public", start, end, sel.region, category.ids)
    data = cached_load(sel, key)
    link = link_builder(request.GET)
    show_all = request.GET.get("semua") == "1"
    stats = present(
        data, link=link, sort=sort, descending=descending, limit=None if show_all else TABLE_ROWS
    )
    context.update(
        {
            "stats": stats,
            "period": period_label(start, end),
            "start": start,
            "end": end,
            "region": region,
            "category": category.category,
            "all_categories": link(kategori=""),
            "show_all_link": link(semua="1") + "#kinerja",
            "headers": sort_headers(request.GET, sort, descending, anchor="#kinerja"),
        }
    )
    return render(request, "stats/public.html", context)
