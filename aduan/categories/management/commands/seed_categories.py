"""Load the LAPOR! category tree (docs/DESIGN.md, Reference data) from
`categories/data/lapor_categories.json`.

    python manage.py seed_categories            # create or update, then print a summary
    python manage.py seed_categories --dry-run  # only say what would change

Reference data, safe in production and on every deploy: categories are matched by their
stable slug, so running it again creates nothing twice. The file is authoritative for the
names, the parent and the order of the categories it lists (a renamed one is renamed
back); an admin's decision to deactivate one is kept, and categories that admins added
themselves are left alone.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from aduan.categories.models import Category

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "lapor_categories.json"
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class CategorySpec:
    slug: str
    name: str
    name_en: str
    parent_slug: str | None
    sort_order: int


def load_specs(path: Path = DATA_FILE) -> list[CategorySpec]:
    """The categories of the data file, parents before their children. Raises ValueError
    on a malformed file, so a bad edit fails loudly instead of seeding half a tree."""
    data = json.loads(path.read_text(encoding="utf-8"))
    name_max = Category._meta.get_field("name").max_length
    slug_max = Category._meta.get_field("slug").max_length
    specs: list[CategorySpec] = []
    seen: set[str] = set()

    def add(item: dict, parent: str | None, position: int) -> None:
        slug = item.get("slug", "")
        if not SLUG_PATTERN.match(slug) or len(slug) > slug_max:
            raise ValueError(f"invalid slug {slug!r}")
        if slug in seen:
            raise ValueError(f"duplicate slug {slug!r}")
        seen.add(slug)
        name, name_en = item.get("name", "").strip(), item.get("name_en", "").strip()
        if not name or not name_en or max(len(name), len(name_en)) > name_max:
            raise ValueError(f"{slug}: name and name_en are required (max {name_max} chars)")
        specs.append(CategorySpec(slug, name, name_en, parent, position * 10))
        if parent is None:
            for child_position, child in enumerate(item.get("children", []), start=1):
                add(child, slug, child_position)
        elif item.get("children"):
            raise ValueError(f"{slug}: the tree is two levels deep")

    for position, item in enumerate(data["categories"], start=1):
        add(item, None, position)
    return specs


@dataclass
class SeedResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def seed_categories(specs: list[CategorySpec], *, dry_run: bool = False) -> SeedResult:
    """Create or update every category of `specs` (parents first), matched by slug."""
    result = SeedResult()
    existing = Category.objects.in_bulk([s.slug for s in specs], field_name="slug")
    by_slug: dict[str, Category] = {}
    with transaction.atomic():
        for spec in specs:
            parent = by_slug.get(spec.parent_slug) if spec.parent_slug else None
            wanted = {
                "name": spec.name,
                "name_en": spec.name_en,
                "parent_id": parent.pk if parent else None,
                "sort_order": spec.sort_order,
            }
            category = existing.get(spec.slug)
            if category is None:
                category = Category(slug=spec.slug, **wanted)
                if not dry_run:
                    category.save(force_insert=True)
                result.created += 1
            else:
                changed = [f for f, v in wanted.items() if getattr(category, f) != v]
                if changed:
                    for field in changed:
                        setattr(category, field, wanted[field])
                    if not dry_run:
                        category.save(update_fields=changed)
                    result.updated += 1
                else:
                    result.unchanged += 1
            by_slug[spec.slug] = category
    return result


class Command(BaseCommand):
    help = "Create or update the LAPOR! category tree (idempotent, safe in production)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only report what would change.")

    def handle(self, *args, **options):
        try:
            specs = load_specs()
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"Berkas kategori tidak valid / invalid category file: {exc}")
        result = seed_categories(specs, dry_run=options["dry_run"])
        top = sum(1 for s in specs if s.parent_slug is None)
        prefix = "(uji coba / dry run) " if options["dry_run"] else ""
        self.stdout.write(
            f"{prefix}Kategori: {top} utama, {len(specs) - top} sub; "
            f"baru {result.created}, diperbarui {result.updated}, tetap {result.unchanged}. / "
            f"Categories: {top} top-level, {len(specs) - top} sub-categories; "
            f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}."
        )
