"""Routing refined by what admins chose (docs/ROUTING.md, Agency and unit).

The rules of `agencies/routing.py` come first: a suggestion that follows a rule is kept as
it is. Without a rule, the agency (or the unit) that admins chose most often for reports of
the same category in the same regency — at least `MIN_DECISIONS` of the last
`RECENT_DECISIONS`, and more than half of them — is suggested instead, with a sentence that
says so ("Untuk 7 dari 9 laporan Jalan rusak di Kabupaten Kutai Timur, admin memilih Dinas
PU — riwayat keputusan, tanpa aturan").
"""

from collections import Counter

from django.utils import translation
from django.utils.translation import gettext as _

from aduan.agencies.models import Agency
from aduan.agencies.routing import RouteSuggestion
from aduan.core.i18n import ENGLISH, INDONESIAN
from aduan.regions.models import Region
from aduan.reports.models import Report

MIN_DECISIONS = 3
RECENT_DECISIONS = 200


def _sentence(count: int, total: int, category, region, target) -> str:
    english = (translation.get_language() or "").startswith(ENGLISH)
    name = (category.name_en or category.name) if english else category.name
    return _(
        "Untuk %(count)s dari %(total)s laporan %(category)s di %(region)s, admin memilih "
        "%(target)s — riwayat keputusan, tanpa aturan"
    ) % {
        "count": count,
        "total": total,
        "category": name,
        "region": region.name if region is not None else _("seluruh Indonesia"),
        "target": str(target),
    }


def _both(*args) -> tuple[str, str]:
    with translation.override(INDONESIAN):
        indonesian = _sentence(*args)
    with translation.override(ENGLISH):
        english = _sentence(*args)
    return indonesian, english


def _choices(report: Report, *, agency: Agency | None, exclude: int | None):
    """The targets chosen for the latest similar reports: agency ids, or unit ids of
    `agency`. Reads at most RECENT_DECISIONS rows through the (category, -submitted_at)
    index."""
    similar = Report.objects.filter(category_id=report.category_id).exclude(pk=report.pk)
    if report.regency_code:
        similar = similar.filter(regency_code=report.regency_code)
    if agency is None:
        column = "agency_id"
        similar = similar.filter(agency__isnull=False, dispositioned_at__isnull=False)
    else:
        column = "unit_id"
        similar = similar.filter(agency=agency, unit__isnull=False)
        if exclude:
            similar = similar.exclude(unit_id=exclude)
    return list(similar.order_by("-submitted_at").values_list(column, flat=True)[:RECENT_DECISIONS])


def refine(
    suggestion: RouteSuggestion | None,
    report: Report,
    *,
    for_unit: bool,
    exclude: int | None = None,
) -> RouteSuggestion | None:
    """The rule's suggestion when a rule applies; else what admins chose most for similar
    reports, when they agree enough; else the suggestion unchanged."""
    if suggestion is None or suggestion.rule is not None or report.category_id is None:
        return suggestion
    if for_unit and report.agency_id is None:
        return suggestion
    chosen = _choices(report, agency=report.agency if for_unit else None, exclude=exclude)
    if len(chosen) < MIN_DECISIONS:
        return suggestion
    target_id, count = Counter(chosen).most_common(1)[0]
    if count * 2 <= len(chosen):
        return suggestion
    target = Agency.objects.filter(pk=target_id, is_active=True).first()
    if target is None:
        return suggestion
    region = (
        Region.objects.filter(code=report.regency_code).first() if report.regency_code else None
    )
    indonesian, english = _both(count, len(chosen), report.category, region, target)
    if for_unit:
        return RouteSuggestion(report.agency, target, None, indonesian, english)
    return RouteSuggestion(target, None, None, indonesian, english)
