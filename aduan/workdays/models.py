"""Holidays that admins add on top of the national calendar of the `holidays` package."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class HolidayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Hari libur nasional")
    CUTI_BERSAMA = "cuti_bersama", _("Cuti bersama")
    LOCAL = "local", _("Hari libur daerah")


class Holiday(models.Model):
    """A date that an admin declares a holiday, or (with `is_working_day`) a working day.

    The national public holidays and cuti bersama come from the `holidays` package at
    runtime; rows here only add to or correct that calendar: a holiday decreed late, a
    regional holiday (e.g. a provincial anniversary), or a cuti bersama the government
    cancelled after the package was released (`is_working_day=True`).

    `region` empty means nationwide; otherwise the row applies to reports in that region
    and every region below it (code equal to, or starting with, the region code + ".").
    """

    date = models.DateField(_("tanggal"), db_index=True)
    name = models.CharField(_("nama"), max_length=150)
    name_en = models.CharField(_("nama (Inggris)"), max_length=150, blank=True)
    kind = models.CharField(
        _("jenis"),
        max_length=20,
        choices=HolidayKind.choices,
        default=HolidayKind.HOLIDAY,
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("wilayah"),
        null=True,
        blank=True,
        # Holidays are legal data behind stored deadlines: never drop them silently.
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Kosongkan untuk hari libur nasional."),
    )
    is_working_day = models.BooleanField(
        _("tetap hari kerja"),
        default=False,
        help_text=_(
            "Centang untuk menjadikan tanggal ini hari kerja, misalnya cuti bersama yang "
            "dibatalkan pemerintah."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dibuat oleh"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("hari libur")
        verbose_name_plural = _("hari libur")
        ordering = ("date", "region")
        constraints = (
            models.UniqueConstraint(fields=["date", "region"], name="holiday_date_region_uniq"),
            # NULLs are distinct in a unique index on both SQLite and PostgreSQL, so one
            # national row per date needs its own partial constraint.
            models.UniqueConstraint(
                fields=["date"],
                condition=Q(region__isnull=True),
                name="holiday_date_national_uniq",
                violation_error_message=_("Hari libur nasional untuk tanggal ini sudah ada."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"
