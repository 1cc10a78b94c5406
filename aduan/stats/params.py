"""Query parameters of the statistics pages and exports, checked strictly: a bad value is
refused with a clear message in the reader's language (HTTP 400), never half-applied."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from aduan.categories.models import Category
from aduan.core.i18n import ENGLISH, INDONESIAN, in_language
from aduan.regions.models import Region, RegionLevel

from .contributions import STATS_TIME_ZONE

MAX_MONTHS = 120
DEFAULT_MONTHS = 12


class BadParameter(Exception):
    """A refused query parameter: the parameter's name and a translatable message."""

    status_code = 400

    def __init__(self, field: str, message):
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return str(self.message)

    @property
    def message_id(self) -> str:
        return in_language(self.message, INDONESIAN)

    @property
    def message_en(self) -> str:
        return in_language(self.message, ENGLISH)


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
            format_lazy(
                _("Bulan tidak valid: {value} (format TTTT-BB, mis. 2026-10)."),
                value=repr(value[:20]),
            ),
        )
    if parsed.year < 2000 or parsed > add_months(this_month(), 12):
        raise BadParameter(field, _("Bulan di luar jangkauan."))
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
        raise BadParameter("dari", _("Bulan awal harus sebelum bulan akhir."))
    if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
        raise BadParameter(
            "dari", format_lazy(_("Periode paling panjang {months} bulan."), months=MAX_MONTHS)
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
            _("Wilayah tidak dikenal (pilih provinsi, kabupaten/kota atau kecamatan)."),
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
        raise BadParameter("kategori", _("Kategori tidak dikenal."))
    ids = [category.pk, *Category.objects.filter(parent=category).values_list("pk", flat=True)]
    return CategoryChoice(category, ids)


def parse_choice(data, name: str, allowed: dict[str, str], default: str) -> str:
    value = (data.get(name) or "").strip()
    return value if value in allowed else default
