"""HTML of the statistics pages' large repeated parts, built in Python.

The performance tables, the charts' data tables, the headline figures and the filter's
category list make up most of a statistics page: several hundred cells, each a number
formatted for the reader's language. Rendered through Django templates (an `{% include %}`
per chart or table, a filter per cell) they cost 30–60 ms of CPU per page; built here as
strings they cost a few.

Each builder has a reference template in `stats/templates/stats/fragments/` with the same
markup (elements, classes, captions and headers for screen readers, gettext messages with
Indonesian msgids); `tests/test_fragments.py` renders both for real pages in both
languages and compares them. Markup is built with `format_html` and `format_html_join`,
which escape every value unless it is already safe (another fragment, a chart's SVG);
translated messages are used as the template tags use them (`core.html`).
"""

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.utils.formats import date_format, get_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import localtime

from aduan.core.html import NOTHING, blocktranslate, concat, t
from aduan.reports.models import Status

from . import charts
from .templatetags import stats as filters
from .templatetags.stats import days, decimal1, percent

NUMBER_TYPES = (int, float, Decimal)
NUM_CLASS = mark_safe(' class="num"')
SELECTED = mark_safe(" selected")
CHILD_DASH = mark_safe("— ")
ZERO = mark_safe("0")


def number(formatter, value) -> str:
    """`formatter(value)`, one of the statistics filters. Given a number (or None) they
    return digits, signs and the language's separators (or "–"), with no markup to
    escape: that result is marked safe, which spares the escaping of several hundred
    cells per page. Anything else is returned as is, to be escaped like any text."""
    text = formatter(value)
    return SafeString(text) if value is None or type(value) in NUMBER_TYPES else text


def count(value) -> str:
    """The `count` filter, with a shortcut for whole numbers (most cells): the same
    string as `number_format(value, use_l10n=True, force_grouping=True)`."""
    if type(value) is int and get_format("NUMBER_GROUPING") == 3:
        return SafeString(f"{value:,}".replace(",", get_format("THOUSAND_SEPARATOR")))
    return number(filters.count, value)


FIGURES = """<dl class="stat-grid stats-figures">
  <div class="stat"><dt>{reports_label}</dt><dd>{reports}</dd></div>
  <div class="stat"><dt>{completion_label}</dt><dd>{completion}</dd>
    <dd class="stat-note">{closed_of_handled}</dd></div>
  <div class="stat"><dt>{on_time_label}</dt><dd>{on_time}</dd>
    <dd class="stat-note">{on_time_note}</dd></div>
  <div class="stat"><dt>{closed_on_time_label}</dt><dd>{closed_on_time}</dd>
    <dd class="stat-note">{closed_on_time_note}</dd></div>
  <div class="stat"><dt>{first_response_label}</dt><dd>{first_response}</dd></div>
  <div class="stat"><dt>{closure_label}</dt><dd>{closure}</dd></div>
  <div class="stat"><dt>{rating_label}</dt><dd>{rating}</dd>
    <dd class="stat-note">{ratings}</dd></div>
  <div class="stat"><dt>{overdue_label}</dt><dd>{overdue}</dd>
    <dd class="stat-note">{overdue_note}</dd></div>
</dl>
"""


