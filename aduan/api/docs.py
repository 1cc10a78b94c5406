"""The API's own pages outside the operations: the root, the Swagger UI assets, and the
JSON 404 for unknown addresses under /api/v1/."""

from pathlib import Path

import ninja
from django.http import FileResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt

from .api import DOCS_ASSETS
from .errors import standard_error

# Swagger UI ships inside django-ninja; docs.js (ours) starts it without inline script.
NINJA_STATIC = Path(ninja.__file__).parent / "static" / "ninja"
OWN_STATIC = Path(__file__).parent / "static_docs"


def root(request):
    return JsonResponse(
        {
            "name": "Aduan REST API",
            "version": "1",
            "docs": reverse("api:openapi-view"),
            "openapi": reverse("api:openapi-json"),
        }
    )


@cache_control(public=True, max_age=86400)
def asset(request, name: str):
    if name not in DOCS_ASSETS:
        return standard_error("not_found").response()
    folder = OWN_STATIC if name == "docs.js" else NINJA_STATIC
    return FileResponse((folder / name).open("rb"), content_type=DOCS_ASSETS[name])


@csrf_exempt
def not_found(request, *args, **kwargs):
    return standard_error("not_found").response()
