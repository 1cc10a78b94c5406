"""Query parameters of the statistics pages and exports, checked strictly: a bad value is
refused with a message in Indonesian and English (HTTP 400), never half-applied."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from aduan.categories.models import Category
from aduan.regions.models import Region, RegionLevel

from .contributions import STATS_TIME_ZONE

MAX_MONTHS = 120
DEFAULT_MONTHS = 12


class BadParameter(Exception):
    status_code = 400

    def __init__(self, field: str, message_id: str, message_en: str):
        super().__init__(f"{message_id} / {message_en}")
        self.field = field
        self.message_id = message_id
        self.message_en = message_en


def this_month() -> dt.date:
    return timezone.now().astimezone(STATS_TIME_ZONE).date().replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_month(value: str, field: str) -> dt.date:
    try:
        year, month = value.strip().split("-")
        parsed = dt.date(int(year), int(month), 1)
    except (ValueError, TypeError):
        raise BadParameter(
            field,
            f"Bulan tidak valid: {value[:20]!r} (format TTTT-BB, mis. 2026-10).",
            f"Invalid month: {value[:20]!r} (format YYYY-MM, e.g. 2026-10).",
        )
    if parsed.year < 2000 or parsed > add_months(this_month(), 12):
        raise BadParameter(field, "Bulan di luar jangkauan.", "Month out of range.")
    return parsed


def parse_period(data, *, default_months: int = DEFAULT_MONTHS) -> tuple[dt.date, dt.date]:
    """(first month, last month) from `dari`/`sampai` (YYYY-MM), by default the last
    twelve months up to the current one."""
    end = parse_month(data["sampai"], "sampai") if data.get("sampai") else this_month()
    if data.get("dari"):
        start = parse_month(data["dari"], "dari")
    else:
        start = add_months(end, -(default_months - 1))
    if start > end:
        raise BadParameter(
            "dari",
            "Bulan awal harus sebelum bulan akhir.",
            "The first month must come before the last month.",
        )
    if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
        raise BadParameter(
            "dari",
            f"Periode paling panjang {MAX_MONTHS} bulan.",
            f"The period can be at most {MAX_MONTHS} months.",
        )
    return start, end


def parse_region(data) -> Region | None:
    code = (data.get("wilayah") or "").strip()
    if not code:
        return None
    region = Region.objects.filter(code=code[:13]).first() if len(code) <= 13 else None
    if region is None or region.level > RegionLevel.DISTRICT:
        raise BadParameter(
            "wilayah",
            "Wilayah tidak dikenal (pilih provinsi, kabupaten/kota atau kecamatan).",
            "Unknown region (choose a province, regency/city or district).",
        )
    return region


@dataclass
class CategoryChoice:
    category: Category | None
    # The category and its sub-categories, or None for every category.
    ids: list[int] | None


def parse_category(data) -> CategoryChoice:
    slug = (data.get("kategori") or "").strip()
    if not slug:
        return CategoryChoice(None, None)
    category = Category.objects.filter(slug=slug[:80]).first()
    if category is None:
        raise BadParameter("kategori", "Kategori tidak dikenal.", "Unknown category.")
    ids = [category.pk, *Category.objects.filter(parent=category).values_list("pk", flat=True)]
    return CategoryChoice(category, ids)


def parse_choice(data, name: str, allowed: dict[str, str], default: str) -> str:
    value = (data.get(name) or "").strip()
    return value if value in allowed else default
