"""Forms of the staff workspace. They only parse and check input; every change goes
through the domain actions in aduan.reports.actions, which check permission and state
again under the report's lock. Labels and button texts are stable Indonesian msgids (the
browser tests find fields by these labels)."""

from django import forms
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from aduan.accounts.identity import clean_email, clean_nik, clean_phone
from aduan.accounts.models import Role
from aduan.agencies.models import Agency, AgencyKind, CannedResponse
from aduan.categories.models import Category
from aduan.core import refcache
from aduan.core.renderers import MemoSelect
from aduan.regions.forms import RegionField
from aduan.regions.models import Region
from aduan.reports import search, tracking
from aduan.reports.access import find_report, visible_reports
from aduan.reports.models import ArchiveReason, Channel, ReportType, Status
from aduan.reports.permissions import role_actions

# -- shared fields ------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the domain action checks count, size and content."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,.pdf"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class _CategoryChoices(ModelChoiceIterator):
    """The active categories in tree order, remembered by each process until categories
    change (core.refcache) instead of queried and built into objects on every page."""

    def _rows(self) -> list[tuple[int, str]]:
        return refcache.lookup(
            "category-choices",
            "tree",
            lambda: [(c.pk, str(c)) for c in categories_in_tree_order()],
        )

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, label in self._rows():
            yield (ModelChoiceIteratorValue(pk, None), label)

    def __len__(self):
        return len(self._rows()) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self._rows())


class CategoryChoiceField(forms.ModelChoiceField):
    iterator = _CategoryChoices

    def label_from_instance(self, obj):
        return str(obj)


def categories_in_tree_order():
    """Each top-level category followed by its sub-categories."""
    return (
        Category.objects.filter(is_active=True)
        .select_related("parent")
        .order_by(
            Coalesce("parent__sort_order", "sort_order"),
            Coalesce("parent__name", "name"),
            F("parent_id").asc(nulls_first=True),
            "sort_order",
            "name",
        )
    )


def category_field(**kwargs) -> CategoryChoiceField:
    return CategoryChoiceField(
        queryset=categories_in_tree_order(),
        label=kwargs.pop("label", _("Kategori")),
        required=kwargs.pop("required", False),
        empty_label=kwargs.pop("empty_label", _("— pilih kategori —")),
        **kwargs,
    )


class _PlainChoices(ModelChoiceIterator):
    """The choices of a short model list read in one plain query. Django's iterator reads
    them with `.iterator()`, which on PostgreSQL opens a server-side cursor: DECLARE,
    FETCH and CLOSE, three round trips for forty agencies on every page that shows the
    list. `only`: the primary key and what the label shows."""

    fields: tuple[str, ...] = ()

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        queryset = self.queryset.only("pk", *self.fields) if self.fields else self.queryset
        for obj in queryset.all():
            yield self.choice(obj)


class _AgencyChoices(_PlainChoices):
    fields = ("name",)


class _UnitChoices(_PlainChoices):
    fields = ("name", "short_name")


class _OfficerChoices(_PlainChoices):
    fields = ("first_name", "last_name", "username")


class UnitFilterField(forms.ModelChoiceField):
    """The inbox's unit filter, labelled like the units elsewhere (`str(agency)`)."""

    iterator = _UnitChoices


class AgencyChoiceField(forms.ModelChoiceField):
    iterator = _AgencyChoices

    def label_from_instance(self, obj):
        return obj.name


def receiving_agencies(user):
    """Agencies a report may be disposed to by this user."""
    qs = Agency.objects.filter(is_active=True).exclude(kind=AgencyKind.UNIT)
    if user.role == Role.AGENCY_ADMIN:
        qs = qs.filter(pk=user.agency_id)
    return qs.order_by("name")


def units_of(agency_id):
    return Agency.objects.filter(
        kind=AgencyKind.UNIT, parent_id=agency_id, is_active=True
    ).order_by("name")


