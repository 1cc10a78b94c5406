"""Choice lists for the citizens' forms: the region cascade and the category tree."""

from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext as _

from aduan.categories.models import Category
from aduan.regions.models import Region, RegionLevel

REGION_LEVELS = ("province", "regency", "district", "village")
PROVINCES_CACHE_KEY = "portal:provinces:v1"
PROVINCES_CACHE_SECONDS = 600


def provinces() -> list[tuple[str, str]]:
    """(code, name) of every province, by name; cached (reference data)."""
    rows = cache.get(PROVINCES_CACHE_KEY)
    if rows is None:
        rows = list(
            Region.objects.filter(level=RegionLevel.PROVINCE)
            .order_by("name")
            .values_list("code", "name")
        )
        if rows:  # before `load_regions` has run there is nothing worth keeping
            cache.set(PROVINCES_CACHE_KEY, rows, PROVINCES_CACHE_SECONDS)
    return rows


def children(code: str) -> list[tuple[str, str]]:
    return list(Region.objects.filter(parent_id=code).order_by("name").values_list("code", "name"))


@dataclass
class RegionChain:
    """The valid prefix of a province → regency → district → village choice."""

    codes: dict[str, str]
    # Names of the levels whose value was dropped because it does not lie in its parent.
    dropped: list[str]

    @property
    def deepest(self) -> str:
        for level in reversed(REGION_LEVELS):
            if self.codes.get(level):
                return self.codes[level]
        return ""


def resolve_chain(values: dict[str, str], levels=REGION_LEVELS) -> RegionChain:
    """Keep each chosen level only if it is a child of the level above (one query)."""
    wanted = {level: (values.get(level) or "").strip() for level in levels}
    found = {
        r.code: r
        for r in Region.objects.filter(code__in=[c for c in wanted.values() if c]).only(
            "code", "parent_id", "level"
        )
    }
    codes: dict[str, str] = {}
    dropped: list[str] = []
    parent = None
    for depth, level in enumerate(levels, start=1):
        code = wanted[level]
        region = found.get(code) if code else None
        valid = (
            region is not None
            and region.level == depth
            and (region.parent_id == parent if depth > 1 else True)
        )
        if code and not valid:
            dropped.append(level)
        if not valid:
            # Everything below an empty or invalid level is meaningless.
            for below in levels[depth:]:
                if wanted[below]:
                    dropped.append(below)
            break
        codes[level] = code
        parent = code
    return RegionChain(codes, dropped)


def category_choices(*, english: bool, empty_label: str) -> list:
    """A grouped choice list of the two-level category tree (one query): each top-level
    category is a group whose first option is the category itself ("general")."""
    rows = list(
        Category.objects.filter(is_active=True).only(
            "id", "slug", "name", "name_en", "parent_id", "sort_order"
        )
    )

    def label(category):
        return category.name_en if english and category.name_en else category.name

    top = sorted((c for c in rows if c.parent_id is None), key=lambda c: (c.sort_order, label(c)))
    by_parent: dict[int, list] = {}
    for category in rows:
        if category.parent_id is not None:
            by_parent.setdefault(category.parent_id, []).append(category)
    choices: list = [("", empty_label)]
    for parent in top:
        kids = sorted(by_parent.get(parent.pk, []), key=lambda c: (c.sort_order, label(c)))
        if not kids:
            choices.append((parent.slug, label(parent)))
            continue
        options = [(parent.slug, _("%(name)s (umum)") % {"name": label(parent)})]
        options += [(kid.slug, label(kid)) for kid in kids]
        choices.append((label(parent), options))
    return choices
