"""Charts drawn on the server as inline SVG: no JavaScript, readable at 360 px, the same
markup in the browser and in the monthly PDF.

Each chart is an `<svg role="img">` with a <title> and a <desc>; the template shows the
same numbers as a table (`fragments.chart`) for screen readers and for anyone who
prefers to read them. Sizes are in a 360-unit-wide viewBox that scales to the container,
so text stays legible on a phone and grows on a desktop up to the CSS max-width.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 360
BAR = "#1f6f8b"
BAR_ALT = "#c2571a"
GRID = "#d0d7de"
TEXT = "#1b1f24"
MUTED = "#57606a"
# A presentation attribute, not a style attribute: the Content-Security-Policy allows no
# inline style (docs/SECURITY.md).
FONT = "system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif"


@dataclass
class Row:
    label: str
    values: tuple
    href: str = ""


@dataclass
class Chart:
    """An SVG chart and the table of the numbers it draws."""

    slug: str
    title: str
    svg: SafeString
    columns: list[str]
    rows: list[Row] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.rows


def fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return number_format(value, decimal_pos=1, use_l10n=True, force_grouping=True)
    return number_format(value, use_l10n=True, force_grouping=True)


def _open(slug: str, title: str, desc: str, height: float) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="100%" role="img" aria-labelledby="{slug}-title {slug}-desc" '
        f'preserveAspectRatio="xMinYMin meet" font-family="{FONT}">',
        f'<title id="{slug}-title">{escape(title)}</title>',
        f'<desc id="{slug}-desc">{escape(desc)}</desc>',
    ]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _summary(items: Sequence[tuple[str, float]]) -> str:
    if not items:
        return _("Tidak ada data.")
    label, value = max(items, key=lambda item: item[1])
    total = sum(v for _, v in items)
    return _("%(count)s kelompok, total %(total)s; terbanyak %(label)s (%(value)s).") % {
        "count": fmt(len(items)),
        "total": fmt(total),
        "label": label,
        "value": fmt(value),
    }


def empty_chart(slug: str, title: str, columns: list[str]) -> Chart:
    parts = _open(slug, title, _("Tidak ada data."), 40)
    parts.append(
        f'<text x="0" y="24" font-size="13" fill="{MUTED}">{escape(_("Tidak ada data."))}</text>'
    )
    parts.append("</svg>")
    return Chart(slug, title, mark_safe("".join(parts)), columns)  # noqa: S308 - escaped above


def bars(
    slug: str,
    title: str,
    items: Sequence[tuple[str, int | float, str]],
    *,
    column: str,
    label_column: str,
    suffix: str = "",
) -> Chart:
    """Horizontal bars, one row per item: (label, value, link)."""
    columns = [label_column, column]
    if not items:
        return empty_chart(slug, title, columns)
    top = max((v for _, v, _ in items), default=0) or 1
    row_height = 34
    height = len(items) * row_height + 4
    parts = _open(slug, title, _summary([(label, v) for label, v, _ in items]), height)
    value_room = 64
    for index, (label, value, _href) in enumerate(items):
        y = index * row_height
        width = max(0.0, (WIDTH - value_room) * value / top)
        parts.append(
            f'<text x="0" y="{y + 13}" font-size="12" fill="{TEXT}">{escape(_clip(label, 52))}</text>'
            f'<rect x="0" y="{y + 18}" width="{width:.1f}" height="11" rx="2" fill="{BAR}">'
            f"<title>{escape(label)}: {escape(fmt(value))}{escape(suffix)}</title></rect>"
            f'<text x="{width + 4:.1f}" y="{y + 28}" font-size="11" fill="{MUTED}">'
            f"{escape(fmt(value))}{escape(suffix)}</text>"
        )
    parts.append("</svg>")
    rows = [Row(label, (fmt(value) + suffix,), href) for label, value, href in items]
    return Chart(slug, title, mark_safe("".join(parts)), columns, rows)  # noqa: S308


def nice_scale(largest: float) -> tuple[float, list[float]]:
    """(axis top, tick values) with round steps: 0, 5, 10 rather than 0, 3.5, 7."""
    if largest <= 0:
        return 1.0, [0.0]
    raw = largest / 3
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(step, 1.0)  # counts are whole numbers
    top = step * math.ceil(largest / step)
    ticks = []
    value = 0.0
    while value <= top + 1e-9:
        ticks.append(value)
        value += step
    return top, ticks


def columns(
    slug: str,
    title: str,
    items: Sequence[tuple[str, int]],
    *,
    column: str,
    label_column: str,
) -> Chart:
    """Vertical columns over time (e.g. reports per month)."""
    headers = [label_column, column]
    if not items or not any(v for _, v in items):
        return empty_chart(slug, title, headers)
    height, left, bottom, top_pad = 190, 34, 30, 10
    plot_w, plot_h = WIDTH - left - 4, height - bottom - top_pad
    top, ticks = nice_scale(max(v for _, v in items))
    parts = _open(slug, title, _summary(items), height)
    for tick in ticks:
        y = top_pad + plot_h - plot_h * tick / top
        parts.append(
            f'<line x1="{left}" x2="{WIDTH}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.6"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="10" fill="{MUTED}" text-anchor="end">'
            f"{escape(fmt(round(tick)))}</text>"
        )
    slot = plot_w / len(items)
    bar_w = max(1.5, slot * 0.7)
    every = max(1, -(-len(items) // 8))  # at most ~8 labels on the axis
    for index, (label, value) in enumerate(items):
        x = left + index * slot + (slot - bar_w) / 2
        h = plot_h * value / top
        parts.append(
            f'<rect x="{x:.1f}" y="{top_pad + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
            f'fill="{BAR}"><title>{escape(label)}: {escape(fmt(value))}</title></rect>'
        )
        if index % every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 14}" font-size="10" '
                f'fill="{MUTED}" text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    rows = [Row(label, (fmt(value),)) for label, value in items]
    return Chart(slug, title, mark_safe("".join(parts)), headers, rows)  # noqa: S308


def lines(
    slug: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    label_column: str,
) -> Chart:
    """Two or more series over time (e.g. received vs closed per day)."""
    headers = [label_column, *(name for name, _ in series)]
    if not labels or not any(any(values) for _, values in series):
        return empty_chart(slug, title, headers)
    height, left, bottom, top_pad = 200, 34, 44, 10
    plot_w, plot_h = WIDTH - left - 6, height - bottom - top_pad
    top, ticks = nice_scale(max(max(values) for _, values in series))
    totals = ", ".join(f"{name}: {fmt(sum(values))}" for name, values in series)
    parts = _open(slug, title, totals, height)
    for tick in ticks:
        y = top_pad + plot_h - plot_h * tick / top
        parts.append(
            f'<line x1="{left}" x2="{WIDTH}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.6"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="10" fill="{MUTED}" text-anchor="end">'
            f"{escape(fmt(round(tick)))}</text>"
        )
    step = plot_w / max(1, len(labels) - 1)
    colours = [BAR, BAR_ALT, "#6e40aa"]
    dashes = ["", ' stroke-dasharray="5 3"', ' stroke-dasharray="2 2"']
    for index, (name, values) in enumerate(series):
        points = " ".join(
            f"{left + i * step:.1f},{top_pad + plot_h - plot_h * v / top:.1f}"
            for i, v in enumerate(values)
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colours[index % 3]}" '
            f'stroke-width="2"{dashes[index % 3]}><title>{escape(name)}</title></polyline>'
        )
    every = max(1, -(-len(labels) // 6))
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            parts.append(
                f'<text x="{left + i * step:.1f}" y="{height - bottom + 14}" font-size="10" '
                f'fill="{MUTED}" text-anchor="middle">{escape(label)}</text>'
            )
    legend_y = height - 10
    x = left
    for index, (name, _values) in enumerate(series):
        parts.append(
            f'<line x1="{x}" x2="{x + 18}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
            f'stroke="{colours[index % 3]}" stroke-width="2"{dashes[index % 3]}/>'
            f'<text x="{x + 22}" y="{legend_y}" font-size="11" fill="{TEXT}">{escape(name)}</text>'
        )
        x += 30 + 7 * len(name)
    parts.append("</svg>")
    rows = [
        Row(label, tuple(fmt(values[i]) for _, values in series)) for i, label in enumerate(labels)
    ]
    return Chart(slug, title, mark_safe("".join(parts)), headers, rows)  # noqa: S308