def figures(total) -> SafeString:
    """The headline figures (`<dl>` of the summary)."""
    rating = "–"
    if total.average_rating is not None:
        rating = format_html("{} / 5", number(decimal1, total.average_rating))
    return format_html(
        FIGURES,
        reports_label=t("Laporan masuk"),
        reports=count(total.reports),
        completion_label=t("Tingkat penyelesaian"),
        completion=number(percent, total.completion_rate),
        closed_of_handled=blocktranslate(
            "%(closed)s selesai dari %(handled)s yang diteruskan",
            closed=count(total.closed),
            handled=count(total.handled),
        ),
        on_time_label=t("Tindak lanjut pertama tepat waktu"),
        on_time=number(percent, total.on_time_rate),
        on_time_note=t("batas 5 hari kerja"),
        closed_on_time_label=t("Selesai tepat waktu"),
        closed_on_time=number(percent, total.closed_on_time_rate),
        closed_on_time_note=t("batas 5/14/60 hari kerja"),
        first_response_label=t("Median tindak lanjut pertama"),
        first_response=number(days, total.median_first_response_days),
        closure_label=t("Median penyelesaian"),
        closure=number(days, total.median_closure_days),
        rating_label=t("Rata-rata penilaian"),
        rating=rating,
        ratings=blocktranslate("jumlah penilaian: %(n)s", n=count(total.rated)),
        overdue_label=t("Terlambat saat ini"),
        overdue=count(total.overdue),
        overdue_note=t("dari laporan periode ini"),
    )


CHART = """<figure class="chart-figure" id="{slug}">
  <figcaption class="chart-title">{title}</figcaption>
  {svg}
{table}</figure>
"""
CHART_TABLE = """  <details class="chart-data">
    <summary>{summary}</summary>
    <div class="table-scroll" tabindex="0" role="region" aria-label="{title}">
    <table>
      <caption class="visually-hidden">{title}</caption>
      <thead><tr>{head}</tr></thead>
      <tbody>
{rows}      </tbody>
    </table>
    </div>
  </details>
"""


def _chart_row(row: charts.Row) -> SafeString:
    # One format_html per row, its cells included: tables have up to a few hundred cells.
    cells = '<td class="num">{}</td>' * len(row.values)
    label = format_html('<a href="{}">{}</a>', row.href, row.label) if row.href else row.label
    return format_html(
        '        <tr><th scope="row">{}</th>' + cells + "</tr>\n", label, *row.values
    )


def chart(chart: charts.Chart) -> SafeString:
    """A chart as a figure: its SVG (built and escaped by `charts`) and, unless empty, its
    numbers in a table."""
    table = NOTHING
    if not chart.empty:
        table = format_html(
            CHART_TABLE,
            summary=t("Lihat angka dalam tabel"),
            title=chart.title,
            head=format_html_join("", '<th scope="col">{}</th>', ((c,) for c in chart.columns)),
            rows=concat(map(_chart_row, chart.rows)),
        )
    return format_html(CHART, slug=chart.slug, title=chart.title, svg=chart.svg, table=table)


def charts_html(chart_list: Sequence[charts.Chart]) -> SafeString:
    return format_html_join("  ", "{}", ((chart(c),) for c in chart_list))


def shown_of(shown: int, total: int, show_all_link: str) -> SafeString:
    """ "Showing 50 of 412. Show all" under a shortened table (nothing when nothing is
    cut)."""
    if shown >= total:
        return NOTHING
    return format_html(
        '<p class="help">{} <a href="{}">{}</a></p>',
        blocktranslate("Menampilkan %(shown)s dari %(all)s.", shown=count(shown), all=count(total)),
        show_all_link,
        t("Tampilkan semua"),
    )


PERFORMANCE = """<div class="table-scroll" tabindex="0" role="region" aria-label="{caption}">
<table class="performance">
  <caption>{caption}</caption>
  <thead><tr>
{head}  </tr></thead>
  <tbody>
{body}  </tbody>
</table>
</div>
{shown_of}
"""
PERFORMANCE_HEADER = """    <th scope="col"{aria_sort}{num}>
      <a href="{href}">{label}{arrow}</a>
    </th>
"""
PERFORMANCE_ROW = """    <tr>
      <th scope="row">{name}</th>
      <td class="num">{reports}</td>
      <td class="num">{completion}</td>
      <td class="num">{on_time}</td>
      <td class="num">{first_response}</td>
      <td class="num">{closure}</td>
      <td class="num">{rating}</td>
      <td class="num">{overdue}</td>
    </tr>
"""


def _name_and_parent(name: str, parent: str | None):
    if not parent:
        return name
    return format_html('{}<br><span class="muted small">{}</span>', name, parent)


