"""The statistics shown on the public page, the dashboards and the monthly PDF: loaded from
the aggregates in a small constant number of queries (`load`), then labelled and charted
for one language (`present`)."""

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aduan.agencies.models import Agency
from aduan.categories.models import Category
from aduan.regions.models import Region
from aduan.reports.models import Channel, ReportType, Status

from . import charts, deltas
from .contributions import STATS_TIME_ZONE
from .models import CUBE_MEASURES
from .queries import (
    BREAKDOWNS,
    Figures,
    Overview,
    Selection,
    month_range,
    overdue_by_agency,
    overview,
)


@dataclass
class StatsData:
    """Everything a statistics page shows, as plain data (cacheable)."""

    selection: Selection
    overview: Overview
    overdue: list[dict]
    categories: dict[int, dict]
    regions: dict[str, str]
    agencies: dict[int, dict]
    # Changes with every load: HTML rendered from this data is cached under it, so a page
    # never shows HTML of older figures than the cached data (views/public.py).
    version: str = field(default_factory=lambda: uuid.uuid4().hex)
    # Up to when the figures are complete (deferred upkeep: the worker's last fold; read
    # before the figures, so they hold at least every change made before it).
    as_of: dt.datetime | None = None


UNIT_DEPTH = 5  # units are listed from the regency/city level down


def wants_units(sel: Selection) -> bool:
    """Per-unit figures only where the list stays readable and cheap: within a regency or
    city, or for one agency or unit (nationally there are tens of thousands of units)."""
    return len(sel.region) >= UNIT_DEPTH or sel.agency_id is not None or sel.unit_id is not None


def load(sel: Selection, *, units: bool | None = None) -> StatsData:
    if units is None:
        units = wants_units(sel)
    complete = deltas.complete_as_of()
    breakdowns = [name for name in BREAKDOWNS if units or name != "unit"]
    ov = overview(sel, breakdowns)
    overdue = overdue_by_agency(sel, units=units)
    agency_ids = {key[0] for key, _ in ov.by.get("agency", [])}
    agency_ids |= {key[1] for key, _ in ov.by.get("unit", [])}
    agency_ids |= {row["agency_id"] for row in overdue} | {row["unit_id"] for row in overdue}
    agency_ids.discard(0)
    agencies = {
        a["id"]: a
        for a in Agency.objects.filter(pk__in=agency_ids).values(
            "id", "uuid", "name", "short_name", "parent_id"
        )
    }
    categories = {
        c["id"]: c
        for c in Category.objects.values("id", "slug", "name", "name_en", "parent_id", "sort_order")
    }
    codes = {code for code, _ in ov.regions if code}
    if sel.region:
        parts = sel.region.split(".")
        codes |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    regions = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return StatsData(sel, ov, overdue, categories, regions, agencies, as_of=complete)


def as_of_label(data) -> str:
    """ "HH:MM:SS" in WIB of the moment the figures are complete to ("" if unknown)."""
    moment = getattr(data, "as_of", None)  # data cached before the field existed: None
    return moment.astimezone(STATS_TIME_ZONE).strftime("%H:%M:%S") if moment else ""


# ------------------------------------------------------------------ presentation


def merge(into: Figures, other: Figures) -> Figures:
    for name in CUBE_MEASURES:
        setattr(into, name, getattr(into, name) + getattr(other, name))
    for histogram in ("first_response", "closure"):
        target = getattr(into, histogram)
        for bucket, count in getattr(other, histogram).items():
            target[bucket] = target.get(bucket, 0) + count
    return into


def category_label(category: dict | None) -> str:
    if category is None:
        return _("Tanpa kategori")
    if get_language() == "en" and category["name_en"]:
        return category["name_en"]
    return category["name"]


def agency_label(agency: dict | None) -> str:
    if agency is None:
        return _("Belum didisposisikan")
    return agency["name"]


@dataclass
class PerformanceRow:
    name: str
    parent: str
    figures: Figures
    overdue_now: int = 0
    href: str = ""

    def sort_value(self, key: str):
        f = self.figures
        return {
            "nama": self.name.lower(),
            "laporan": f.reports,
            "selesai": f.completion_rate,
            "tepat": f.on_time_rate,
            "tl": f.median_first_response_days,
            "tuntas": f.median_closure_days,
            "nilai": f.average_rating,
            "terlambat": self.overdue_now,
        }[key]


SORT_KEYS = ("nama", "laporan", "selesai", "tepat", "tl", "tuntas", "nilai", "terlambat")


def sort_rows(rows: list[PerformanceRow], key: str, descending: bool) -> list[PerformanceRow]:
    """Sort by one column; rows without a value for it always come last."""
    with_value = [r for r in rows if r.sort_value(key) is not None]
    without = [r for r in rows if r.sort_value(key) is None]
    with_value.sort(key=lambda r: (r.sort_value(key), r.name.lower()), reverse=descending)
    return with_value + sorted(without, key=lambda r: r.name.lower())


@dataclass
class Presented:
    total: Figures
    charts: dict[str, charts.Chart]
    agencies: list[PerformanceRow]
    units: list[PerformanceRow]
    overdue: list[PerformanceRow]
    breadcrumbs: list[tuple[str, str]]
    region_name: str
    category_name: str
    agencies_total: int = 0
    units_total: int = 0
    extra: dict = field(default_factory=dict)


