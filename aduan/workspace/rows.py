"""Inbox rows drawn in Python: the same markup as `workspace/_report_row.html` (a test
renders both and compares them), without a template include and a dozen tags per row.
Every value is escaped; translated messages are used as the template's tags use them."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape as e
from django.utils.safestring import mark_safe
from django.utils.translation import gettext


def _date(value, fmt: str) -> str:
    return date_format(timezone.localtime(value), fmt) if value else ""


def report_row(report, *, bulk: bool) -> str:
    number = e(report.tracking_number)
    parts = [f'<li class="ws-row{" ws-row-overdue" if report.sla_state == "overdue" else ""}">\n  ']
    if bulk:
        label = e(gettext("Pilih laporan %(number)s") % {"number": report.tracking_number})
        parts.append(
            f'<input type="checkbox" name="reports" value="{number}" id="pilih-{number}" '
            f'class="ws-row-check" aria-label="{label}">'
        )
    url = reverse("workspace:report", args=[report.tracking_number])
    parts.append(
        '\n  <div class="ws-row-main">\n'
        f'    <p class="ws-row-title"><a href="{e(url)}"><span class="ws-number">{number}</span>'
        f" {e(report.title)}</a></p>\n"
        '    <p class="ws-row-meta">\n'
        f'      <span class="badge">{e(report.status_label)}</span>\n      '
    )
    if report.sla_state:
        parts.append(f'<span class="badge {e(report.sla_class)}">{e(report.sla_label)}</span>')
    parts.append("\n      ")
    if report.is_escalated or report.escalation_level:
        parts.append(f'<span class="badge badge-danger">{e(gettext("Eskalasi"))}</span>')
    parts.append("\n      ")
    if report.is_anonymous:
        parts.append(f'<span class="badge">{e(gettext("Anonim"))}</span>')
    parts.append("\n      ")
    if report.is_confidential:
        parts.append(f'<span class="badge">{e(gettext("Rahasia"))}</span>')
    parts.append(f"\n      <span>{e(report.report_type_label)}</span>\n      ")
    if report.category:
        parts.append(f"<span>· {e(report.category)}</span>")
    parts.append("\n      ")
    if report.region:
        parts.append(f"<span>· {e(report.region.name)}</span>")
    parts.append('\n    </p>\n    <p class="ws-row-meta muted">\n      ')
    if report.next_due_at:
        parts.append(
            f"<span>{e(gettext('Tenggat'))}: "
            f'<time datetime="{e(_date(report.next_due_at, "c"))}">'
            f"{e(_date(report.next_due_at, 'j M Y H:i T'))}</time></span> · "
        )
    parts.append(
        f"\n      <span>{e(gettext('Tanggal masuk'))}: "
        f'<time datetime="{e(_date(report.submitted_at, "c"))}">'
        f"{e(_date(report.submitted_at, 'j M Y'))}</time></span>\n"
        f"      · <span>{e(report.channel_label)}</span>\n      "
    )
    if report.unit:
        parts.append(f"· <span>{e(report.unit)}</span>")
    elif report.agency:
        parts.append(f"· <span>{e(report.agency)}</span>")
    parts.append("\n    </p>\n  </div>\n</li>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above
