"""HTML of the statistics pages' large repeated parts, built in Python.

The performance tables, the charts' data tables, the headline figures and the filter's
category list make up most of a statistics page: several hundred cells, each a number
formatted for the reader's language. Rendered through Django templates (an `{% include %}`
per chart or table, a filter per cell) they cost 30–60 ms of CPU per page; built here as
strings they cost a few. The markup is the same as the templates it replaces: the same
elements, classes, table captions and headers for screen readers, and the same gettext
messages (msgids in Indonesian), so the catalogues need no change.

Every value from the data is escaped with `escape`; translated messages are used as is
(with their values escaped), as `{% translate %}` and `{% blocktranslate %}` use them.
"""

from collections.abc import Iterable, Sequence
from html import escape

from django.utils.formats import date_format, get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import gettext

from aduan.reports.models import Status

from . import charts
from .templatetags import stats as filters
from .templatetags.stats import days, decimal1, percent


def t(message: str) -> str:
    """`{% translate message %}`: the translation, used as is (the catalogues are trusted,
    as that tag trusts them)."""
    return gettext(message)


def count(value) -> str:
    """The `count` filter, with a shortcut for whole numbers (most cells): the same
    string as `number_format(value, use_l10n=True, force_grouping=True)`."""
    if type(value) is int and get_format("NUMBER_GROUPING") == 3:
        return f"{value:,}".replace(",", get_format("THOUSAND_SEPARATOR"))
    return filters.count(value)


def e(value) -> str:
    return escape(str(value))


def figures(total) -> SafeString:
    """The headline figures (`<dl>` of the summary)."""
    rating = "–" if total.average_rating is None else f"{e(decimal1(total.average_rating))} / 5"
    closed_of_handled = gettext("%(closed)s selesai dari %(handled)s yang diteruskan") % {
        "closed": e(count(total.closed)),
        "handled": e(count(total.handled)),
    }
    ratings = gettext("jumlah penilaian: %(n)s") % {"n": e(count(total.rated))}
    html = f"""<dl class="stat-grid stats-figures">
  <div class="stat"><dt>{t("Laporan masuk")}</dt><dd>{e(count(total.reports))}</dd></div>
  <div class="stat"><dt>{t("Tingkat penyelesaian")}</dt><dd>{e(percent(total.completion_rate))}</dd>
    <dd class="stat-note">{closed_of_handled}</dd></div>
  <div class="stat"><dt>{t("Tindak lanjut pertama tepat waktu")}</dt><dd>{e(percent(total.on_time_rate))}</dd>
    <dd class="stat-note">{t("batas 5 hari kerja")}</dd></div>
  <div class="stat"><dt>{t("Selesai tepat waktu")}</dt><dd>{e(percent(total.closed_on_time_rate))}</dd>
    <dd class="stat-note">{t("batas 5/14/60 hari kerja")}</dd></div>
  <div class="stat"><dt>{t("Median tindak lanjut pertama")}</dt><dd>{e(days(total.median_first_response_days))}</dd></div>
  <div class="stat"><dt>{t("Median penyelesaian")}</dt><dd>{e(days(total.median_closure_days))}</dd></div>
  <div class="stat"><dt>{t("Rata-rata penilaian")}</dt><dd>{rating}</dd>
    <dd class="stat-note">{ratings}</dd></div>
  <div class="stat"><dt>{t("Terlambat saat ini")}</dt><dd>{e(count(total.overdue))}</dd>
    <dd class="stat-note">{t("dari laporan periode ini")}</dd></div>
</dl>"""
    return mark_safe(html)  # noqa: S308 - every value escaped above


def chart(chart: charts.Chart) -> SafeString:
    """A chart as a figure: its SVG and, unless empty, its numbers in a table."""
    parts = [
        f'<figure class="chart-figure" id="{e(chart.slug)}">\n'
        f'  <figcaption class="chart-title">{e(chart.title)}</figcaption>\n'
        f"  {chart.svg}\n"
    ]
    if not chart.empty:
        head = "".join(f'<th scope="col">{e(column)}</th>' for column in chart.columns)
        parts.append(
            '  <details class="chart-data">\n'
            f"    <summary>{t('Lihat angka dalam tabel')}</summary>\n"
            '    <div class="table-scroll">\n'
            "    <table>\n"
            f'      <caption class="visually-hidden">{e(chart.title)}</caption>\n'
            f"      <thead><tr>{head}</tr></thead>\n"
            "      <tbody>\n"
        )
        for row in chart.rows:
            label = e(row.label)
            if row.href:
                label = f'<a href="{e(row.href)}">{label}</a>'
            cells = "".join(f'<td class="num">{e(value)}</td>' for value in row.values)
            parts.append(f'        <tr><th scope="row">{label}</th>{cells}</tr>\n')
        parts.append("      </tbody>\n    </table>\n    </div>\n  </details>\n")
    parts.append("</figure>")
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above


