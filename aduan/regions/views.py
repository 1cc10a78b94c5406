"""The region search for the region picker: `/wilayah/cari.json?q=sangatta`."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .search import MAX_QUERY_LENGTH, as_json, search_regions

RESULTS = 10


@require_GET
def search(request):
    """Up to ten regions matching `q`, each with its code, name, level and a label naming
    its parents, in the page's language. Region names are public reference data."""
    query = request.GET.get("q", "")
    if len(query) > MAX_QUERY_LENGTH:
        return JsonResponse(
            {
                "error": {
                    "code": "query_too_long",
                    "message_id": f"Kata pencarian terlalu panjang (paling banyak {MAX_QUERY_LENGTH} karakter).",
                    "message_en": f"The search text is too long (at most {MAX_QUERY_LENGTH} characters).",
                }
            },
            status=400,
        )
    results = [as_json(region) for region in search_regions(query, limit=RESULTS)]
    response = JsonResponse({"query": query, "results": results})
    # Labels follow the reader's language (a cookie); reference data changes rarely.
    response["Cache-Control"] = "private, max-age=3600"
    return response
