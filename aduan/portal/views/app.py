"""The report form as an installable web app: its manifest, its service worker and the
page shown without signal (docs/REPORT_FORM.md).

The service worker is served from the site root (`/sw.js`), not from /static/, because a
worker controls only the pages under the path it is served from and the form lives at
/lapor/. Its text names the exact files it keeps for use offline and a version computed
from their content, so a deploy that changes any of them installs a new worker, which
replaces the old cache.
"""

import functools
import hashlib
import json

from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

# Static files the form needs, kept by the service worker (paths under STATIC_URL).
OFFLINE_ASSETS = (
    "css/aduan.css",
    "portal/portal.js",
    "portal/map.js",
    "portal/offline-queue.js",
    "portal/report-offline.js",
    "portal/report-offline.css",
    "portal/icons/aduan-192.png",
    "portal/icons/aduan-512.png",
)
SYNC_TAG = "aduan-kirim-laporan"


@functools.cache
def _assets_version() -> str:
    digest = hashlib.sha256()
    for name in OFFLINE_ASSETS:
        path = finders.find(name)
        digest.update(name.encode())
        if path:
            with open(path, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]


@require_GET
def service_worker(request):
    config = {
        "version": _assets_version(),
        "assets": [static(name) for name in OFFLINE_ASSETS],
        "queueScript": static("portal/offline-queue.js"),
        "formUrl": reverse("portal:report-new"),
        "queueUrl": reverse("portal:report-queue"),
        "offlineUrl": reverse("portal:offline"),
        "syncTag": SYNC_TAG,
    }
    body = render_to_string(
        "portal/service-worker.js",
        {"version": config["version"], "config": json.dumps(config, indent=2)},
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # Browsers check for a new worker at every visit only if this copy is not cached.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request):
    data = {
        "name": _("Aduan — Laporkan masalah"),
        "short_name": "Aduan",
        "description": _(
            "Laporkan masalah pelayanan publik, juga tanpa sinyal: laporan terkirim sendiri "
            "saat sinyal kembali."
        ),
        "start_url": reverse("portal:report-new"),
        "scope": reverse("portal:home"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5394",
        "lang": request.LANGUAGE_CODE,
        "icons": [
            {
                "src": static(f"portal/icons/aduan-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


def offline(request):
    """What the service worker shows for a page it cannot load without signal."""
    return render(request, "portal/offline.html")
