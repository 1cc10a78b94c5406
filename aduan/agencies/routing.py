"""Routing suggestions (docs/DESIGN.md, Routing): which agency and unit should receive a
report.

The most specific active rule wins: a rule for a deeper region first (village, then
district, regency, province, anywhere), then one for the report's exact sub-category over
its parent category, then a rule with a category over a catch-all, then the lower priority
number. Without a rule, the regional government whose jurisdiction is the deepest one
containing the region is the fallback, then the national admin. The suggestion says why,
so the admin can trust or correct it.
"""

from dataclasses import dataclass

from django.db.models import Q

from .models import Agency, AgencyKind, RoutingRule


@dataclass(frozen=True)
class RouteSuggestion:
    agency: Agency | None
    unit: Agency | None
    rule: RoutingRule | None
    reason: str
    reason_en: str


def _region_depth(code: str | None) -> int:
    return 0 if not code else len(code.split("."))


def suggest_route(category, region_code: str | None) -> RouteSuggestion:
    ancestor_codes: list[str] = []
    if region_code:
        parts = region_code.split(".")
        ancestor_codes = [".".join(parts[:i]) for i in range(len(parts), 0, -1)]
    category_ids = category.ancestor_ids() if category is not None else []
    rules = (
        RoutingRule.objects.filter(is_active=True, agency__is_active=True)
        .filter(Q(region__isnull=True) | Q(region_id__in=ancestor_codes))
        .filter(Q(category__isnull=True) | Q(category_id__in=category_ids))
        .select_related("agency", "unit", "category", "region")
    )

    def specificity(rule: RoutingRule):
        cat_rank = 0
        if rule.category_id is not None:
            cat_rank = 2 if category is not None and rule.category_id == category.pk else 1
        return (-_region_depth(rule.region_id), -cat_rank, rule.priority, rule.pk)

    best = min(rules, key=specificity, default=None)
    if best is not None:
        unit = best.unit if best.unit_id and best.unit.is_active else None
        target = unit or best.agency
        cat = best.category.name if best.category_id else "semua kategori"
        cat_en = best.category.name_en or best.category.name if best.category_id else "any category"
        where = best.region.name if best.region_id else "seluruh wilayah"
        where_en = best.region.name if best.region_id else "anywhere"
        return RouteSuggestion(
            agency=best.agency,
            unit=unit,
            rule=best,
            reason=f"aturan #{best.pk}: {cat} di {where} → {target}",
            reason_en=f"rule #{best.pk}: {cat_en} in {where_en} → {target}",
        )
    # Fallback: the regional government with the deepest jurisdiction over the region.
    if ancestor_codes:
        governments = Agency.objects.filter(
            is_active=True,
            kind__in=[AgencyKind.REGENCY, AgencyKind.PROVINCE],
            jurisdiction__code__in=ancestor_codes,
        ).prefetch_related("jurisdiction")
        best_gov, best_depth = None, -1
        for agency in governments:
            depth = max(
                (
                    _region_depth(r.code)
                    for r in agency.jurisdiction.all()
                    if r.code in ancestor_codes
                ),
                default=0,
            )
            if depth > best_depth:
                best_gov, best_depth = agency, depth
        if best_gov is not None:
            return RouteSuggestion(
                agency=best_gov,
                unit=None,
                rule=None,
                reason=f"tidak ada aturan; pemerintah daerah wilayah ini: {best_gov}",
                reason_en=f"no rule; the regional government of this area: {best_gov}",
            )
    return RouteSuggestion(
        agency=None,
        unit=None,
        rule=None,
        reason="tidak ada aturan atau pemerintah daerah yang cocok; admin nasional memilih",
        reason_en="no matching rule or regional government; the national admin decides",
    )
