"""CSV and XLSX exports of the filtered report list, for staff, within their scope."""

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from ..contributions import STATS_TIME_ZONE
from ..exports import ExportFilters, csv_stream, export_queryset, write_xlsx
from ..params import BadParameter
from ..scope import StaffScope
from .dashboard import staff_only


def _refusal(error: BadParameter) -> HttpResponse:
    return HttpResponse(
        f"{error.message}\n",
        status=error.status_code,
        content_type="text/plain; charset=utf-8",
    )


def _filename(filters: ExportFilters, extension: str) -> str:
    stamp = timezone.now().astimezone(STATS_TIME_ZONE).strftime("%Y%m%d-%H%M")
    label = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in filters.label)[:80]
    return f"laporan-{stamp}{'-' + label if label else ''}.{extension}"


@require_GET
@staff_only
def export_csv(request, scope: StaffScope):
    try:
        filters = ExportFilters.parse(request.GET)
    except BadParameter as error:
        return _refusal(error)
    response = StreamingHttpResponse(
        csv_stream(export_queryset(request.user, filters)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(filters, "csv")}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@staff_only
def export_xlsx(request, scope: StaffScope):
    try:
        filters = ExportFilters.parse(request.GET)
    except BadParameter as error:
        return _refusal(error)
    target = write_xlsx(export_queryset(request.user, filters))
    response = FileResponse(
        target,
        as_attachment=True,
        filename=_filename(filters, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Cache-Control"] = "no-store"
    return response