def _overdue_badge(overdue: int):
    if not overdue:
        return ZERO
    return format_html('<span class="badge badge-danger">{}</span>', count(overdue))


def _performance_header(header: dict, units: bool) -> dict:
    arrow = NOTHING
    if header["active"]:
        arrow = format_html(
            ' <span aria-hidden="true">{}</span>', "▼" if header["descending"] else "▲"
        )
    return {
        "aria_sort": format_html(' aria-sort="{}"', header["aria_sort"])
        if header["aria_sort"]
        else NOTHING,
        "num": NUM_CLASS if header["key"] != "nama" else NOTHING,
        "href": header["href"],
        "label": t("Unit kerja") if header["key"] == "nama" and units else header["label"],
        "arrow": arrow,
    }


def _performance_row(row) -> dict:
    f = row.figures
    return {
        "name": _name_and_parent(row.name, row.parent),
        "reports": count(f.reports),
        "completion": number(percent, f.completion_rate),
        "on_time": number(percent, f.on_time_rate),
        "first_response": number(decimal1, f.median_first_response_days),
        "closure": number(decimal1, f.median_closure_days),
        "rating": number(decimal1, f.average_rating),
        "overdue": _overdue_badge(row.overdue_now),
    }


def performance(
    rows: Sequence,
    *,
    total: int,
    caption: str,
    units: bool,
    headers: list[dict],
    show_all_link: str,
) -> SafeString:
    """One performance table (agencies or units), with sortable column headers."""
    if rows:
        body = format_html_join("", PERFORMANCE_ROW, (_performance_row(row) for row in rows))
    else:
        body = format_html(
            '    <tr><td colspan="{}">{}</td></tr>\n',
            len(headers),
            t("Belum ada laporan yang didisposisikan pada periode ini."),
        )
    return format_html(
        PERFORMANCE,
        caption=caption,
        head=format_html_join(
            "", PERFORMANCE_HEADER, (_performance_header(h, units) for h in headers)
        ),
        body=body,
        shown_of=shown_of(len(rows), total, show_all_link),
    )


def overdue_list(rows: Iterable) -> SafeString:
    """The public list of agencies with overdue reports."""
    items = format_html_join(
        "",
        '<li>{} <span class="badge badge-danger">{}</span></li>',
        ((row.name, blocktranslate("%(n)s terlambat", n=count(row.overdue_now))) for row in rows),
    )
    return format_html('<ul class="overdue-list">\n    {}\n  </ul>\n', items)


def breadcrumbs(crumbs: Sequence[tuple[str, str]]) -> SafeString:
    last = len(crumbs) - 1
    items = format_html_join(
        "",
        "    <li>{}</li>\n",
        (
            (
                format_html('<span aria-current="page">{}</span>', name)
                if index == last
                else format_html('<a href="{}">{}</a>', href, name)
                if href
                else name,
            )
            for index, (name, href) in enumerate(crumbs)
        ),
    )
    return format_html(
        '<nav class="stats-breadcrumbs" aria-label="{}">\n  <ol>\n{}  </ol>\n</nav>\n',
        t("Wilayah"),
        items,
    )


def category_options(options: Iterable, selected: str, language: str) -> SafeString:
    """The `<option>`s of the filter's category list (after "all categories")."""
    english = language == "en"
    items = format_html_join(
        "",
        '        <option value="{}"{}>{}{}</option>\n',
        (
            (
                option.slug,
                SELECTED if option.slug == selected else NOTHING,
                CHILD_DASH if option.parent_id else NOTHING,
                option.name_en if english and option.name_en else option.name,
            )
            for option in options
        ),
    )
    return format_html("{}\n", items)


WORKLOAD = """<div class="table-scroll" tabindex="0" role="region" aria-label="{caption}">
  <table class="workload">
    <caption class="visually-hidden">{caption}</caption>
    <thead><tr><th scope="col">{unit}</th>{head}<th scope="col" class="num">{total_label}</th><th scope="col" class="num">{overdue_label}</th></tr></thead>
    <tbody>
{body}    </tbody>
  </table>
  </div>
  {shown_of}
"""


