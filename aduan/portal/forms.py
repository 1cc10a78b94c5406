"""Forms of the citizens' pages.

The report form only shapes the input: what makes a report valid is decided by the domain
(`validate_submission` inside `submit_report`), whose errors the view puts next to the
fields. Every field is therefore optional here, and the Indonesian labels are the ones
people and browser tests find the fields by."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from aduan.accounts.forms import ContactChoiceForm
from aduan.accounts.identity import clean_email, clean_phone
from aduan.notifications.models import NotificationChannel
from aduan.reports import search, tracking
from aduan.reports.models import PUBLISHED_STATUSES, ReportType, Status

from . import choices
from .verification import Contact

TYPE_HELP = {
    ReportType.COMPLAINT: _("Keluhan tentang pelayanan publik yang buruk atau tidak ada."),
    ReportType.ASPIRATION: _("Usul atau saran untuk perbaikan pelayanan publik."),
    ReportType.INFORMATION_REQUEST: _("Pertanyaan atau permintaan informasi publik."),
}


class ReportForm(forms.Form):
    report_type = forms.ChoiceField(
        label=_("Jenis laporan"),
        choices=ReportType.choices,
        initial=ReportType.COMPLAINT,
        widget=forms.RadioSelect,
        required=False,
    )
    title = forms.CharField(
        label=_("Judul laporan"),
        help_text=_("Singkat dan jelas, mis. “Jalan berlubang di depan SDN 003”."),
        max_length=200,
        required=False,
    )
    body = forms.CharField(
        label=_("Isi laporan"),
        help_text=_("Ceritakan apa yang terjadi, di mana, sejak kapan, dan dampaknya."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20_000,
        required=False,
    )
    category = forms.ChoiceField(label=_("Kategori"), required=False)
    province = forms.ChoiceField(label=_("Provinsi"), required=False)
    regency = forms.ChoiceField(label=_("Kabupaten/kota"), required=False)
    district = forms.ChoiceField(label=_("Kecamatan"), required=False)
    village = forms.ChoiceField(label=_("Desa/kelurahan"), required=False)
    address = forms.CharField(
        label=_("Alamat atau patokan"),
        help_text=_("Mis. Jl. Poros Sangatta–Bengalon KM 12, depan masjid."),
        max_length=300,
        required=False,
    )
    latitude = forms.CharField(
        label=_("Lintang (latitude)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    longitude = forms.CharField(
        label=_("Bujur (longitude)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    incident_date = forms.CharField(
        label=_("Tanggal kejadian"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    is_anonymous = forms.BooleanField(
        label=_("Anonim"),
        help_text=_(
            "Nama dan kontak Anda disembunyikan dari instansi yang menangani; hanya admin "
            "verifikasi yang dapat melihatnya."
        ),
        required=False,
    )
    is_confidential = forms.BooleanField(
        label=_("Rahasia"),
        help_text=_(
            "Isi laporan tidak ditampilkan di halaman publik; hanya Anda dan petugas yang "
            "menangani yang dapat membacanya."
        ),
        required=False,
    )

    def __init__(self, *args, english: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        raw = self.data if self.is_bound else {}
        self.chain = choices.resolve_chain(
            {level: raw.get(level, "") for level in choices.REGION_LEVELS}
        )
        if self.is_bound and self.chain.dropped:
            # Values under a changed parent are cleared, so the form shows what will be sent.
            data = self.data.copy()
            for level in self.chain.dropped:
                data[level] = ""
            self.data = data
        self.fields["category"].choices = choices.category_choices(
            english=english, empty_label=_("— Pilih kategori —")
        )
        self.fields["province"].choices = [("", _("— Pilih provinsi —"))] + choices.provinces()
        parent = None
        for level, empty in (
            ("regency", _("— Pilih kabupaten/kota —")),
            ("district", _("— Pilih kecamatan —")),
            ("village", _("— Pilih desa/kelurahan —")),
        ):
            above = choices.REGION_LEVELS[choices.REGION_LEVELS.index(level) - 1]
            parent = self.chain.codes.get(above)
            options = choices.children(parent) if parent else []
            self.fields[level].choices = [("", empty)] + options
            self.fields[level].parent_chosen = bool(parent)
        self.fields["incident_date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.type_help = TYPE_HELP

    @property
    def region_code(self) -> str:
        return self.chain.deepest

    def submission_data(self) -> dict:
        """The dict that `submit_report` takes, from the cleaned fields."""
        data = self.cleaned_data
        return {
            "report_type": data.get("report_type") or ReportType.COMPLAINT,
            "title": data.get("title", ""),
            "body": data.get("body", ""),
            "category": data.get("category", ""),
            "region": self.region_code,
            "address": data.get("address", ""),
            "latitude": data.get("latitude", ""),
            "longitude": data.get("longitude", ""),
            "incident_date": data.get("incident_date", ""),
            "is_anonymous": data.get("is_anonymous", False),
            "is_confidential": data.get("is_confidential", False),
        }


# The domain's field names -> the form field that shows the message.
DOMAIN_FIELD_MAP = {
    "report_type": "report_type",
    "title": "title",
    "body": "body",
    "category": "category",
    "region": "province",
    "incident_date": "incident_date",
    "latitude": "latitude",
    "longitude": "longitude",
    "address": "address",
}


class ContactForm(forms.Form):
    name = forms.CharField(
        label=_("Nama"),
        help_text=_("Boleh dikosongkan. Nama tidak pernah ditampilkan di halaman publik."),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.CharField(
        label=_("Alamat surel"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Nomor HP"),
        help_text=_("Untuk SMS, mis. 0812 3456 7890."),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_email(self):
        return clean_email(self.cleaned_data["email"])

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        email, phone = data.get("email"), data.get("phone")
        if self.errors:
            return data
        if not email and not phone:
            self.add_error("email", _("Isi alamat surel atau nomor HP."))
        elif email and phone:
            self.add_error(
                "phone",
                _("Isi salah satu saja: kode dikirim ke satu alamat, surel atau nomor HP."),
            )
        return data

    def contact(self) -> Contact:
        if self.cleaned_data.get("email"):
            return Contact(NotificationChannel.EMAIL, self.cleaned_data["email"])
        return Contact(NotificationChannel.SMS, self.cleaned_data["phone"])


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Kode verifikasi"),
        help_text=_("6 angka."),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "class": "code-input",
            }
        ),
        error_messages={"required": _("Masukkan kode 6 angka.")},
    )


class TrackForm(forms.Form):
    nomor = forms.CharField(
        label=_("Nomor laporan"),
        help_text=_("Contoh: PST-26-0001234-7"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
        error_messages={"required": _("Masukkan nomor laporan.")},
    )


TRACKING_NUMBER_INVALID = _(
    "Nomor laporan tidak valid. Periksa setiap angka: nomor berbentuk PST-26-0001234-7 dan "
    "angka terakhir adalah angka pemeriksa, jadi salah ketik satu angka langsung ketahuan."
)


class ResendLinkForm(ContactChoiceForm):
    """The tracking number and the contact the citizen reported with."""

    nomor = forms.CharField(
        label=_("Nomor laporan"),
        help_text=_("Contoh: PST-26-0001234-7"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
        error_messages={"required": _("Masukkan nomor laporan.")},
    )
    field_order = ["nomor", "email", "phone"]

    def clean_nomor(self):
        number = tracking.normalise(self.cleaned_data["nomor"])
        if number is None:
            raise forms.ValidationError(TRACKING_NUMBER_INVALID, code="invalid_number")
        return number


class MyReportsContactForm(ContactChoiceForm):
    """The e-mail address or phone number the guest reported with."""


# ------------------------------------------------------------------------------ reporter actions


class TextForm(forms.Form):
    text = forms.CharField(
        label=_("Informasi tambahan"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReplyChannelForm(forms.Form):
    """Where the reporter hears about their reports: the channels of the contacts they
    gave, or "" for the channel each report came in by."""

    channel = forms.ChoiceField(
        label=_("Kirim kabar laporan saya melalui"), required=False, widget=forms.RadioSelect
    )

    def __init__(self, *args, reporter, report, **kwargs):
        super().__init__(*args, **kwargs)
        came_in = {
            "sms": _("SMS, seperti laporan ini dikirim"),
            "whatsapp": _("WhatsApp, seperti laporan ini dikirim"),
            "email": _("surel, seperti laporan ini dikirim"),
        }.get(report.channel, _("surel dan SMS, ke kontak yang Anda berikan"))
        choices = [("", came_in)]
        if reporter.phone:
            choices += [("sms", _("SMS saja")), ("whatsapp", _("WhatsApp saja"))]
        if reporter.email:
            choices.append(("email", _("Surel saja")))
        self.fields["channel"].choices = choices
        self.fields["channel"].initial = reporter.reply_channel


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Balasan Anda"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )


RATING_CHOICES = [
    ("5", _("5 — sangat puas")),
    ("4", _("4 — puas")),
    ("3", _("3 — cukup")),
    ("2", _("2 — kurang puas")),
    ("1", _("1 — tidak puas")),
]


class AcceptForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Penilaian (opsional)"),
        choices=[("", _("— Tanpa penilaian —"))] + RATING_CHOICES,
        required=False,
    )
    comment = forms.CharField(
        label=_("Komentar (opsional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Penilaian"),
        choices=RATING_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Pilih penilaian 1 sampai 5.")},
    )
    comment = forms.CharField(
        label=_("Komentar (opsional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ContestForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan banding"),
        help_text=_("Jelaskan mengapa tanggapan instansi belum menyelesaikan masalah."),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan pencabutan (opsional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("Saya yakin ingin mencabut laporan ini"),
        error_messages={"required": _("Centang kotak ini untuk mencabut laporan.")},
    )


# ------------------------------------------------------------------------------ public list


class ReportFilterForm(forms.Form):
    SORT_RELEVANCE, SORT_NEWEST, SORT_OLDEST = "relevan", "terbaru", "terlama"

    cari = forms.CharField(
        label=_("Cari laporan"),
        help_text=_(
            "Kata di judul atau isi laporan, mis. jalan berlubang. "
            "Gunakan “tanda kutip” untuk frasa, OR untuk salah satu kata, "
            "dan -kata untuk mengecualikan. Nomor laporan langsung membuka laporannya."
        ),
        max_length=search.MAX_QUERY_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    provinsi = forms.ChoiceField(label=_("Provinsi"), required=False)
    kabupaten = forms.ChoiceField(label=_("Kabupaten/kota"), required=False)
    kategori = forms.ChoiceField(label=_("Kategori"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    dari = forms.DateField(
        label=_("Dari tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sampai = forms.DateField(
        label=_("Sampai tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    urut = forms.ChoiceField(
        label=_("Urutkan"),
        required=False,
        choices=[
            (SORT_RELEVANCE, _("Paling sesuai (saat mencari)")),
            (SORT_NEWEST, _("Terbaru")),
            (SORT_OLDEST, _("Terlama")),
        ],
    )

    def __init__(self, *args, english: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        raw = self.data if self.is_bound else {}
        self.chain = choices.resolve_chain(
            {"province": raw.get("provinsi", ""), "regency": raw.get("kabupaten", "")},
            levels=("province", "regency"),
        )
        if self.is_bound and self.chain.dropped:
            data = self.data.copy()
            for level in self.chain.dropped:
                data["provinsi" if level == "province" else "kabupaten"] = ""
            self.data = data
        self.fields["provinsi"].choices = [("", _("Semua provinsi"))] + choices.provinces()
        province = self.chain.codes.get("province")
        self.fields["kabupaten"].choices = [("", _("Semua kabupaten/kota"))] + (
            choices.children(province) if province else []
        )
        self.fields["kabupaten"].parent_chosen = bool(province)
        self.fields["kategori"].choices = choices.category_choices(
            english=english, empty_label=_("Semua kategori")
        )
        self.fields["status"].choices = [("", _("Semua status"))] + [
            (status, Status(status).label) for status in PUBLISHED_STATUSES
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("dari"), data.get("sampai")
        if start and end and start > end:
            self.add_error("sampai", _("Tanggal akhir harus sesudah tanggal awal."))
        for name in ("dari", "sampai"):
            value = data.get(name)
            if value and not dt.date(1945, 1, 1) <= value <= dt.date(2200, 1, 1):
                self.add_error(name, _("Tanggal tidak valid."))
        return data

    def clean_cari(self) -> str:
        text = search.clean(self.cleaned_data.get("cari", ""))
        if text and not search.parse(text):
            raise forms.ValidationError(
                _("Ketik setidaknya satu kata yang dicari (bukan hanya kata yang dikecualikan).")
            )
        return text

    @cached_property
    def search_query(self) -> search.SearchQuery | None:
        """The parsed search, when the box holds a valid one."""
        text = self.cleaned_data.get("cari", "") if hasattr(self, "cleaned_data") else ""
        return search.parse(text) if text else None

    @property
    def sort(self) -> str:
        """The chosen order; relevance only means something while searching."""
        chosen = self.cleaned_data.get("urut", "") if hasattr(self, "cleaned_data") else ""
        if self.search_query:
            return chosen or self.SORT_RELEVANCE
        return chosen if chosen in (self.SORT_NEWEST, self.SORT_OLDEST) else self.SORT_NEWEST
