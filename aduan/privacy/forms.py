from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "Saya mengerti: nama, NIK, kontak dan akun saya dihapus dan tidak dapat "
            "dikembalikan; isi laporan saya tetap tercatat tanpa identitas saya."
        ),
        error_messages={"required": _("Centang pernyataan ini untuk melanjutkan.")},
    )


class PersonLookupForm(forms.Form):
    q = forms.CharField(
        label=_("Nomor laporan atau UUID pelapor"),
        max_length=64,
        error_messages={"required": _("Isi nomor laporan atau UUID pelapor.")},
    )

    def clean_q(self):
        from .views import find_reporter

        value = self.cleaned_data["q"]
        if "\x00" in value:
            raise forms.ValidationError(_("Tidak ditemukan."), code="not_found")
        reporter = find_reporter(value)
        if reporter is None:
            raise forms.ValidationError(_("Tidak ditemukan."), code="not_found")
        self.cleaned_data["reporter"] = reporter
        return value