def _selected_pk(form: forms.Form, name: str, initial):
    """The pk chosen in a bound form (else the initial one), to list that agency's units."""
    if form.is_bound:
        raw = form.data.get(form.add_prefix(name))
        if raw and str(raw).isdigit():
            return int(raw)
        return None
    value = form.initial.get(name, initial)
    return getattr(value, "pk", value)


def find_visible_report(user, key: str):
    key = (key or "").strip()
    if not key or tracking.normalise(key) is None:
        return None
    return find_report(key, visible_reports(user))


# -- the inbox ----------------------------------------------------------------------------


class ReadyChoices(BaseChoiceIterator):
    """Choices already in Django's normal form ((value, label) pairs): a field or widget
    takes them as they are. Given a plain list, Django normalises it item by item when
    the field gets it and again when its widget does, ~1,100 calls on every inbox view
    for the region filter's 550 regions."""

    def __init__(self, choices):
        self.choices = list(choices)

    def __iter__(self):
        return iter(self.choices)

    def __len__(self):
        return len(self.choices)


class RegionFilterField(forms.ChoiceField):
    """A select of the regions in the user's area; any other existing region code (e.g. a
    district in a link) is accepted too."""

    def valid_value(self, value):
        return super().valid_value(value) or Region.objects.filter(code=value).exists()


class InboxFilterForm(forms.Form):
    SORTS = [
        # The queue's own order, or relevance while searching.
        ("", _("Otomatis (paling sesuai saat mencari)")),
        ("deadline", _("Tenggat terdekat")),
        ("newest", _("Terbaru")),
        ("relevance", _("Paling sesuai (saat mencari)")),
    ]

    q = forms.CharField(
        label=_("Cari judul, isi, atau nomor laporan"),
        required=False,
        max_length=search.MAX_QUERY_LENGTH,
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = category_field(empty_label=_("Semua kategori"))
    region = RegionFilterField(label=_("Wilayah"), required=False)
    report_type = forms.ChoiceField(label=_("Jenis"), required=False)
    channel = forms.ChoiceField(label=_("Kanal"), required=False)
    overdue = forms.BooleanField(label=_("Hanya yang terlambat"), required=False)
    assignee = forms.ChoiceField(label=_("Petugas"), required=False)
    unit = UnitFilterField(
        label=_("Unit kerja"),
        required=False,
        queryset=Agency.objects.none(),
        empty_label=_("Semua unit kerja"),
    )
    sort = forms.ChoiceField(label=_("Urutkan"), required=False, choices=SORTS)

    ASSIGNED_TO_ME = "saya"
    UNASSIGNED = "belum"

    def __init__(self, *args, regions=(), user=None, **kwargs):
        super().__init__(*args, **kwargs)
        role = getattr(user, "role", None)
        # Assignment is inside a unit: its officers and their agency admin filter by it.
        if role in (Role.UNIT_OFFICER, Role.AGENCY_ADMIN):
            choices = [("", _("Semua petugas"))]
            if role == Role.UNIT_OFFICER:
                choices.append((self.ASSIGNED_TO_ME, _("Ditugaskan kepada saya")))
            choices.append((self.UNASSIGNED, _("Belum ditugaskan")))
            self.fields["assignee"].choices = choices
        else:
            del self.fields["assignee"]
        if role == Role.AGENCY_ADMIN and user.agency_id:
            self.fields["unit"].queryset = Agency.objects.filter(
                parent_id=user.agency_id, kind=AgencyKind.UNIT
            ).order_by("name")
        else:
            del self.fields["unit"]
        self.fields["status"].choices = [("", _("Semua status"))] + list(Status.choices)
        self.fields["report_type"].choices = [("", _("Semua jenis"))] + list(ReportType.choices)
        self.fields["channel"].choices = [("", _("Semua kanal"))] + list(Channel.choices)
        self.fields["region"].choices = ReadyChoices([("", _("Semua wilayah")), *regions])
        # The long lists are drawn once per choice list, value and process, not per view.
        for name in ("region", "category"):
            self.fields[name].widget = MemoSelect(choices=self.fields[name].choices)

    def clean_q(self) -> str:
        text = search.clean(self.cleaned_data.get("q", ""))
        if text and not tracking.normalise(text) and not search.parse(text):
            raise forms.ValidationError(
                _("Ketik setidaknya satu kata yang dicari (bukan hanya kata yang dikecualikan).")
            )
        return text


# -- report actions -----------------------------------------------------------------------


class VerifyForm(forms.Form):
    title = forms.CharField(label=_("Judul"), max_length=200)
    category = category_field()
    region = RegionField()
    report_type = forms.ChoiceField(label=_("Jenis laporan"), choices=ReportType.choices)
    is_confidential = forms.BooleanField(
        label=_("Rahasia (isi tidak ditampilkan kepada publik)"), required=False
    )

    def __init__(self, *args, report=None, user=None, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "title": report.title,
                "category": report.category_id,
                "region": report.region_id or report.suggested_region_id or "",
                "report_type": report.report_type,
                "is_confidential": report.is_confidential,
            },
        )
        super().__init__(*args, **kwargs)

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "category": data["category"],
            "region": data["region"],
            "report_type": data["report_type"],
            "is_confidential": data["is_confidential"],
        }


