"""Helpers shared by the statistics views."""

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from ..pages import SORT_KEYS

SORT_LABELS = {
    "nama": _("Instansi"),
    "laporan": _("Laporan"),
    "selesai": _("Tingkat penyelesaian"),
    "tepat": _("Tindak lanjut tepat waktu"),
    "tl": _("Median tindak lanjut pertama (hari)"),
    "tuntas": _("Median penyelesaian (hari)"),
    "nilai": _("Rata-rata penilaian"),
    "terlambat": _("Terlambat saat ini"),
}


def link_builder(query: QueryDict, *, anchor: str = ""):
    """A function giving "?…" for the current query with some parameters changed (an
    empty value removes the parameter)."""

    def link(**changes) -> str:
        params = query.copy()
        for name, value in changes.items():
            if value in (None, ""):
                params.pop(name, None)
            else:
                params[name] = value
        encoded = params.urlencode()
        return (f"?{encoded}" if encoded else "?") + anchor

    return link


def sort_headers(query: QueryDict, sort: str, descending: bool, *, anchor: str = "") -> list[dict]:
    """Column headers that sort the performance tables without JavaScript."""
    link = link_builder(query, anchor=anchor)
    headers = []
    for key in SORT_KEYS:
        active = key == sort
        # A second click on the active column reverses it; names sort A-Z first.
        if active:
            direction = "asc" if descending else "desc"
        else:
            direction = "asc" if key == "nama" else "desc"
        headers.append(
            {
                "key": key,
                "label": SORT_LABELS[key],
                "href": link(urut=key, arah=direction),
                "aria_sort": ("descending" if descending else "ascending") if active else "",
                "active": active,
                "descending": descending,
            }
        )
    return headers


def parse_sort(query: QueryDict) -> tuple[str, bool]:
    sort = query.get("urut", "laporan")
    if sort not in SORT_KEYS:
        sort = "laporan"
    return sort, query.get("arah", "desc" if sort != "nama" else "asc") != "asc"
