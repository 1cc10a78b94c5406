"""Categories as Open311 services, and the attributes every service takes.

A service is an active category that reports are filed under: every sub-category (its
`group` is the parent's name) and every top-level category without active
sub-categories. A top-level code is still accepted everywhere a code is (a verifier may
file a report under the parent), it is only not offered in the list.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aduan.categories.models import Category
from aduan.reports.models import ReportType

TRUE_VALUES = ("true", "1", "yes", "ya")
FALSE_VALUES = ("false", "0", "no", "tidak")


def category_name(category: Category | None) -> str:
    """The name in the active language (Indonesian unless the client asked for English)."""
    if category is None:
        return ""
    if (get_language() or "id").startswith("en") and category.name_en:
        return category.name_en
    return category.name


def service_categories() -> list[Category]:
    """The categories offered as services, in the order of the tree (one query)."""
    categories = list(Category.objects.filter(is_active=True).select_related("parent"))
    with_children = {c.parent_id for c in categories if c.parent_id}

    def position(category: Category):
        parent = category.parent
        if parent is None:
            return (category.sort_order, category.name, 0, "")
        return (parent.sort_order, parent.name, category.sort_order + 1, category.name)

    offered = [c for c in categories if c.parent_id or c.pk not in with_children]
    return sorted(offered, key=position)


def find_service(code: str | None) -> Category | None:
    if not code:
        return None
    return Category.objects.filter(slug=code, is_active=True).select_related("parent").first()


def service_entry(category: Category) -> dict:
    parent = category.parent
    keywords = [category.name, category.name_en]
    if parent is not None:
        keywords += [parent.name, parent.name_en]
    path = (
        f"{category_name(parent)} › {category_name(category)}"
        if parent
        else category_name(category)
    )
    return {
        "service_code": category.slug,
        "service_name": category_name(category),
        "description": path,
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys(k for k in keywords if k)),
        "group": category_name(parent) if parent else "",
    }


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    description: str
    datatype_description: str = ""
    values: tuple[tuple[str, str], ...] = ()

    def as_dict(self, order: int) -> dict:
        entry = {
            "variable": True,
            "code": self.code,
            "datatype": self.datatype,
            "required": False,
            "datatype_description": self.datatype_description,
            "order": order,
            "description": self.description,
        }
        if self.values:
            entry["values"] = [{"key": key, "name": name} for key, name in self.values]
        return entry


def attributes() -> list[Attribute]:
    """The attributes of every service (`attribute[<code>]` in a POST). Built per request
    so that their texts follow the request's language."""
    yes_no = (("true", _("Ya")), ("false", _("Tidak")))
    return [
        Attribute(
            "title",
            "string",
            _("Judul singkat laporan. Bila kosong, judul diambil dari awal deskripsi."),
            _("Teks, paling banyak 200 karakter."),
        ),
        Attribute(
            "report_type",
            "singlevaluelist",
            _("Jenis laporan. Bila kosong: pengaduan."),
            values=tuple((value, str(label)) for value, label in ReportType.choices),
        ),
        Attribute(
            "anonymous",
            "singlevaluelist",
            _(
                "Anonim: identitas pelapor hanya diketahui admin yang memverifikasi, "
                "tidak oleh instansi, unit kerja, maupun publik."
            ),
            values=yes_no,
        ),
        Attribute(
            "confidential",
            "singlevaluelist",
            _("Rahasia: isi laporan tidak pernah ditampilkan kepada publik."),
            values=yes_no,
        ),
        Attribute(
            "region",
            "string",
            _("Kode wilayah Kemendagri lokasi masalah (provinsi sampai desa/kelurahan)."),
            _("Kode wilayah, mis. 64.08.04 (Kecamatan Sangatta Utara)."),
        ),
    ]


def definition(category: Category) -> dict:
    return {
        "service_code": category.slug,
        "attributes": [a.as_dict(order) for order, a in enumerate(attributes(), start=1)],
    }