class DisposeForm(forms.Form):
    agency = AgencyChoiceField(
        queryset=Agency.objects.none(),
        label=_("Instansi tujuan"),
        empty_label=_("— pilih instansi —"),
    )
    unit = AgencyChoiceField(
        queryset=Agency.objects.none(),
        label=_("Unit kerja"),
        required=False,
        empty_label=_("— belum ke unit; admin instansi meneruskan —"),
    )
    needs_inspection = forms.BooleanField(
        label=_("Perlu pemeriksaan/audit (berkadar pengawasan, 60 hari kerja)"), required=False
    )
    note = forms.CharField(
        label=_("Catatan disposisi (internal)"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, report=None, user=None, suggestion=None, agency_hint=None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        if suggestion is not None and suggestion.agency is not None:
            initial.setdefault("agency", suggestion.agency.pk)
            if suggestion.unit is not None:
                initial.setdefault("unit", suggestion.unit.pk)
        if agency_hint:
            initial["agency"] = agency_hint
            if (
                suggestion is None
                or suggestion.agency is None
                or suggestion.agency.pk != agency_hint
            ):
                initial.pop("unit", None)
        if user.role == Role.AGENCY_ADMIN:
            initial["agency"] = user.agency_id
        initial.setdefault("needs_inspection", report.needs_inspection)
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = receiving_agencies(user)
        self.fields["unit"].queryset = units_of(_selected_pk(self, "agency", None))

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "agency": data["agency"],
            "unit": data["unit"],
            "note": data["note"],
            "needs_inspection": data["needs_inspection"],
        }


class PutOnHoldForm(forms.Form):
    question = forms.CharField(
        label=_("Pertanyaan untuk pelapor"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Pelapor menerima pertanyaan ini; tenggat berhenti sampai ia menjawab."),
    )

    def __init__(self, *args, report=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def action_kwargs(self) -> dict:
        return {"question": self.cleaned_data["question"]}


class ArchiveForm(forms.Form):
    reason = forms.ChoiceField(label=_("Alasan arsip"), choices=ArchiveReason.choices)
    duplicate_of = forms.CharField(
        label=_("Nomor laporan asli (untuk duplikat)"),
        required=False,
        max_length=40,
        help_text=_("Misalnya PST-26-0001234-7. Duplikat ditautkan ke laporan asli."),
    )
    note = forms.CharField(
        label=_("Catatan arsip"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, report=None, user=None, **kwargs):
        self.report = report
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        key = (cleaned.get("duplicate_of") or "").strip()
        original = None
        if key:
            original = find_visible_report(self.user, key)
            if original is None:
                self.add_error(
                    "duplicate_of",
                    _("Laporan asli tidak ditemukan. Periksa nomor laporannya."),
                )
            elif self.report is not None and original.pk == self.report.pk:
                self.add_error(
                    "duplicate_of", _("Laporan tidak dapat menjadi duplikat dirinya sendiri.")
                )
        if cleaned.get("reason") == ArchiveReason.DUPLICATE and not key:
            self.add_error("duplicate_of", _("Sebutkan nomor laporan asli untuk duplikat."))
        if key and cleaned.get("reason") and cleaned["reason"] != ArchiveReason.DUPLICATE:
            self.add_error(
                "duplicate_of", _("Nomor laporan asli hanya diisi untuk alasan duplikat.")
            )
        cleaned["original"] = original
        return cleaned

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "reason": data["reason"],
            "duplicate_of": data["original"],
            "note": data["note"],
        }


class ForwardForm(forms.Form):
    unit = AgencyChoiceField(
        queryset=Agency.objects.none(), label=_("Unit kerja"), empty_label=_("— pilih unit —")
    )
    note = forms.CharField(
        label=_("Catatan untuk unit (internal)"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, report=None, user=None, suggestion=None, **kwargs):
        if suggestion is not None and suggestion.unit is not None:
            kwargs.setdefault("initial", {}).setdefault("unit", suggestion.unit.pk)
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_of(report.agency_id)

    def action_kwargs(self) -> dict:
        return {"unit": self.cleaned_data["unit"], "note": self.cleaned_data["note"]}


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan bukan wewenang"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Laporan kembali ke admin di atas Anda untuk didisposisikan ulang."),
    )

    def __init__(self, *args, report=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def action_kwargs(self) -> dict:
        return {"reason": self.cleaned_data["reason"]}


class RedisposeForm(forms.Form):
    agency = AgencyChoiceField(
        queryset=Agency.objects.none(),
        label=_("Instansi tujuan baru"),
        required=False,
        empty_label=_("— pilih instansi —"),
    )
    unit = AgencyChoiceField(
        queryset=Agency.objects.none(),
        label=_("Unit kerja baru"),
        required=False,
        empty_label=_("— tanpa unit —"),
    )
    note = forms.CharField(
        label=_("Catatan disposisi ulang"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, report=None, user=None, suggestion=None, agency_hint=None, **kwargs):
        self.report = report
        # A unit's return goes back to its agency: the agency stays, only the unit changes.
        self.agency_fixed = report.returned_to == "agency"
        initial = kwargs.setdefault("initial", {})
        if self.agency_fixed:
            # The unit suggested among the agency's other units (see routing.suggest_unit).
            if suggestion is not None and suggestion.unit is not None:
                initial.setdefault("unit", suggestion.unit.pk)
        else:
            if agency_hint:
                initial["agency"] = agency_hint
            elif suggestion is not None and suggestion.agency is not None:
                initial.setdefault("agency", suggestion.agency.pk)
                if suggestion.unit is not None:
                    initial.setdefault("unit", suggestion.unit.pk)
        super().__init__(*args, **kwargs)
        if self.agency_fixed:
            del self.fields["agency"]
            self.fields["unit"].required = True
            self.fields["unit"].empty_label = _("— pilih unit —")
            self.fields["unit"].queryset = units_of(report.agency_id).exclude(
                pk=report.unit_id or 0
            )
        else:
            self.fields["agency"].required = True
            self.fields["agency"].queryset = receiving_agencies(user)
            self.fields["unit"].queryset = units_of(_selected_pk(self, "agency", None))

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        agency = self.report.agency if self.agency_fixed else data["agency"]
        return {"agency": agency, "unit": data["unit"], "note": data["note"]}


class AcknowledgeForm(forms.Form):
    def __init__(self, *args, report=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def action_kwargs(self) -> dict:
        return {}


class FollowUpForm(forms.Form):
    canned = forms.ModelChoiceField(
        queryset=CannedResponse.objects.none(),
        label=_("Jawaban standar"),
        required=False,
        empty_label=_("— pilih jawaban standar —"),
    )
    text = forms.CharField(
        label=_("Isi tindak lanjut"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Dikirim kepada pelapor dan tampil di halaman laporan."),
    )
    attachments = MultipleFileField(label=_("Lampiran tindak lanjut"))

    def __init__(self, *args, report=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["canned"].queryset = canned_responses_for(user)

    def action_kwargs(self) -> dict:
        return {"text": self.cleaned_data["text"], "files": self.cleaned_data["attachments"]}


class ProgressUpdateForm(forms.Form):
    text = forms.CharField(
        label=_("Isi perkembangan penanganan"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Kabar sementara kepada pelapor, tampil di halaman laporan. Status tidak berubah "
            "dan batas 10 hari kerja bagi pelapor belum berjalan: itu dimulai oleh tindak "
            "lanjut (tanggapan akhir)."
        ),
    )
    attachments = MultipleFileField(label=_("Lampiran perkembangan"))

    def __init__(self, *args, report=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def action_kwargs(self) -> dict:
        return {"text": self.cleaned_data["text"], "files": self.cleaned_data["attachments"]}


class TakeForm(AcknowledgeForm):
    pass


class ReleaseForm(AcknowledgeForm):
    pass


class OfficerChoiceField(forms.ModelChoiceField):
    iterator = _OfficerChoices

    def label_from_instance(self, obj) -> str:
        return obj.display_name


class AssignForm(forms.Form):
    """The agency admin picks an officer of the report's unit, or nobody."""

    assignee = OfficerChoiceField(
        label=_("Petugas"),
        queryset=None,
        required=False,
        empty_label=_("— tidak ada (lepas penugasan) —"),
    )

    def __init__(self, *args, report=None, user=None, **kwargs):
        kwargs.setdefault("initial", {"assignee": report.assignee_id})
        super().__init__(*args, **kwargs)
        # Active officers of the unit; the domain action checks the choice again.
        self.fields["assignee"].queryset = officers_of(report.unit_id)

    def action_kwargs(self) -> dict:
        return {"officer": self.cleaned_data["assignee"]}


def officers_of(unit_id):
    from aduan.accounts.models import User

    return User.objects.filter(agency_id=unit_id, role=Role.UNIT_OFFICER, is_active=True).order_by(
        "first_name", "last_name", "username"
    )


def canned_responses_for(user):
    """The standard replies of the user's agency and, for a unit, of its government."""
    if not user.agency_id:
        return CannedResponse.objects.none()
    agency = user.agency
    ids = [agency.pk] + ([agency.parent_id] if agency.parent_id else [])
    return CannedResponse.objects.filter(agency_id__in=ids).order_by("title")


class InternalNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Catatan internal"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Hanya untuk petugas; tidak pernah terlihat oleh pelapor atau publik."),
    )
    attachments = MultipleFileField(label=_("Lampiran internal"))

    def __init__(self, *args, report=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def action_kwargs(self) -> dict:
        return {"text": self.cleaned_data["text"], "files": self.cleaned_data["attachments"]}


class InspectionForm(forms.Form):
    needs_inspection = forms.BooleanField(
        label=_("Perlu pemeriksaan/audit (berkadar pengawasan, 60 hari kerja)"), required=False
    )

    def __init__(self, *args, report=None, user=None, **kwargs):
        kwargs.setdefault("initial", {"needs_inspection": report.needs_inspection})
        super().__init__(*args, **kwargs)

    def action_kwargs(self) -> dict:
        return {"value": self.cleaned_data["needs_inspection"]}


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("Catatan penutupan"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, report=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def action_kwargs(self) -> dict:
        return {"note": self.cleaned_data["note"]}


class UnmergeForm(CloseForm):
    """Undo a merge: the report goes back to verification, on its own."""

    note = forms.CharField(
        label=_("Alasan pembatalan"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# -- counter / phone entry ----------------------------------------------------------------


class CounterReportForm(forms.Form):
    """A report typed by staff for a citizen at the counter or on the phone."""

    channel = forms.ChoiceField(
        label=_("Diterima melalui"),
        choices=[(Channel.COUNTER, _("Loket")), (Channel.PHONE, _("Telepon"))],
        widget=forms.RadioSelect,
        initial=Channel.COUNTER,
    )
    report_type = forms.ChoiceField(
        label=_("Jenis laporan"), choices=ReportType.choices, initial=ReportType.COMPLAINT
    )
    title = forms.CharField(label=_("Judul laporan"), max_length=200)
    body = forms.CharField(
        label=_("Isi laporan"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 6})
    )
    category = category_field()
    region = RegionField(label=_("Wilayah kejadian"))
    address = forms.CharField(label=_("Alamat/lokasi kejadian"), required=False, max_length=300)
    # Checked by the domain, like every channel's coordinates (a point outside Indonesia
    # is refused there).
    latitude = forms.CharField(
        label=_("Lintang (latitude)"),
        help_text=_("Bila pelapor membagikan titik lokasi, mis. 0.5012."),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    longitude = forms.CharField(
        label=_("Bujur (longitude)"),
        help_text=_("Mis. 117.5403."),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    incident_date = forms.DateField(
        label=_("Tanggal kejadian"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Tanggal kejadian tidak valid (TTTT-BB-HH).")},
    )
    reporter_name = forms.CharField(label=_("Nama pelapor"), required=False, max_length=150)
    reporter_phone = forms.CharField(
        label=_("Nomor HP pelapor"),
        help_text=_("Nomor seluler untuk SMS, mis. 0812 3456 7890."),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    reporter_email = forms.CharField(
        label=_("Surel pelapor"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(),
    )
    reporter_nik = forms.CharField(
        label=_("NIK pelapor"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("16 digit, bila pelapor bersedia memberikannya."),
    )
    is_anonymous = forms.BooleanField(
        label=_("Anonim (identitas pelapor disembunyikan dari instansi dan publik)"),
        required=False,
    )
    is_confidential = forms.BooleanField(
        label=_("Rahasia (isi laporan tidak ditampilkan kepada publik)"), required=False
    )
    attachments = MultipleFileField(label=_("Lampiran (foto atau PDF)"))

    def clean_reporter_nik(self):
        return clean_nik(self.cleaned_data["reporter_nik"])

    def clean_reporter_phone(self):
        return clean_phone(self.cleaned_data["reporter_phone"])

    def clean_reporter_email(self):
        return clean_email(self.cleaned_data["reporter_email"])

    def clean(self):
        cleaned = super().clean()
        if (
            not self.errors.get("reporter_email")
            and not cleaned.get("reporter_email")
            and not (cleaned.get("reporter_phone") or "").strip()
        ):
            self.add_error(
                "reporter_phone",
                _("Isi telepon atau surel pelapor agar ia menerima nomor dan kabar laporannya."),
            )
        return cleaned

    def submission(self) -> dict:
        data = self.cleaned_data
        return {
            "channel": data["channel"],
            "report_type": data["report_type"],
            "title": data["title"],
            "body": data["body"],
            "category": data["category"].slug if data["category"] else "",
            "region": data["region"].code if data["region"] else "",
            "address": data["address"],
            "latitude": data["latitude"],
            "longitude": data["longitude"],
            "incident_date": data["incident_date"],
            "is_anonymous": data["is_anonymous"],
            "is_confidential": data["is_confidential"],
        }


# Domain field names (ValidationFailed.errors) -> this form's fields.
COUNTER_ERROR_FIELDS = {
    "nik": "reporter_nik",
    "phone": "reporter_phone",
    "email": "reporter_email",
    "contact": "reporter_phone",
    "name": "reporter_name",
    "latitude": "latitude",
    "longitude": "longitude",
}


# -- bulk actions on the inbox ------------------------------------------------------------


class BulkForm(forms.Form):
    ACTIONS = [
        ("dispose", _("Disposisikan")),
        ("forward", _("Teruskan ke unit")),
        ("archive", _("Arsipkan")),
    ]
    # The domain action behind each choice.
    DOMAIN_ACTIONS = {"dispose": "dispose", "forward": "forward_to_unit", "archive": "archive"}
    bulk_action = forms.ChoiceField(label=_("Tindakan massal"), choices=ACTIONS)
    reports = forms.MultipleChoiceField(label=_("Laporan terpilih"))
    agency = AgencyChoiceField(
        queryset=Agency.objects.none(),
        label=_("Instansi tujuan"),
        required=False,
        empty_label=_("— pilih instansi —"),
    )
    unit = AgencyChoiceField(
        queryset=Agency.objects.none(),
        label=_("Unit kerja"),
        required=False,
        empty_label=_("— tanpa unit —"),
    )
    reason = forms.ChoiceField(
        label=_("Alasan arsip"),
        required=False,
        choices=[("", _("— pilih alasan —"))]
        + [c for c in ArchiveReason.choices if c[0] != ArchiveReason.DUPLICATE],
    )

    MAX_ITEMS = 100

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        # Only what the user's role can ever do: an agency admin without delegated
        # verification never disposes or archives (those reports are not yet its own).
        possible = role_actions(user)
        offered = {key for key, action in self.DOMAIN_ACTIONS.items() if action in possible}
        if user.role != Role.AGENCY_ADMIN:
            # The national admin sends to agencies; their admins forward to their units.
            offered.discard("forward")
        self.fields["bulk_action"].choices = [c for c in self.ACTIONS if c[0] in offered]
        if "dispose" in offered:
            self.fields["agency"].queryset = receiving_agencies(user)
        else:
            del self.fields["agency"]
        if "forward" in offered:
            self.fields["unit"].queryset = units_of(user.agency_id)
        else:
            del self.fields["unit"]
        if "archive" not in offered:
            del self.fields["reason"]
        # Any tracking numbers may be posted; each is fetched through the access layer.
        self.fields["reports"].choices = [
            (value, value) for value in (self.data.getlist("reports") if self.is_bound else [])
        ]

    @property
    def offers_actions(self) -> bool:
        return bool(self.fields["bulk_action"].choices)

    def clean_reports(self):
        values = self.cleaned_data["reports"]
        if len(values) > self.MAX_ITEMS:
            raise forms.ValidationError(
                _("Pilih paling banyak %(max)d laporan sekaligus.") % {"max": self.MAX_ITEMS}
            )
        return list(dict.fromkeys(values))

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("bulk_action")
        if action == "dispose" and not cleaned.get("agency"):
            self.add_error("agency", _("Pilih instansi tujuan."))
        if action == "forward" and not cleaned.get("unit"):
            self.add_error("unit", _("Pilih unit kerja."))
        if action == "archive" and not cleaned.get("reason"):
            self.add_error("reason", _("Pilih alasan arsip."))
        return cleaned


def scope_regions(user) -> list[tuple[str, str]]:
    """(code, label) of the regions offered in the inbox's region filter: the user's area
    and one level below, or provinces and regencies for nationwide users. Remembered per
    area until regions change (core.refcache)."""
    codes: list[str] = []
    if user.role == Role.SUPERVISOR and user.scope_region_id:
        codes = [user.scope_region_id]
    elif user.role in (Role.AGENCY_ADMIN, Role.UNIT_OFFICER) and user.agency_id:
        government = user.agency.government
        codes = government.jurisdiction_codes()

    def load():
        if codes:
            rows = Region.objects.filter(Q(code__in=codes) | Q(parent_id__in=codes))
        else:
            rows = Region.objects.filter(level__lte=2)
        return [
            (code, f"{'— ' * (level - 1)}{name} ({code})")
            for code, name, level in rows.order_by("code").values_list("code", "name", "level")
        ]

    return refcache.lookup("inbox-regions", tuple(sorted(codes)), load)
