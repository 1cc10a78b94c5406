"""Routing suggestions (docs/DESIGN.md, Routing): which agency and unit should receive a
report, and which of its units an agency admin should forward it to.

The most specific active rule wins: a rule for a deeper region first (village, then
district, regency, province, anywhere), then one for the report's exact sub-category over
its parent category, then a rule with a category over a catch-all, then the lower priority
number. Without a rule, the regional government whose jurisdiction is the deepest one
containing the region is the fallback, then the national admin. For units the agency's own
rules come first, then the units whose topics (and area, when they have one) cover the
report. The suggestion says why, in one sentence a person can check ("Jalan rusak di
Kabupaten Kutai Timur biasanya ditangani Dinas PU — aturan #12"), so the admin can trust or
correct it.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aduan.core.i18n import ENGLISH, INDONESIAN, in_both
from aduan.regions.models import Region

from .models import Agency, AgencyKind, RoutingRule


@dataclass(frozen=True)
class RouteSuggestion:
    agency: Agency | None
    unit: Agency | None
    rule: RoutingRule | None
    reason: str
    reason_en: str


# -- the sentence -------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """What a suggestion rests on, rendered as one sentence in either language.

    `category` is a Category or None (any topic), `region` a Region or None (anywhere),
    `target` the suggested agency or unit, `rule` the rule followed (or None), and `basis`
    says what else the suggestion rests on when there is no rule: "jurisdiction" (the
    agency's area) or "coverage" (the unit's topics and area)."""

    target: Agency
    category: object = None
    region: Region | None = None
    rule: RoutingRule | None = None
    basis: str = "rule"

    def render(self) -> str:
        """The sentence in the active language."""
        if self.rule is not None:
            reference = _("aturan #%(number)s") % {"number": self.rule.pk}
        elif self.basis == "jurisdiction":
            reference = _("tanpa aturan; wilayah kerja instansi")
        else:
            reference = _("tanpa aturan; bidang dan wilayah kerja unit")
        english = (translation.get_language() or "").startswith(ENGLISH)
        where = self.region.name if self.region is not None else _("seluruh Indonesia")
        values = {"region": where, "target": str(self.target), "reference": reference}
        if self.category is None:
            return _("Laporan di %(region)s biasanya ditangani %(target)s — %(reference)s") % values
        name = (self.category.name_en or self.category.name) if english else self.category.name
        return _("%(category)s di %(region)s biasanya ditangani %(target)s — %(reference)s") % {
            **values,
            "category": name,
        }

    def both(self) -> tuple[str, str]:
        with translation.override(INDONESIAN):
            indonesian = self.render()
        with translation.override(ENGLISH):
            english = self.render()
        return indonesian, english


def _suggestion(agency, unit, reason: Reason) -> RouteSuggestion:
    indonesian, english = reason.both()
    return RouteSuggestion(agency, unit, reason.rule, indonesian, english)


def _nothing(message) -> RouteSuggestion:
    return RouteSuggestion(None, None, None, *in_both(message))


# -- rules --------------------------------------------------------------------------------


def _region_depth(code: str | None) -> int:
    return 0 if not code else len(code.split("."))


def _ancestor_codes(region_code: str | None) -> list[str]:
    if not region_code:
        return []
    parts = region_code.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


def _best_rule(rules, category) -> RoutingRule | None:
    def specificity(rule: RoutingRule):
        cat_rank = 0
        if rule.category_id is not None:
            cat_rank = 2 if category is not None and rule.category_id == category.pk else 1
        return (-_region_depth(rule.region_id), -cat_rank, rule.priority, rule.pk)

    return min(rules, key=specificity, default=None)


def _matching_rules(category, ancestor_codes: list[str]):
    category_ids = category.ancestor_ids() if category is not None else []
    return (
        RoutingRule.objects.filter(is_active=True, agency__is_active=True)
        .filter(Q(region__isnull=True) | Q(region_id__in=ancestor_codes))
        .filter(Q(category__isnull=True) | Q(category_id__in=category_ids))
        .select_related("agency", "unit", "category", "region")
    )


def suggest_route(category, region_code: str | None) -> RouteSuggestion:
    """The agency (and perhaps unit) a verified report should be disposed to."""
    ancestor_codes = _ancestor_codes(region_code)
    best = _best_rule(_matching_rules(category, ancestor_codes), category)
    if best is not None:
        unit = best.unit if best.unit_id and best.unit.is_active else None
        reason = Reason(unit or best.agency, best.category, best.region, best)
        return _suggestion(best.agency, unit, reason)
    # Fallback: the regional government with the deepest jurisdiction over the region.
    if ancestor_codes:
        governments = Agency.objects.filter(
            is_active=True,
            kind__in=[AgencyKind.REGENCY, AgencyKind.PROVINCE],
            jurisdiction__code__in=ancestor_codes,
        ).prefetch_related("jurisdiction")
        best_gov, best_region = None, None
        for agency in governments:
            for region in agency.jurisdiction.all():
                if region.code in ancestor_codes and (
                    best_region is None
                    or _region_depth(region.code) > _region_depth(best_region.code)
                ):
                    best_gov, best_region = agency, region
        if best_gov is not None:
            reason = Reason(best_gov, None, best_region, basis="jurisdiction")
            return _suggestion(best_gov, None, reason)
    return _nothing(
        gettext_lazy("Tidak ada aturan atau pemerintah daerah yang cocok; admin nasional memilih.")
    )


def suggest_unit(
    agency: Agency, category, region_code: str | None, *, exclude: int | None = None
) -> RouteSuggestion:
    """The unit of `agency` a disposed report should be forwarded to.

    First the agency's own routing rules that name one of its active units (ranked as for
    agencies); then its active units whose topics include the report's category (its own
    over its parent's) and whose area, if they have one, contains the report's region (the
    deepest area first). `exclude` leaves out a unit, e.g. the one that just returned the
    report as not its authority."""
    ancestor_codes = _ancestor_codes(region_code)
    rules = [
        rule
        for rule in _matching_rules(category, ancestor_codes).filter(
            agency=agency, unit__isnull=False, unit__is_active=True, unit__parent=agency
        )
        if rule.unit_id != exclude
    ]
    best = _best_rule(rules, category)
    if best is not None:
        return _suggestion(agency, best.unit, Reason(best.unit, best.category, best.region, best))

    if category is not None:
        category_ids = category.ancestor_ids()
        units = (
            Agency.objects.filter(
                kind=AgencyKind.UNIT,
                parent=agency,
                is_active=True,
                categories__in=category_ids,
            )
            .exclude(pk=exclude or 0)
            .prefetch_related("jurisdiction", "categories")
            .distinct()
        )
        candidates = []
        for unit in units:
            areas = list(unit.jurisdiction.all())
            covering = [r for r in areas if r.code in ancestor_codes]
            if areas and not covering:
                continue
            area = max(covering, key=lambda r: _region_depth(r.code), default=None)
            # Its own topic over the parent topic (category_ids: the category first).
            topics = {c.pk: c for c in unit.categories.all()}
            topic = next(topics[pk] for pk in category_ids if pk in topics)
            rank = (
                -_region_depth(area.code if area else None),
                0 if topic.pk == category.pk else 1,
                unit.name,
            )
            candidates.append((rank, unit, topic, area))
        if candidates:
            _rank, unit, topic, area = min(candidates, key=lambda item: item[0])
            if area is None:
                area = _area_of(agency, ancestor_codes, region_code)
            return _suggestion(agency, unit, Reason(unit, topic, area, basis="coverage"))
    return _nothing(
        gettext_lazy("Tidak ada aturan atau unit yang bidangnya cocok; pilih unit sendiri.")
    )


def _area_of(agency: Agency, ancestor_codes: list[str], region_code: str | None):
    """The region to name for a unit without an area of its own: its government's area
    that contains the report's region, else the report's region itself."""
    areas = [r for r in agency.jurisdiction.all() if r.code in ancestor_codes]
    if areas:
        return max(areas, key=lambda r: _region_depth(r.code))
    if region_code:
        return Region.objects.filter(code=region_code).first()
    return None
