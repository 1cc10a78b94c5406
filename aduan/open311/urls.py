"""Open311 GeoReport v2, mounted at /open311/. The format is the URL suffix (.json or .xml),
as the spec says; anything else under /open311/ is a 404 in the spec's error format."""

from django.urls import path, re_path

from . import views

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="open311-discovery"),
    re_path(r"^v2/discovery" + FMT, views.discovery, name="open311-v2-discovery"),
    path("v2/", views.not_found, name="open311-root"),
    re_path(r"^v2/services" + FMT, views.service_list, name="open311-list-services"),
    re_path(
        r"^v2/services/(?P<service_code>[^/]+?)" + FMT,
        views.service_definition,
        name="open311-show-service",
    ),
    re_path(r"^v2/requests" + FMT, views.request_list, name="open311-requests"),
    re_path(
        r"^v2/requests/(?P<service_request_id>[^/]+?)" + FMT,
        views.request_detail,
        name="open311-show-request",
    ),
    re_path(r"^v2/tokens/(?P<token>[^/]+?)" + FMT, views.token_detail, name="open311-show-token"),
    re_path(
        r"^v2/servicerequestupdates" + FMT,
        views.service_request_updates,
        name="open311-list-updates",
    ),
    re_path(r"^(?P<path>.*)$", views.not_found, name="open311-not-found"),
]
