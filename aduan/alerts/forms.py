"""The subscription form. It works without JavaScript: the region selects are filled
level by level with the "Pilih" button (the portal's script does it in place), and a
point is typed as latitude and longitude (the report page's link fills them in)."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from aduan.accounts.identity import clean_email
from aduan.categories.models import Category
from aduan.portal import choices
from aduan.regions.geo import in_indonesia

from .models import AreaKind
from .subscriptions import RADIUS_CHOICES_M, Area, km

AREA_REGION = "wilayah"
AREA_POINT = "titik"
REGION_LEVELS = ("province", "regency", "district")
REGION_CODE = re.compile(r"^\d{2}(\.\d{2}){0,2}$")
FIELD_OF_LEVEL = {"province": "provinsi", "regency": "kabupaten", "district": "kecamatan"}


def _coordinate(value: str, low: int, high: int) -> Decimal | None:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or not low <= number <= high:
        return None
    return number.quantize(Decimal("0.000001"))


class SubscribeForm(forms.Form):
    email = forms.CharField(
        label=_("Alamat surel"),
        help_text=_("Kami kirim tautan konfirmasi ke alamat ini. Alamat tidak pernah ditampilkan."),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("Isi alamat surel.")},
    )
    area = forms.ChoiceField(
        label=_("Area"),
        choices=[
            (AREA_REGION, _("Kabupaten/kota atau kecamatan")),
            (AREA_POINT, _("Radius di sekitar titik")),
        ],
        initial=AREA_REGION,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Pilih jenis area."),
            "invalid_choice": _("Pilih jenis area."),
        },
    )
    provinsi = forms.ChoiceField(label=_("Provinsi"), required=False)
    kabupaten = forms.ChoiceField(label=_("Kabupaten/kota"), required=False)
    kecamatan = forms.ChoiceField(
        label=_("Kecamatan"),
        help_text=_("Kosongkan untuk seluruh kabupaten/kota."),
        required=False,
    )
    lintang = forms.CharField(
        label=_("Lintang (latitude)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    bujur = forms.CharField(
        label=_("Bujur (longitude)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    radius = forms.TypedChoiceField(
        label=_("Radius"),
        choices=[(str(metres), km(metres)) for metres in RADIUS_CHOICES_M],
        coerce=int,
        initial="1000",
        required=False,
        error_messages={"invalid_choice": _("Pilih radius dari daftar.")},
    )
    kategori = forms.ChoiceField(
        label=_("Kategori"),
        required=False,
        error_messages={"invalid_choice": _("Kategori tidak dikenal.")},
    )

    def __init__(self, *args, english: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        raw = self.data if self.is_bound else self.initial
        # Only well-formed codes reach the database (a NUL byte would make PostgreSQL fail).
        self.chain = choices.resolve_chain(
            {
                level: code
                if REGION_CODE.match(code := str(raw.get(FIELD_OF_LEVEL[level], "")))
                else ""
                for level in REGION_LEVELS
            },
            levels=REGION_LEVELS,
        )
        if self.is_bound and self.chain.dropped:
            data = self.data.copy()
            for level in self.chain.dropped:
                data[FIELD_OF_LEVEL[level]] = ""
            self.data = data
        self.fields["provinsi"].choices = [("", _("— Pilih provinsi —"))] + choices.provinces()
        for level, empty in (
            ("regency", _("— Pilih kabupaten/kota —")),
            ("district", _("— Seluruh kabupaten/kota —")),
        ):
            above = REGION_LEVELS[REGION_LEVELS.index(level) - 1]
            parent = self.chain.codes.get(above)
            name = FIELD_OF_LEVEL[level]
            self.fields[name].choices = [("", empty)] + (choices.children(parent) if parent else [])
            self.fields[name].parent_chosen = bool(parent)
        self.fields["kategori"].choices = choices.category_choices(
            english=english, empty_label=_("Semua kategori")
        )

    def clean_email(self):
        return clean_email(self.cleaned_data["email"])

    def clean(self):
        data = super().clean()
        if data.get("area") == AREA_POINT:
            lat_text, lon_text = data.get("lintang", ""), data.get("bujur", "")
            lat, lon = _coordinate(lat_text, -90, 90), _coordinate(lon_text, -180, 180)
            if not lat_text or not lon_text:
                self.add_error("lintang", _("Isi lintang dan bujur titik pusat."))
            elif lat is None or lon is None:
                self.add_error("lintang", _("Koordinat tidak valid."))
            elif not in_indonesia(float(lat), float(lon)):
                self.add_error("lintang", _("Titik ini berada di luar Indonesia."))
            if not data.get("radius"):
                self.add_error("radius", _("Pilih radius."))
            data["latitude"], data["longitude"] = lat, lon
        elif data.get("area") == AREA_REGION and not self.chain.codes.get("regency"):
            self.add_error("kabupaten", _("Pilih kabupaten/kota (dan, jika mau, kecamatan)."))
        slug = data.get("kategori")
        data["category"] = Category.objects.filter(slug=slug).first() if slug else None
        return data

    def subscription_area(self) -> Area:
        data = self.cleaned_data
        if data["area"] == AREA_POINT:
            return Area(
                AreaKind.RADIUS,
                latitude=data["latitude"],
                longitude=data["longitude"],
                radius_m=data["radius"],
            )
        district = self.chain.codes.get("district")
        if district:
            return Area(AreaKind.DISTRICT, region_code=district)
        return Area(AreaKind.REGENCY, region_code=self.chain.codes["regency"])