def present(
    data: StatsData,
    *,
    link=lambda **params: "",
    sort: str = "laporan",
    descending: bool = True,
    slug_prefix: str = "chart",
    limit: int | None = None,
    root: str = "",
) -> Presented:
    """Label, chart and sort the data for the current language. `link(**params)` builds a
    URL to the same page with some parameters changed (drill-down links). `root` is the
    region the viewer's scope is limited to (a supervisor's): the breadcrumbs start there,
    its parents named without links."""
    sel, ov = data.selection, data.overview
    cats = data.categories

    # Reports per month, every month of the period shown (zeros included).
    per_month = {key[0]: f.reports for key, f in ov.by.get("month", [])}
    months = month_range(sel.start, sel.end) if sel.start and sel.end else sorted(per_month)
    month_chart = charts.columns(
        f"{slug_prefix}-month",
        _("Laporan masuk per bulan"),
        [(date_format(m, "M Y"), per_month.get(m, 0)) for m in months],
        column=_("Laporan"),
        label_column=_("Bulan"),
    )

    # Categories: top-level topics, or the sub-topics of the chosen topic.
    chosen = sel.category_ids[0] if sel.category_ids else None
    grouped: dict[int, Figures] = {}
    for (category_id,), figures in ov.by.get("category", []):
        category = cats.get(category_id)
        if chosen is None and category and category["parent_id"]:
            category_id = category["parent_id"]
        grouped[category_id] = merge(grouped.get(category_id, Figures()), figures)
    category_items = sorted(
        (
            (
                category_label(cats.get(cid)),
                f.reports,
                link(kategori=cats[cid]["slug"]) if cid in cats and chosen is None else "",
            )
            for cid, f in grouped.items()
        ),
        key=lambda item: (-item[1], item[0]),
    )
    category_chart = charts.bars(
        f"{slug_prefix}-category",
        _("Laporan per kategori"),
        category_items,
        column=_("Laporan"),
        label_column=_("Kategori"),
    )

    region_items = sorted(
        (
            (
                data.regions.get(code, code) if code else _("Wilayah belum ditentukan"),
                f.reports,
                link(wilayah=code) if code and len(code) <= 5 else "",
            )
            for code, f in ov.regions
        ),
        key=lambda item: (-item[1], item[0]),
    )
    region_chart = charts.bars(
        f"{slug_prefix}-region",
        _("Laporan per wilayah"),
        region_items,
        column=_("Laporan"),
        label_column=_("Wilayah"),
    )

    def labelled(name: str, choices, title: str, label_column: str) -> charts.Chart:
        labels = dict(choices)
        items = sorted(
            ((str(labels.get(key[0], key[0])), f.reports, "") for key, f in ov.by.get(name, [])),
            key=lambda item: (-item[1], item[0]),
        )
        return charts.bars(
            f"{slug_prefix}-{name}",
            title,
            items,
            column=_("Laporan"),
            label_column=label_column,
        )

    chart_map = {
        "month": month_chart,
        "category": category_chart,
        "region": region_chart,
        "type": labelled("type", ReportType.choices, _("Laporan per jenis"), _("Jenis")),
        "channel": labelled("channel", Channel.choices, _("Laporan per kanal"), _("Kanal")),
        "status": labelled("status", Status.choices, _("Laporan per status"), _("Status")),
    }

    overdue_agency: dict[int, int] = {}
    overdue_unit: dict[int, int] = {}
    for row in data.overdue:
        overdue_agency[row["agency_id"]] = overdue_agency.get(row["agency_id"], 0) + row["overdue"]
        if row["unit_id"]:
            overdue_unit[row["unit_id"]] = overdue_unit.get(row["unit_id"], 0) + row["overdue"]

    agencies = [
        PerformanceRow(
            agency_label(data.agencies.get(agency_id)),
            "",
            f,
            overdue_agency.get(agency_id, 0),
        )
        for (agency_id,), f in ov.by.get("agency", [])
        if agency_id
    ]
    units = []
    for (agency_id, unit_id), f in ov.by.get("unit", []):
        if not unit_id:
            continue
        unit = data.agencies.get(unit_id)
        units.append(
            PerformanceRow(
                agency_label(unit),
                agency_label(data.agencies.get(agency_id)),
                f,
                overdue_unit.get(unit_id, 0),
            )
        )
    overdue_rows = []
    for agency_id, count in overdue_agency.items():
        if agency_id and count:
            row = PerformanceRow(agency_label(data.agencies.get(agency_id)), "", Figures(), count)
            overdue_rows.append(row)
    overdue_rows.sort(key=lambda r: (-r.overdue_now, r.name))

    breadcrumbs = [] if root else [(_("Indonesia"), link(wilayah=""))]
    if sel.region:
        parts = sel.region.split(".")
        depth = len(root.split(".")) if root else 0
        for i in range(1, len(parts) + 1):
            code = ".".join(parts[:i])
            # Above the root is outside the viewer's scope: named, not linked.
            href = link(wilayah=code) if i >= depth else ""
            breadcrumbs.append((data.regions.get(code, code), href))
    category_name = ""
    if chosen is not None:
        category_name = category_label(cats.get(chosen))
    return Presented(
        total=ov.total,
        charts=chart_map,
        agencies=sort_rows(agencies, sort, descending)[:limit],
        units=sort_rows(units, sort, descending)[:limit],
        agencies_total=len(agencies),
        units_total=len(units),
        overdue=overdue_rows,
        breadcrumbs=breadcrumbs,
        region_name=breadcrumbs[-1][0],
        category_name=category_name,
    )


def period_label(start: dt.date, end: dt.date) -> str:
    if start == end:
        return date_format(start, "F Y")
    return f"{date_format(start, 'F Y')} – {date_format(end, 'F Y')}"
