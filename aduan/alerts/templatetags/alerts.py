"""Links to the alerts and feeds from the public list and a report's page: one tag per
place, so those templates change by one line each."""

import re
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from aduan.reports.public import public_location

register = template.Library()

REGENCY_CODE = re.compile(r"^\d{2}\.\d{2}$")
SLUG = re.compile(r"^[-a-z0-9]{1,80}$")


def _with_query(path: str, params: dict) -> str:
    params = {key: value for key, value in params.items() if value}
    return f"{path}?{urlencode(params)}" if params else path


def _list_params(params) -> tuple[str, str]:
    regency = params.get("kabupaten", "")
    category = params.get("kategori", "")
    return (
        regency if REGENCY_CODE.match(regency) else "",
        category if SLUG.match(category) else "",
    )


@register.inclusion_tag("alerts/_list_links.html")
def alert_links_for_list(params):
    """Under the public list's filters: alerts and the feed for the regency and category
    the list is filtered by."""
    regency, category = _list_params(params)
    return {
        "subscribe_url": _with_query(
            reverse("alerts:subscribe"), {"kabupaten": regency, "kategori": category}
        ),
        "feed_url": _with_query(
            reverse("alerts:reports-feed"), {"wilayah": regency, "kategori": category}
        ),
    }


@register.inclusion_tag("alerts/_feed_link.html")
def alert_feed_link_for_list(params):
    regency, category = _list_params(params)
    return {
        "feed_url": _with_query(
            reverse("alerts:reports-feed"), {"wilayah": regency, "kategori": category}
        )
    }


@register.inclusion_tag("alerts/_report_links.html")
def alert_links_for_report(report):
    """On a published report's page: its timeline's feed, and alerts for its place as the
    public may know it (an anonymous report: its regency/city only, never a point)."""
    if not report.is_published:
        return {"show": False}
    location = public_location(report)
    code = location.region_code
    params = {
        "kabupaten": code[:5] if len(code) >= 5 else "",
        "kecamatan": location.district_code,
        "kategori": report.category.slug if report.category_id else "",
    }
    point_params = {}
    if location.latitude is not None and location.longitude is not None:
        point_params = {
            "area": "titik",
            "lintang": f"{location.latitude:.6f}",
            "bujur": f"{location.longitude:.6f}",
            "kategori": params["kategori"],
        }
    subscribe = reverse("alerts:subscribe")
    return {
        "show": True,
        "feed_url": reverse("alerts:report-feed", args=[report.tracking_number]),
        "area_url": _with_query(subscribe, params) if params["kabupaten"] else "",
        "point_url": _with_query(subscribe, point_params) if point_params else "",
    }


@register.inclusion_tag("alerts/_feed_link.html")
def alert_feed_link_for_report(report):
    if not report.is_published:
        return {}
    return {"feed_url": reverse("alerts:report-feed", args=[report.tracking_number])}
