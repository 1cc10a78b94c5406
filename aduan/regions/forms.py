"""The region picker: a form field where staff find a region by name instead of typing
its Kemendagri code.

Without JavaScript it is a text box: the server looks the text up (`search.py`); one match
is taken, several are listed under the box as choices to pick from (the form is shown again,
nothing is saved), none gives a clear message. With JavaScript the same box becomes an ARIA
1.2 combobox fed by `/wilayah/cari.json` (`static/regions/region-picker.js`), which fills a
hidden field with the chosen code. A code typed in the box ("64.08.04") still works.
"""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Region
from .search import CODE_PATTERN, label, normalise, search_regions

CANDIDATES = 8


def _region(value) -> Region | None:
    if isinstance(value, Region):
        return value
    if value:
        return Region.objects.select_related("parent__parent__parent").filter(code=value).first()
    return None


class RegionPickerWidget(forms.Widget):
    template_name = "regions/widgets/region_picker.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        # Set by RegionField.clean() when the text matched several regions.
        self.candidates: list[Region] = []

    def value_from_datadict(self, data, files, name):
        return (
            data.get(name, ""),
            data.get(f"{name}_code", ""),
            data.get(f"{name}_pick", ""),
        )

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_code" not in data and f"{name}_pick" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if isinstance(value, tuple):
            text, code, pick = value
            code = pick or code
        else:
            region = _region(value)
            text, code = (label(region), region.code) if region else ("", "")
        context["widget"].update(
            {
                "text": text,
                "code": code,
                "search_url": reverse("regions:search"),
                "candidates": [(r.code, label(r)) for r in self.candidates],
            }
        )
        return context


class RegionField(forms.Field):
    """Cleans to a Region (or None when left empty and not required)."""

    widget = RegionPickerWidget
    default_error_messages = {
        "unknown_code": _("Kode wilayah tidak dikenal."),
        "not_found": _(
            "Tidak ada wilayah bernama “%(query)s”. Ketik nama desa/kelurahan, kecamatan, "
            "kabupaten/kota atau provinsi."
        ),
        "ambiguous": _(
            "Beberapa wilayah cocok dengan “%(query)s”; pilih salah satu di bawah ini atau "
            "ketik lebih lengkap."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Wilayah"))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _(
                "Ketik nama desa/kelurahan, kecamatan, kabupaten/kota atau provinsi, mis. "
                "Sangatta Utara, lalu pilih dari daftar. Kode Kemendagri (64.08.04) juga bisa."
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        if not isinstance(value, tuple):  # an initial value
            value = (value.code if isinstance(value, Region) else value or "", "", "")
        text, code, pick = (str(part or "").strip() for part in value)
        text = text[:100]
        self.widget.candidates = []
        if pick:
            region = _region(pick)
            if region is None:
                raise forms.ValidationError(self.error_messages["unknown_code"], "unknown_code")
            return region
        if code and text:
            region = _region(code)
            # The chosen region, unless the text was changed afterwards (without JavaScript
            # the hidden code stays as it was rendered).
            if region is not None and normalise(text) in (
                normalise(label(region)),
                normalise(region.name),
                normalise(region.code),
            ):
                return region
        if not text:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], "required")
            return None
        if CODE_PATTERN.fullmatch(text):
            region = _region(text)
            if region is None:
                raise forms.ValidationError(self.error_messages["unknown_code"], "unknown_code")
            return region
        found = search_regions(text, limit=CANDIDATES)
        exact = [r for r in found if normalise(label(r)) == normalise(text)]
        if len(found) == 1 or len(exact) == 1:
            return (exact or found)[0]
        if not found:
            raise forms.ValidationError(
                self.error_messages["not_found"], "not_found", params={"query": text}
            )
        self.widget.candidates = found
        raise forms.ValidationError(
            self.error_messages["ambiguous"], "ambiguous", params={"query": text}
        )
