"""Inbox rows drawn in Python: the same markup as `workspace/_report_row.html` (a test
renders both and compares them), without a template include and a dozen tags per row.

Built with `format_html`, which escapes every value it is given unless the value is
already safe, so no value can reach the page unescaped by a forgotten call. Translated
messages are used as the template's tags use them (`core.html`).
"""

from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import conditional_escape, format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from aduan.core.html import NOTHING, t

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


class Dates:
    """The row's three date formats ("c", "j M Y", "j M Y H:i T" in the current time
    zone) without Django's format parser, which cost ~50 µs per date, four dates a row:
    the same pieces Django's `DateFormat` puts together (`c` is `isoformat()`, `M` the
    translated three-letter month titled, `T` the zone's name for that moment); a test
    compares them with `date_format` over months, hours, zones and both languages."""

    def __init__(self):
        self.months = {month: str(name).title() for month, name in MONTHS_3.items()}

    def iso(self, value) -> str:
        return timezone.localtime(value).isoformat()

    def day(self, value) -> str:
        local = timezone.localtime(value)
        return f"{local.day} {self.months[local.month]} {local.year:04d}"

    def moment(self, value) -> str:
        local = timezone.localtime(value)
        return (
            f"{local.day} {self.months[local.month]} {local.year:04d} "
            f"{local.hour:02d}:{local.minute:02d} {local.tzname() or ''}"
        )


# `reverse("workspace:report", args=[number])` without resolving the pattern per row: the
# link is the same text around the number, which Django quotes like this (a tracking
# number never needs it; the test with hostile text checks the equality).
_MARKER = "ROWNUMBER"
_URL_SAFE = RFC3986_SUBDELIMS + "/~:@"


class RowRenderer:
    """Draws the rows of one page: what is the same on every row (the link around the
    number, translated labels, the fixed badges) is prepared once per page, not per row."""

    def __init__(self, *, bulk: bool):
        self.bulk = bulk
        self.url_prefix, self.url_suffix = reverse("workspace:report", args=[_MARKER]).split(
            _MARKER
        )
        badge_danger = '<span class="badge badge-danger">{}</span>'
        self.appeal = format_html(badge_danger, t("Banding"))
        self.escalated = format_html(badge_danger, t("Eskalasi"))
        self.anonymous = format_html('<span class="badge">{}</span>', t("Anonim"))
        self.confidential = format_html('<span class="badge">{}</span>', t("Rahasia"))
        self.due_label = t("Tenggat")
        self.received = t("Tanggal masuk")
        self.officer = t("Petugas")
        self.check_label = gettext("Pilih laporan %(number)s")
        # Marked, never hidden (docs/ROUTING.md, Duplicate clusters and campaigns).
        self.campaign = format_html(
            '<span class="badge badge-warn" data-testid="campaign-mark">{}</span>',
            t("Kampanye massal"),
        )
        self.cluster = format_html('<span class="badge">{}</span>', t("Klaster"))
        self.dates = Dates()

    def __call__(self, report) -> SafeString:
        number = report.tracking_number
        check = NOTHING
        if self.bulk:
            # `blocktranslate` with the message translated once per page.
            label = mark_safe(self.check_label % {"number": conditional_escape(number)})  # noqa: S308
            check = format_html(CHECK, number, label)
        due = NOTHING
        if report.next_due_at:
            due = format_html(
                DUE,
                self.due_label,
                self.dates.iso(report.next_due_at),
                self.dates.moment(report.next_due_at),
                LATE if report.days_left_late else NOTHING,
                report.days_left_label,
            )
        handler = report.unit or report.agency
        return format_html(
            ROW,
            overdue=OVERDUE if report.sla_state == "overdue" else NOTHING,
            check=check,
            url=self.url_prefix + quote(str(number), safe=_URL_SAFE) + self.url_suffix,
            number=number,
            title=report.title,
            status=report.status_label,
            sla=format_html('<span class="badge {}">{}</span>', report.sla_class, report.sla_label)
            if report.sla_state
            else NOTHING,
            appeal=self.appeal if report.is_appealed else NOTHING,
            escalated=self.escalated if report.is_deadline_escalated else NOTHING,
            anonymous=self.anonymous if report.is_anonymous else NOTHING,
            confidential=self.confidential if report.is_confidential else NOTHING,
            campaign=self.campaign if getattr(report, "in_campaign", False) else NOTHING,
            cluster=self.cluster if getattr(report, "in_cluster", False) else NOTHING,
            report_type=report.report_type_label,
            category=format_html("<span>· {}</span>", report.category)
            if report.category
            else NOTHING,
            region=format_html("<span>· {}</span>", report.region.name)
            if report.region
            else NOTHING,
            due=due,
            received=self.received,
            submitted_iso=self.dates.iso(report.submitted_at),
            submitted=self.dates.day(report.submitted_at),
            channel=report.channel_label,
            handler=format_html("· <span>{}</span>", handler) if handler else NOTHING,
            assignee=format_html(
                '· <span class="ws-assignee">{}: {}</span>',
                self.officer,
                report.assignee.display_name,
            )
            if report.assignee
            else NOTHING,
        )


def report_row(report, *, bulk: bool) -> SafeString:
    """One row (a page draws its rows with one `RowRenderer`)."""
    return RowRenderer(bulk=bulk)(report)