def shown_of(shown: int, total: int, show_all_link: str) -> str:
    """ "Showing 50 of 412. Show all" under a shortened table ("" when nothing is cut)."""
    if shown >= total:
        return ""
    message = gettext("Menampilkan %(shown)s dari %(all)s.") % {
        "shown": e(count(shown)),
        "all": e(count(total)),
    }
    return f'<p class="help">{message} <a href="{e(show_all_link)}">{t("Tampilkan semua")}</a></p>'


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
    head = []
    for header in headers:
        attributes = ""
        if header["aria_sort"]:
            attributes += f' aria-sort="{e(header["aria_sort"])}"'
        if header["key"] != "nama":
            attributes += ' class="num"'
        label = t("Unit kerja") if header["key"] == "nama" and units else e(header["label"])
        if header["active"]:
            label += f' <span aria-hidden="true">{"▼" if header["descending"] else "▲"}</span>'
        head.append(
            f'    <th scope="col"{attributes}>\n      <a href="{e(header["href"])}">{label}</a>\n    </th>\n'
        )
    body = []
    for row in rows:
        f = row.figures
        name = e(row.name)
        if row.parent:
            name += f'<br><span class="muted small">{e(row.parent)}</span>'
        overdue = (
            f'<span class="badge badge-danger">{e(count(row.overdue_now))}</span>'
            if row.overdue_now
            else "0"
        )
        body.append(
            "    <tr>\n"
            f'      <th scope="row">{name}</th>\n'
            f'      <td class="num">{e(count(f.reports))}</td>\n'
            f'      <td class="num">{e(percent(f.completion_rate))}</td>\n'
            f'      <td class="num">{e(percent(f.on_time_rate))}</td>\n'
            f'      <td class="num">{e(decimal1(f.median_first_response_days))}</td>\n'
            f'      <td class="num">{e(decimal1(f.median_closure_days))}</td>\n'
            f'      <td class="num">{e(decimal1(f.average_rating))}</td>\n'
            f'      <td class="num">{overdue}</td>\n'
            "    </tr>\n"
        )
    if not rows:
        nothing = t("Belum ada laporan yang didisposisikan pada periode ini.")
        body.append(f'    <tr><td colspan="{len(headers)}">{nothing}</td></tr>\n')
    html = (
        '<div class="table-scroll">\n<table class="performance">\n'
        f"  <caption>{e(caption)}</caption>\n  <thead><tr>\n{''.join(head)}  </tr></thead>\n"
        f"  <tbody>\n{''.join(body)}  </tbody>\n</table>\n</div>\n"
        + shown_of(len(rows), total, show_all_link)
    )
    return mark_safe(html)  # noqa: S308 - every value escaped above


def overdue_list(rows: Iterable) -> SafeString:
    """The public list of agencies with overdue reports."""
    items = []
    for row in rows:
        badge = gettext("%(n)s terlambat") % {"n": e(count(row.overdue_now))}
        items.append(f'<li>{e(row.name)} <span class="badge badge-danger">{badge}</span></li>')
    return mark_safe('<ul class="overdue-list">\n    ' + "".join(items) + "\n  </ul>")  # noqa: S308


def breadcrumbs(crumbs: Sequence[tuple[str, str]]) -> SafeString:
    items = []
    for index, (name, href) in enumerate(crumbs):
        if index == len(crumbs) - 1:
            inner = f'<span aria-current="page">{e(name)}</span>'
        else:
            inner = f'<a href="{e(href)}">{e(name)}</a>'
        items.append(f"    <li>{inner}</li>\n")
    return mark_safe(  # noqa: S308 - every value escaped here
        f'<nav class="stats-breadcrumbs" aria-label="{t("Wilayah")}">\n  <ol>\n'
        + "".join(items)
        + "  </ol>\n</nav>"
    )


