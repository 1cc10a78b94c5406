"""Small endpoints the pages' JavaScript uses: region children and the maps' npm files."""

from django.http import FileResponse, Http404, JsonResponse
from django.views.decorators.http import require_GET

from aduan.regions.models import Region

from ..mapassets import PACKAGES, package_dir

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
def npm_asset(request, package, name):
    """A file of an npm package the maps use, only if listed in `mapassets.PACKAGES`."""
    files = PACKAGES[package].files if package in PACKAGES else {}
    if name not in files:
        raise Http404("Berkas tidak ditemukan / File not found")
    path = package_dir(package) / name
    if not path.is_file():
        raise Http404("Berkas tidak ditemukan / File not found")
    response = FileResponse(path.open("rb"), content_type=files[name])
    # The URL carries the pinned version (?v=1.9.4), so a long cache is safe.
    response["Cache-Control"] = f"public, max-age={30 * ONE_DAY}, immutable"
    return response