def _workload_row(row: dict) -> SafeString:
    # One format_html per row, its cells included (a national dashboard has hundreds).
    cells = '<td class="num">{}</td>' * len(row["cells"])
    return format_html(
        '      <tr><th scope="row">{}</th>\n        '
        + cells
        + '\n        <td class="num">{}</td>\n        <td class="num">{}</td></tr>\n',
        _name_and_parent(row["name"], row["parent"]),
        *map(count, row["cells"]),
        count(row["total"]),
        _overdue_badge(row["overdue"]),
    )


def workload(
    rows: Sequence[dict],
    *,
    total: int,
    open_columns: Sequence[str],
    show_all_link: str,
) -> SafeString:
    """The dashboard's table of open reports per unit and status."""
    if rows:
        body = concat(map(_workload_row, rows))
    else:
        body = format_html(
            '      <tr><td colspan="{}">{}</td></tr>\n',
            len(open_columns) + 3,
            t("Tidak ada laporan terbuka."),
        )
    return format_html(
        WORKLOAD,
        caption=t("Beban kerja per unit"),
        unit=t("Unit kerja"),
        head=format_html_join(
            "", '<th scope="col" class="num">{}</th>', ((label,) for label in open_columns)
        ),
        total_label=t("Jumlah"),
        overdue_label=t("Terlambat"),
        body=body,
        shown_of=shown_of(len(rows), total, show_all_link),
    )


QUEUE_ITEM = """  <li>
    {number}
    · {title}
    <br><span class="muted small">{where}
    · {status}{due}{escalation}{appeal}</span>
  </li>
"""


def queue(reports: Sequence, *, empty_text: str, length: int) -> SafeString:
    """A dashboard queue (overdue or escalated reports), linking to the workspace."""
    if not reports:
        return format_html("<p>{}</p>\n", empty_text)
    # What `get_status_display()` gives, and the messages, looked up once, not per report.
    statuses = {value: str(label) for value, label in Status.choices}
    waiting, due_label, escalation_label = t("Menunggu verifikasi"), t("tenggat"), t("eskalasi")
    appeal_badge = format_html(
        ' · <span class="badge badge-warn">{}</span>', t("dibanding pelapor")
    )

    def item(report) -> dict:
        number = report.tracking_number
        if report.workspace_url:
            number = format_html('<a href="{}">{}</a>', report.workspace_url, number)
        if report.unit:
            where = report.unit.name
        elif report.agency:
            where = report.agency.name
        else:
            where = waiting
        due = NOTHING
        if report.next_due_at:
            day = date_format(localtime(report.next_due_at), "j M Y")
            due = format_html(" · {} {}", due_label, day)
        escalation = NOTHING
        if report.escalation_level:
            escalation = format_html(
                ' · <span class="badge badge-danger">{} {}</span>',
                escalation_label,
                report.escalation_level,
            )
        return {
            "number": number,
            "title": Truncator(report.title).chars(80),
            "where": where,
            "status": statuses.get(report.status, report.status),
            "due": due,
            "escalation": escalation,
            "appeal": appeal_badge if report.appeal_used else NOTHING,
        }

    more = NOTHING
    if len(reports) >= length:
        more = format_html(
            '<p class="help">{}</p>',
            t("Menampilkan 20 teratas; lihat semuanya di ruang kerja atau unduh daftar."),
        )
    items = format_html_join("", QUEUE_ITEM, (item(report) for report in reports))
    return format_html('<ul class="queue">\n{}</ul>\n{}\n', items, more)


def agency_options(agencies: Iterable, selected=None) -> SafeString:
    """The `<option>`s of the monthly report's agency list, `selected` chosen."""
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((a.uuid, mark_safe(" selected") if a == selected else "", a.name) for a in agencies),
    )
    return format_html("{}\n", options)
