"""The public map of reports, its data, and the region look-ups the maps use.

The map is an alternative view of the public list: same filters, same reports (those with
a public point), and every page links to the other with the filters kept. Without
JavaScript the map page keeps its filter form and sends people to the list."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from aduan.core.i18n import in_both
from aduan.regions.geo import in_indonesia, region_extent, suggest_region
from aduan.regions.models import Region
from aduan.reports.errors import InvalidInput

from .. import display, mapdata
from ..forms import ReportFilterForm
from ..mapassets import map_context
from .lists import filtered_public_reports

ONE_DAY = 24 * 3600


def _error(message, status: int, code: str) -> JsonResponse:
    message_id, message_en = in_both(message)
    return JsonResponse(
        {"error": {"code": code, "message_id": message_id, "message_en": message_en}},
        status=status,
    )


def _filter_query(request) -> str:
    """The list's filters of this request, to carry between the list and the map."""
    params = request.GET.copy()
    for name in list(params):
        if name not in ReportFilterForm.base_fields:
            params.pop(name)
    return params.urlencode()


@require_GET
def report_map(request):
    form = ReportFilterForm(request.GET or None, english=display.english())
    if form.is_bound:
        form.is_valid()
    region = form.chain.codes.get("regency") or form.chain.codes.get("province") or ""
    extent = region_extent(region) if region else None
    context = {
        "form": form,
        "query": _filter_query(request),
        "filtered": any(request.GET.get(name) for name in form.fields),
        # The view the map opens on: the chosen regency or province, else all Indonesia.
        "extent": (
            f"{extent.south:.6f},{extent.west:.6f},{extent.north:.6f},{extent.east:.6f}"
            if extent
            else ""
        ),
        **map_context(),
    }
    return render(request, "portal/report_map.html", context)


@require_GET
def map_data(request):
    """`/peta/data.json?bbox=west,south,east,north&zoom=z&<the list's filters>`."""
    try:
        box = mapdata.parse_box(request.GET.get("bbox", ""))
        zoom = mapdata.parse_zoom(request.GET.get("zoom", ""))
    except InvalidInput as exc:
        return _error(exc.message, 400, "invalid")
    form = ReportFilterForm(request.GET, english=display.english())
    answer = mapdata.clusters(filtered_public_reports(form), box, zoom)
    response = JsonResponse(answer)
    # Private: the status names follow the reader's language (a cookie).
    response["Cache-Control"] = f"private, max-age={mapdata.CACHE_SECONDS}"
    return response


@require_GET
def region_extent_json(request, code):
    """`/wilayah/64.08/letak.json` -> the box the maps frame for a region (see
    `regions.geo.region_extent`); `"bounds": null` when no point of it is known."""
    region = Region.objects.filter(code=code).only("code", "name").first()
    if region is None:
        return _error(_("Wilayah tidak ditemukan."), 404, "not_found")
    extent = region_extent(region.code)
    response = JsonResponse(
        {
            "code": region.code,
            "name": region.name,
            "bounds": (
                [[extent.south, extent.west], [extent.north, extent.east]] if extent else None
            ),
            # The region the box was measured on: this one or an ancestor.
            "measured_on": extent.code if extent else None,
        }
    )
    response["Cache-Control"] = f"public, max-age={ONE_DAY}"
    return response


@require_GET
def region_from_point(request):
    """`/wilayah/dari-titik.json?lat=0.5&lon=117.5` -> the province, regency and (where
    known) district of the nearest known place, for the report form's selects."""
    try:
        latitude = float(request.GET.get("lat", "").replace(",", "."))
        longitude = float(request.GET.get("lon", "").replace(",", "."))
    except ValueError:
        return _error(_("Lintang dan bujur harus berupa angka."), 400, "invalid")
    if not in_indonesia(latitude, longitude):
        return _error(_("Titik ini berada di luar wilayah Indonesia."), 400, "outside")
    suggestion = suggest_region(latitude, longitude)
    if suggestion is None:
        return JsonResponse({"region": None})
    regency = suggestion.regency
    district = suggestion.district
    codes = [regency.province_code, regency.code] + ([district.code] if district else [])
    # The reason is in the reader's language: no shared caching.
    return JsonResponse(
        {
            "region": {
                "codes": codes,
                "province": regency.province_code,
                "regency": regency.code,
                "district": district.code if district else "",
                "reason": suggestion.reason,
            }
        }
    )
