"""Inbox rows drawn in Python: the same markup as `workspace/_report_row.html` (a test
renders both and compares them), without a template include and a dozen tags per row.

Built with `format_html`, which escapes every value it is given unless the value is
already safe, so no value can reach the page unescaped by a forgotten call. Translated
messages are used as the template's tags use them (`core.html`).
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from aduan.core.html import NOTHING, blocktranslate, t

ROW = (
    '<li class="ws-row{overdue}">\n'
    "  {check}\n"
    '  <div class="ws-row-main">\n'
    '    <p class="ws-row-title"><a href="{url}"><span class="ws-number">{number}</span>'
    " {title}</a></p>\n"
    '    <p class="ws-row-meta">\n'
    '      <span class="badge">{status}</span>\n'
    "      {sla}\n"
    "      {appeal}\n"
    "      {escalated}\n"
    "      {anonymous}\n"
    "      {confidential}\n"
    "      {campaign}\n"
    "      {cluster}\n"
    "      <span>{report_type}</span>\n"
    "      {category}\n"
    "      {region}\n"
    "    </p>\n"
    '    <p class="ws-row-meta muted">\n'
    "      {due}\n"
    '      <span>{received}: <time datetime="{submitted_iso}">{submitted}</time></span>\n'
    "      · <span>{channel}</span>\n"
    "      {handler}\n"
    "      {assignee}\n"
    "    </p>\n"
    "  </div>\n"
    "</li>\n"
)
CHECK = (
    '<input type="checkbox" name="reports" value="{0}" id="pilih-{0}" class="ws-row-check"'
    ' aria-label="{1}">'
)
DUE = (
    '<span>{0}: <time datetime="{1}">{2}</time>'
    ' <strong class="ws-days-left{3}">({4})</strong></span> · '
)
LATE = mark_safe(" ws-days-late")
OVERDUE = mark_safe(" ws-row-overdue")


def _date(value, fmt: str) -> str:
    return date_format(timezone.localtime(value), fmt) if value else ""


def report_row(report, *, bulk: bool) -> SafeString:
    number = report.tracking_number
    check = NOTHING
    if bulk:
        label = blocktranslate("Pilih laporan %(number)s", number=number)
        check = format_html(CHECK, number, label)
    due = NOTHING
    if report.next_due_at:
        due = format_html(
            DUE,
            t("Tenggat"),
            _date(report.next_due_at, "c"),
            _date(report.next_due_at, "j M Y H:i T"),
            LATE if report.days_left_late else NOTHING,
            report.days_left_label,
        )
    handler = report.unit or report.agency
    return format_html(
        ROW,
        overdue=OVERDUE if report.sla_state == "overdue" else NOTHING,
        check=check,
        url=reverse("workspace:report", args=[number]),
        number=number,
        title=report.title,
        status=report.status_label,
        sla=format_html('<span class="badge {}">{}</span>', report.sla_class, report.sla_label)
        if report.sla_state
        else NOTHING,
        appeal=format_html('<span class="badge badge-danger">{}</span>', t("Banding"))
        if report.is_appealed
        else NOTHING,
        escalated=format_html('<span class="badge badge-danger">{}</span>', t("Eskalasi"))
        if report.is_deadline_escalated
        else NOTHING,
        anonymous=format_html('<span class="badge">{}</span>', t("Anonim"))
        if report.is_anonymous
        else NOTHING,
        confidential=format_html('<span class="badge">{}</span>', t("Rahasia"))
        if report.is_confidential
        else NOTHING,
        # Marked, never hidden (docs/ROUTING.md, Duplicate clusters and campaigns).
        campaign=format_html(
            '<span class="badge badge-warn" data-testid="campaign-mark">{}</span>',
            t("Kampanye massal"),
        )
        if getattr(report, "in_campaign", False)
        else NOTHING,
        cluster=format_html('<span class="badge">{}</span>', t("Klaster"))
        if getattr(report, "in_cluster", False)
        else NOTHING,
        report_type=report.report_type_label,
        category=format_html("<span>· {}</span>", report.category) if report.category else NOTHING,
        region=format_html("<span>· {}</span>", report.region.name) if report.region else NOTHING,
        due=due,
        received=t("Tanggal masuk"),
        submitted_iso=_date(report.submitted_at, "c"),
        submitted=_date(report.submitted_at, "j M Y"),
        channel=report.channel_label,
        handler=format_html("· <span>{}</span>", handler) if handler else NOTHING,
        assignee=format_html(
            '· <span class="ws-assignee">{}: {}</span>',
            t("Petugas"),
            report.assignee.display_name,
        )
        if report.assignee
        else NOTHING,
    )
