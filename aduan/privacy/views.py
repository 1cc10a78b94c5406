"""The citizen's personal data pages (`/data-saya/`): download everything held about
them, see who read it, ask for it to be erased; and the national admin's report per
person (`/data-saya/admin/`).

The citizen proves who they are by being signed in, or with the "my reports" grant of a
contact proved by a code (`portal.grants`): the same two doors as "my reports"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aduan.accounts.models import PersonalDataAccess, Reporter, Role
from aduan.reports import tracking
from aduan.reports.models import Report

from . import erasure, export
from .forms import ErasureForm, PersonLookupForm
from .models import ErasureRequest, ErasureSource, ErasureStatus
from .subject import Subject, subject_for

ACCESS_PER_PAGE = 20


def _access_page(subject: Subject, number):
    rows = (
        PersonalDataAccess.objects.filter(reporter_id__in=subject.reporter_ids)
        .select_related("user__agency", "report")
        .order_by("-at", "-pk")
    )
    page = Paginator(rows, ACCESS_PER_PAGE).get_page(number)
    for row in page.object_list:
        row.purpose_label = export.purpose_label(row.purpose)
    return page


def _requests(subject: Subject):
    q = Q(reporters__in=subject.reporter_ids)
    if subject.user is not None:
        q |= Q(user=subject.user)
    return ErasureRequest.objects.filter(
        pk__in=ErasureRequest.objects.filter(q).values("pk")
    ).order_by("-requested_at")[:5]


def _home(request, subject: Subject, *, form=None, refused=None, status=200):
    page = _access_page(subject, request.GET.get("halaman"))
    requests = list(_requests(subject))
    context = {
        "subject": subject,
        "report_count": subject.reports().count(),
        "access_page": page,
        "requests": requests,
        "waiting": any(r.status == ErasureStatus.REQUESTED for r in requests),
        "form": form or ErasureForm(),
        "refused": refused,
        "is_staff": request.user.is_authenticated and request.user.is_staff_role,
    }
    return render(request, "privacy/home.html", context, status=status)


@never_cache
@require_GET
def home(request):
    subject = subject_for(request)
    if subject is None:
        return render(request, "privacy/start.html")
    return _home(request, subject)


def _download(request, chunks, content_type: str, extension: str):
    subject = subject_for(request)
    if subject is None:
        return redirect("privacy:home")
    stamp = timezone.localdate().isoformat()
    response = StreamingHttpResponse(chunks(subject), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="aduan-data-saya-{stamp}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def download_json(request):
    return _download(request, export.json_chunks, "application/json; charset=utf-8", "json")


@require_GET
def download_zip(request):
    return _download(request, export.zip_chunks, "application/zip", "zip")


@require_POST
def erase(request):
    subject = subject_for(request)
    if subject is None:
        return redirect("privacy:home")
    form = ErasureForm(request.POST)
    if not form.is_valid():
        return _home(request, subject, form=form, status=400)
    source = ErasureSource.ACCOUNT if subject.user is not None else ErasureSource.CONTACT
    try:
        erasure.request_erasure(subject, source=source)
    except erasure.ErasureRefused as exc:
        return _home(request, subject, form=form, refused=exc, status=409)
    messages.success(
        request,
        _(
            "Permintaan penghapusan tercatat. Kami mengabari Anda lewat surel atau SMS "
            "setelah data Anda dihapus."
        ),
    )
    return redirect("privacy:home")


# -------------------------------------------------------------------- the national admin


def national_admin_only(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if request.user.role != Role.NATIONAL_ADMIN:
            raise Http404("Halaman tidak ditemukan / Page not found")
        return view(request, *args, **kwargs)

    wrapped.__doc__ = view.__doc__
    wrapped.__name__ = view.__name__
    return wrapped


@never_cache
@require_http_methods(["GET"])
@national_admin_only
def admin_home(request):
    """Look a person up (by a report's tracking number or a reporter's UUID), and the
    erasure requests with what each erased."""
    form = PersonLookupForm(request.GET or None)
    status = 200
    if request.GET:
        if form.is_valid():
            reporter = form.cleaned_data["reporter"]
            return redirect("privacy:admin-person", reporter_uuid=reporter.uuid)
        status = 404 if form.has_error("q", "not_found") else 400
    page = Paginator(
        ErasureRequest.objects.select_related("user").order_by("-requested_at"), 20
    ).get_page(request.GET.get("halaman"))
    return render(
        request,
        "privacy/admin_home.html",
        {"form": form, "page": page, "pending": ErasureStatus.REQUESTED},
        status=status,
    )


@never_cache
@require_GET
@national_admin_only
def admin_person(request, reporter_uuid):
    """One person's report: who read their data (named), when, why; their erasures."""
    reporter = Reporter.objects.filter(uuid=reporter_uuid).first()
    if reporter is None:
        raise Http404("Pelapor tidak ditemukan / Reporter not found")
    reporter_ids = [reporter.pk]
    if reporter.user_id:
        reporter_ids = list(
            Reporter.objects.filter(user_id=reporter.user_id).values_list("pk", flat=True)
        )
    rows = (
        PersonalDataAccess.objects.filter(reporter_id__in=reporter_ids)
        .select_related("user__agency", "report")
        .order_by("-at", "-pk")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("halaman"))
    for row in page.object_list:
        row.purpose_label = export.purpose_label(row.purpose)
    context = {
        "reporter": reporter,
        "reports": list(
            Report.objects.filter(reporter_id__in=reporter_ids)
            .order_by("-submitted_at")
            .values("tracking_number", "status", "origin_node")[:50]
        ),
        "page": page,
        "requests": list(
            ErasureRequest.objects.filter(reporters__in=reporter_ids)
            .distinct()
            .order_by("-requested_at")
        ),
    }
    return render(request, "privacy/admin_person.html", context)


def find_reporter(query: str) -> Reporter | None:
    """A reporter by report tracking number (check digit verified) or by UUID."""
    number = tracking.normalise(query)
    if number:
        report = Report.objects.filter(tracking_number=number).select_related("reporter").first()
        return report.reporter if report else None
    import uuid

    try:
        key = uuid.UUID(query.strip())
    except ValueError:
        return None
    return Reporter.objects.filter(uuid=key).first()
