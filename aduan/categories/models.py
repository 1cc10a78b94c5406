"""The topic tree of reports (docs/DESIGN.md, Reference data): seeded from the LAPOR! scope
list."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    name_en = models.CharField(_("nama (Inggris)"), max_length=120, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["parent_id", "sort_order", "name"]
        verbose_name = _("kategori")
        verbose_name_plural = _("kategori")

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name

    @property
    def depth(self) -> int:
        return 1 if self.parent_id is None else 2

    def ancestor_ids(self) -> list[int]:
        """This category's id then its parent's (the tree is two levels deep)."""
        return [self.pk] + ([self.parent_id] if self.parent_id else [])
