"""Download of the monthly PDF report of one agency."""

import uuid

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from aduan.agencies.models import Agency

from .. import monthly
from ..params import BadParameter, parse_month, this_month
from ..scope import StaffScope
from .dashboard import staff_only
from .exports import _refusal


@require_GET
@staff_only
def monthly_report(request, scope: StaffScope):
    try:
        month = parse_month(request.GET.get("bulan") or f"{this_month():%Y-%m}", "bulan")
    except BadParameter as error:
        return _refusal(error)
    try:
        key = uuid.UUID((request.GET.get("instansi") or "").strip())
    except ValueError:
        key = None
    agency = Agency.objects.filter(uuid=key).first() if key else None
    # Unknown and not-yours look the same.
    if agency is None or not monthly.may_download(request.user, agency):
        raise Http404("Instansi tidak ditemukan / Agency not found")
    pdf = monthly.render_pdf(agency, month)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{monthly.filename(agency, month)}"'
    response["Cache-Control"] = "no-store"
    return response
