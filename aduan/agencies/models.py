"""Government agencies and their units, jurisdictions, and routing rules (docs/DESIGN.md,
Routing)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from aduan.regions.models import TimeZone


class AgencyKind(models.TextChoices):
    NATIONAL = "national", _("Pengelola nasional")
    MINISTRY = "ministry", _("Kementerian/Lembaga")
    PROVINCE = "province", _("Pemerintah Provinsi")
    REGENCY = "regency", _("Pemerintah Kabupaten/Kota")
    UNIT = "unit", _("Unit kerja/OPD")


class Agency(models.Model):
    """A government body. Units (OPD, kecamatan offices) are agencies of kind UNIT whose
    parent is the government they belong to; reports are disposed to an agency and then
    forwarded to one of its units."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("nama"), max_length=200)
    short_name = models.CharField(_("singkatan"), max_length=60, blank=True)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Region subtrees this agency answers for; empty means nationwide.
    jurisdiction = models.ManyToManyField("regions.Region", blank=True, related_name="+")
    categories = models.ManyToManyField("categories.Category", blank=True, related_name="agencies")
    timezone = models.CharField(max_length=32, choices=TimeZone.choices, default=TimeZone.WIB)
    # When set, this agency's admins verify reports in its jurisdiction themselves.
    verifies_own_region = models.BooleanField(default=False)
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)
    # The node whose staff work for this agency (a regional node hosting a regency
    # government and its units); empty for the central node. Reports disposed to an agency
    # hosted elsewhere are handed off to that node.
    node = models.CharField(_("simpul"), max_length=12, blank=True, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("instansi")
        verbose_name_plural = _("instansi")

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def is_unit(self) -> bool:
        return self.kind == AgencyKind.UNIT

    @property
    def government(self) -> "Agency":
        """The agency a unit belongs to (itself when it is not a unit)."""
        return self.parent if self.is_unit and self.parent_id else self

    def jurisdiction_codes(self) -> list[str]:
        return [r.code for r in self.jurisdiction.all()]

    def covers_region(self, region_code: str | None) -> bool:
        codes = self.jurisdiction_codes()
        if not codes:
            return True
        if not region_code:
            return False
        return any(region_code == c or region_code.startswith(c + ".") for c in codes)


class RoutingRule(models.Model):
    """(category, region) -> agency/unit. The most specific matching rule wins: a deeper
    region first, then a sub-category over its parent, then a rule with a category over one
    without, then the lower priority number."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    category = models.ForeignKey(
        "categories.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="routing_rules")
    unit = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="unit_routing_rules"
    )
    priority = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["priority", "id"]
        verbose_name = _("aturan disposisi")
        verbose_name_plural = _("aturan disposisi")

    def __str__(self) -> str:
        cat = self.category.name if self.category_id else "*"
        reg = self.region.name if self.region_id else "*"
        target = self.unit or self.agency
        return f"#{self.pk}: {cat} @ {reg} → {target}"


class CannedResponse(models.Model):
    """Standard replies an agency's staff can insert (used by the staff workspace)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="canned_responses")
    title = models.CharField(max_length=120)
    body = models.TextField()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
