"""Small endpoints the report form's JavaScript uses: region children and Leaflet's files."""

from django.http import FileResponse, Http404, JsonResponse
from django.views.decorators.http import require_GET

from aduan.regions.models import Region

from ..mapassets import LEAFLET_FILES, leaflet_dir

ONE_DAY = 24 * 3600


@require_GET
def region_children(request, code):
    """`/wilayah/64.08/anak.json` -> the districts of Kutai Timur, by name."""
    region = Region.objects.filter(code=code).only("code", "name", "level").first()
    if region is None:
        return JsonResponse(
            {
                "error": {
                    "code": "not_found",
                    "message_id": "Wilayah tidak ditemukan.",
                    "message_en": "Region not found.",
                }
            },
            status=404,
        )
    children = Region.objects.filter(parent_id=region.code).order_by("name").values("code", "name")
    response = JsonResponse(
        {
            "code": region.code,
            "name": region.name,
            "level": region.level,
            "children": list(children),
        }
    )
    # Reference data changes a few times a year.
    response["Cache-Control"] = f"public, max-age={ONE_DAY}"
    return response


@require_GET
def leaflet_asset(request, name):
    if name not in LEAFLET_FILES:
        raise Http404("Berkas tidak ditemukan / File not found")
    path = leaflet_dir() / name
    if not path.is_file():
        raise Http404("Berkas tidak ditemukan / File not found")
    response = FileResponse(path.open("rb"), content_type=LEAFLET_FILES[name])
    # The URL carries the pinned version (?v=1.9.4), so a long cache is safe.
    response["Cache-Control"] = f"public, max-age={30 * ONE_DAY}, immutable"
    return response
