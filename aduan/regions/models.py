"""Administrative regions of Indonesia (Kepmendagri coding) and offline geo lookup points."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("Provinsi")
    REGENCY = 2, _("Kabupaten/Kota")
    DISTRICT = 3, _("Kecamatan")
    VILLAGE = 4, _("Desa/Kelurahan")


class TimeZone(models.TextChoices):
    WIB = "Asia/Jakarta", "WIB (UTC+7)"
    WITA = "Asia/Makassar", "WITA (UTC+8)"
    WIT = "Asia/Jayapura", "WIT (UTC+9)"


# Indonesia's three time zones follow province borders (Keppres 41/1987 on the division of
# the Republic into three time zones). Provinces created later inherit the zone of the
# province they were split from: Banten (West Java), Bangka Belitung (South Sumatra), Riau
# Islands (Riau), North Kalimantan (East Kalimantan), Gorontalo (North Sulawesi), West
# Sulawesi (South Sulawesi), North Maluku (Maluku) and the Papua provinces of 2003 and 2022.
# Every province code in the data must appear here: the loader refuses unknown codes rather
# than guess a zone.
PROVINCE_TIMEZONES: dict[str, TimeZone] = {
    **dict.fromkeys(
        # Sumatra and its islands, Java, Jakarta, Banten, West and Central Kalimantan.
        ["11", "12", "13", "14", "15", "16", "17", "18", "19", "21"]
        + ["31", "32", "33", "34", "35", "36", "61", "62"],
        TimeZone.WIB,
    ),
    **dict.fromkeys(
        # Bali, Nusa Tenggara, South/East/North Kalimantan, all of Sulawesi.
        ["51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"],
        TimeZone.WITA,
    ),
    **dict.fromkeys(
        # Maluku, North Maluku and every Papua province.
        ["81", "82", "91", "92", "93", "94", "95", "96"],
        TimeZone.WIT,
    ),
}


def timezone_for_province(province_code: str) -> TimeZone:
    """The time zone of a province code ("64"); raises KeyError for an unknown code."""
    return PROVINCE_TIMEZONES[province_code]


class Region(models.Model):
    """One node of the province -> regency/city -> district -> village tree.

    The Kemendagri code is the primary key: it is public, stable and encodes the tree
    ("64.08.04.2001" lies in "64.08.04", "64.08" and "64"), so a subtree is a prefix match.
    On PostgreSQL Django gives a varchar primary key a second `varchar_pattern_ops` index,
    so `code LIKE '64.08.%'` is an index range scan there too.
    """

    code = models.CharField(_("kode"), max_length=13, primary_key=True)
    name = models.CharField(_("nama"), max_length=100)
    level = models.PositiveSmallIntegerField(
        _("tingkat"), choices=RegionLevel.choices, db_index=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("induk"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Set on every level, inherited from the province unless a regency differs.
    timezone = models.CharField(
        _("zona waktu"), max_length=32, choices=TimeZone.choices, default=TimeZone.WIB
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        indexes = [
            # Case-insensitive name look-ups within one level ("kutai timur" as a regency).
            models.Index(models.functions.Lower("name"), "level", name="region_name_level_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def province_code(self) -> str:
        return self.code[:2]

    @property
    def regency_code(self) -> str | None:
        return self.code[:5] if self.level >= RegionLevel.REGENCY else None

    def ancestor_codes(self) -> list[str]:
        """Codes of this region and every ancestor, most specific first."""
        parts = self.code.split(".")
        return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]

    def contains(self, other: "Region | str") -> bool:
        code = other if isinstance(other, str) else other.code
        return code == self.code or code.startswith(self.code + ".")


class GeoPlaceSource(models.TextChoices):
    ISLAND = "idn-area-data:islands", _("Pulau (idn-area-data)")
    GEONAMES = "geonames:cities1000", _("Permukiman (GeoNames)")


class GeoPlace(models.Model):
    """A named point matched to a Kemendagri regency (and district where known).

    Built offline by `load_regions` from registry data; used to suggest a region for a
    report that carries only coordinates. The verifier confirms or corrects it.
    """

    name = models.CharField(_("nama"), max_length=150)
    latitude = models.FloatField(_("lintang"))
    longitude = models.FloatField(_("bujur"))
    regency = models.ForeignKey(
        Region, verbose_name=_("kabupaten/kota"), on_delete=models.CASCADE, related_name="+"
    )
    district = models.ForeignKey(
        Region,
        verbose_name=_("kecamatan"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    source = models.CharField(_("sumber"), max_length=40, choices=GeoPlaceSource.choices)

    class Meta:
        verbose_name = _("titik geografis")
        verbose_name_plural = _("titik geografis")
        indexes = [models.Index(fields=["latitude", "longitude"], name="geoplace_lat_lon_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.latitude:.4f}, {self.longitude:.4f})"


class RegionToken(models.Model):
    """One word of a region's name, normalised (lower-case ASCII letters and digits), for
    the region search (`regions.search`): "Sangatta Utara" gives "sangatta" and "utara".
    A word typed in the picker is a prefix range on `token`, an index range scan on every
    database; about 1.7 rows per region."""

    token = models.CharField(max_length=40)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["token", "region"], name="region_token_idx")]

    def __str__(self) -> str:
        return f"{self.token} → {self.region_id}"
