"""REST API v1, mounted at /api/v1/ (app_name "api").

Named URLs: api:api-root, api:openapi-json, api:openapi-view (the docs), api:docs-asset,
and one per operation (api:list-reports, api:create-report, api:show-report, ...; see
views.py). Anything else under /api/v1/ answers with the API's JSON 404, and a method an
address does not support with its JSON 405."""

from functools import wraps

from django.http import HttpResponseNotAllowed
from django.urls import URLPattern, path, re_path

from . import docs
from .api import api
from .errors import standard_error

app_name = "api"


def _json_405(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = standard_error("method_not_allowed").response(headers={"Allow": allowed})
        return response

    return wrapper


def _api_patterns():
    patterns = []
    for pattern in api.urls[0]:
        if isinstance(pattern, URLPattern):
            if pattern.name == "api-root":
                continue  # replaced by docs.root below
            pattern.callback = _json_405(pattern.callback)
        patterns.append(pattern)
    return patterns


urlpatterns = [
    path("", docs.root, name="api-root"),
    path("docs/assets/<str:name>", docs.asset, name="docs-asset"),
    *_api_patterns(),
    re_path(r"^.*$", docs.not_found, name="not-found"),
]
