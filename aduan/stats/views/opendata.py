"""The open data page (data dictionary and downloads) and the files' stable URLs."""

from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from aduan.core.files import stored_name_response

from .. import opendata

CONTENT_TYPES = {
    opendata.CSV_NAME: "text/csv; charset=utf-8",
    opendata.JSON_NAME: "application/json; charset=utf-8",
}


@require_GET
def open_data(request):
    return render(
        request,
        "stats/open_data.html",
        {
            "meta": opendata.metadata(),
            "columns": opendata.COLUMNS,
            "license": opendata.LICENSE,
            "attribution": opendata.ATTRIBUTION,
        },
    )


def _serve(name: str):
    try:
        response = stored_name_response(
            default_storage,
            opendata.storage_name(name),
            content_type=CONTENT_TYPES[name],
            as_attachment=True,
            filename=name,
        )
    except Http404:
        raise Http404("Data terbuka belum dibuat / Open data not built yet") from None
    # Rebuilt at most daily: let caches keep it for an hour (a redirect to object storage
    # keeps its own "no-store": its URL expires).
    response.setdefault("Cache-Control", "public, max-age=3600")
    return response


@require_GET
def open_data_csv(request):
    return _serve(opendata.CSV_NAME)


@require_GET
def open_data_json(request):
    return _serve(opendata.JSON_NAME)
