"""Finding a region by name for people: the searchable region picker of the staff forms
and its JSON endpoint (`/wilayah/cari.json`).

Every word of a region's own name is kept as a normalised token (`RegionToken`). A query is
split into words; the longest word (the rarest, as a rule) selects candidates through the
token index, and each candidate must match every word, by a word of its own name or of
its parents' names ("sangatta kutai" finds Kecamatan Sangatta Utara in Kabupaten Kutai
Timur). A query that looks like a Kemendagri code ("64.08.04") is looked up by code.
Results are labelled with their parents: "Kecamatan Sangatta Utara, Kab. Kutai Timur,
Kalimantan Timur".
"""

import re
import unicodedata
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from .models import Region, RegionLevel, RegionToken

MAX_QUERY_LENGTH = 100
MIN_WORD_LENGTH = 2
# Candidates read for the driving word; a very common short word ("su") is cut here, and
# the shallow regions (provinces, regencies, districts) come first.
MAX_CANDIDATES = 600
CODE_PATTERN = re.compile(r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lower-case ASCII letters and digits, other characters as single spaces."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_WORD.sub(" ", ascii_text.lower()).strip()


def tokens(name: str) -> list[str]:
    return list(dict.fromkeys(word[:40] for word in normalise(name).split()))


def rebuild_tokens(codes: Iterable[str] | None = None) -> int:
    """Write the tokens of the given regions (of all regions when None); returns the
    number of token rows written."""
    with transaction.atomic():
        regions = Region.objects.all()
        if codes is not None:
            codes = list(codes)
            RegionToken.objects.filter(region_id__in=codes).delete()
            regions = regions.filter(code__in=codes)
        else:
            RegionToken.objects.all().delete()
        rows = (
            RegionToken(token=token, region_id=code)
            for code, name in regions.values_list("code", "name").iterator(chunk_size=5000)
            for token in tokens(name)
        )
        written = 0
        batch: list[RegionToken] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 5000:
                RegionToken.objects.bulk_create(batch)
                written += len(batch)
                batch = []
        RegionToken.objects.bulk_create(batch)
        return written + len(batch)


def _upper_bound(prefix: str) -> str | None:
    """The smallest string above every string starting with `prefix` (letters and digits
    only, so the bound holds in byte order and in the usual collations alike)."""
    while prefix:
        last = prefix[-1]
        if last == "z":
            prefix = prefix[:-1]
            continue
        return prefix[:-1] + ("a" if last == "9" else chr(ord(last) + 1))
    return None


def _prefix_filter(word: str) -> dict:
    bound = _upper_bound(word)
    return {"token__gte": word, **({"token__lt": bound} if bound else {})}


def _chain(region: Region) -> list[Region]:
    chain = []
    while region is not None:
        chain.append(region)
        region = region.parent
    return chain


def search_regions(query: str, *, limit: int = 10) -> list[Region]:
    """Regions matching every word of `query`, best first (more words matched in the
    region's own name, then higher levels, then by name). Each result's parents are loaded
    (for `label`)."""
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    with_parents = Region.objects.select_related("parent__parent__parent")
    if CODE_PATTERN.fullmatch(query):
        return list(with_parents.filter(code=query))
    words = [w for w in normalise(query).split() if len(w) >= MIN_WORD_LENGTH][:6]
    if not words:
        return []
    driver = max(words, key=len)
    candidate_codes = (
        RegionToken.objects.filter(**_prefix_filter(driver))
        .order_by("token", "region_id")
        .values_list("region_id", flat=True)[:MAX_CANDIDATES]
    )
    ranked = []
    for region in with_parents.filter(code__in=list(candidate_codes)):
        chain = _chain(region)
        own = normalise(region.name).split()
        around = [word for r in chain[1:] for word in normalise(r.name).split()]
        if not all(any(t.startswith(w) for t in own + around) for w in words):
            continue
        in_own = sum(any(t.startswith(w) for t in own) for w in words)
        exact = normalise(region.name) == " ".join(words)
        ranked.append(((not exact, -in_own, region.level, region.name, region.code), region))
    ranked.sort(key=lambda item: item[0])
    return [region for _key, region in ranked[:limit]]


def _own_name(region: Region) -> str:
    if region.level == RegionLevel.DISTRICT:
        return _("Kecamatan %(name)s") % {"name": region.name}
    if region.level == RegionLevel.VILLAGE:
        # Kemendagri village codes: 1xxx is a kelurahan, 2xxx a desa.
        if region.code.rsplit(".", 1)[-1].startswith("1"):
            return _("Kelurahan %(name)s") % {"name": region.name}
        return _("Desa %(name)s") % {"name": region.name}
    return region.name


def _parent_name(region: Region) -> str:
    if region.level == RegionLevel.DISTRICT:
        return _("Kec. %(name)s") % {"name": region.name}
    if region.level == RegionLevel.REGENCY and region.name.startswith("Kabupaten "):
        return "Kab. " + region.name.removeprefix("Kabupaten ")
    return region.name


def label(region: Region) -> str:
    """ "Kecamatan Sangatta Utara, Kab. Kutai Timur, Kalimantan Timur" in the active
    language; reads the parents (load them with select_related for many regions)."""
    chain = _chain(region)
    return ", ".join([_own_name(region), *(_parent_name(r) for r in chain[1:])])


def as_json(region: Region) -> dict:
    return {"code": region.code, "name": region.name, "level": region.level, "label": label(region)}