def category_options(options: Iterable, selected: str, language: str) -> SafeString:
    """The `<option>`s of the filter's category list (after "all categories")."""
    parts = []
    for option in options:
        mark = " selected" if option.slug == selected else ""
        dash = "— " if option.parent_id else ""
        name = option.name_en if language == "en" and option.name_en else option.name
        parts.append(f'        <option value="{e(option.slug)}"{mark}>{dash}{e(name)}</option>\n')
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped here


def workload(
    rows: Sequence[dict],
    *,
    total: int,
    open_columns: Sequence[str],
    show_all_link: str,
) -> SafeString:
    """The dashboard's table of open reports per unit and status."""
    head = "".join(f'<th scope="col" class="num">{e(label)}</th>' for label in open_columns)
    body = []
    for row in rows:
        name = e(row["name"])
        if row["parent"]:
            name += f'<br><span class="muted small">{e(row["parent"])}</span>'
        cells = "".join(f'<td class="num">{e(count(cell))}</td>' for cell in row["cells"])
        overdue = (
            f'<span class="badge badge-danger">{e(count(row["overdue"]))}</span>'
            if row["overdue"]
            else "0"
        )
        body.append(
            f'      <tr><th scope="row">{name}</th>\n        {cells}\n'
            f'        <td class="num">{e(count(row["total"]))}</td>\n'
            f'        <td class="num">{overdue}</td></tr>\n'
        )
    if not rows:
        nothing = t("Tidak ada laporan terbuka.")
        body.append(f'      <tr><td colspan="{len(open_columns) + 3}">{nothing}</td></tr>\n')
    html = (
        '<div class="table-scroll">\n  <table class="workload">\n'
        f'    <caption class="visually-hidden">{t("Beban kerja per unit")}</caption>\n'
        f'    <thead><tr><th scope="col">{t("Unit kerja")}</th>{head}'
        f'<th scope="col" class="num">{t("Jumlah")}</th>'
        f'<th scope="col" class="num">{t("Terlambat")}</th></tr></thead>\n'
        f"    <tbody>\n{''.join(body)}    </tbody>\n  </table>\n  </div>\n  "
        + shown_of(len(rows), total, show_all_link)
    )
    return mark_safe(html)  # noqa: S308 - every value escaped above


def charts_html(chart_list: Sequence[charts.Chart]) -> SafeString:
    return mark_safe("\n  ".join(chart(c) for c in chart_list))  # noqa: S308 - built above


def queue(reports: Sequence, *, empty_text: str, length: int) -> SafeString:
    """A dashboard queue (overdue or escalated reports), linking to the workspace."""
    if not reports:
        return mark_safe(f"<p>{e(empty_text)}</p>")  # noqa: S308 - escaped here
    # What `get_status_display()` gives, looked up once rather than once per report.
    statuses = {value: str(label) for value, label in Status.choices}
    items = []
    for report in reports:
        number = e(report.tracking_number)
        if report.workspace_url:
            number = f'<a href="{e(report.workspace_url)}">{number}</a>'
        if report.unit:
            where = e(report.unit.name)
        elif report.agency:
            where = e(report.agency.name)
        else:
            where = t("Menunggu verifikasi")
        details = f"{where}\n    · {e(statuses.get(report.status, report.status))}"
        if report.next_due_at:
            due = date_format(localtime(report.next_due_at), "j M Y")
            details += f" · {t('tenggat')} {e(due)}"
        if report.escalation_level:
            details += (
                f' · <span class="badge badge-danger">{t("eskalasi")} '
                f"{e(report.escalation_level)}</span>"
            )
        items.append(
            f"  <li>\n    {number}\n    · {e(Truncator(report.title).chars(80))}\n"
            f'    <br><span class="muted small">{details}</span>\n  </li>\n'
        )
    more = ""
    if len(reports) >= length:
        more = (
            '<p class="help">'
            + t("Menampilkan 20 teratas; lihat semuanya di ruang kerja atau unduh daftar.")
            + "</p>"
        )
    return mark_safe(f'<ul class="queue">\n{"".join(items)}</ul>\n{more}')  # noqa: S308


def agency_options(agencies: Iterable) -> SafeString:
    """The `<option>`s of the monthly report's agency list."""
    return mark_safe(  # noqa: S308 - escaped here
        "".join(f'<option value="{e(a.uuid)}">{e(a.name)}</option>' for a in agencies)
    )
