"""Content-Security-Policy on every page: no inline script runs, nothing loads from
elsewhere but the map's tiles, no page can be framed; and the pages still work under it
in a real browser (no violation reported on any of them)."""

import pytest
from csp.constants import NONCE
from csp.decorators import csp_update
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import reverse

from aduan.core.csp import CSPMiddleware
from conftest import login

PAGES = [
    "/",
    "/laporan/",
    "/peta/",
    "/lacak/",
    "/statistik/",
    "/akun/masuk/",
    "/api/v1/docs",
]


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_a_strict_policy(client, world, path):
    response = client.get(path)
    assert response.status_code == 200
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_the_maps_tile_server_is_the_only_other_image_source(client, world):
    directives = policy(client.get("/peta/"))
    assert directives["img-src"] == [
        "'self'",
        "data:",
        "blob:",
        "https://tile.openstreetmap.org",
    ]


def test_staff_pages_and_errors_carry_it_too(client, world):
    client.force_login(world.national_admin)
    report = world.report_in("submitted")
    for path in ("/petugas/", reverse("workspace:report", args=[report.tracking_number])):
        assert policy(client.get(path))["script-src"] == ["'self'"]
    missing = client.get("/lacak/PST-26-0009999-0/")
    assert missing.status_code == 404 and "Content-Security-Policy" in missing


def _through(middleware_class, view, path="/x/"):
    request = RequestFactory().get(path)
    middleware = middleware_class(view)
    middleware.process_request(request)
    return request, middleware.process_response(request, view(request))


def test_the_policy_built_once_is_django_csps_own():
    plain = lambda request: HttpResponse("ok")  # noqa: E731
    ours = _through(CSPMiddleware, plain)[1]
    theirs = _through(DjangoCSPMiddleware, plain)[1]
    assert ours["Content-Security-Policy"] == theirs["Content-Security-Policy"]
    assert "script-src 'self'" in ours["Content-Security-Policy"]
    # A second response is given the kept policy, the same text.
    assert (
        _through(CSPMiddleware, plain)[1]["Content-Security-Policy"]
        == (theirs["Content-Security-Policy"])
    )


def test_a_report_only_policy_is_sent_as_django_csp_sends_it():
    plain = lambda request: HttpResponse("ok")  # noqa: E731
    report_only = {"DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp-laporan/"}}
    with override_settings(CONTENT_SECURITY_POLICY_REPORT_ONLY=report_only):
        ours = _through(CSPMiddleware, plain)[1]
        theirs = _through(DjangoCSPMiddleware, plain)[1]
    header = "Content-Security-Policy-Report-Only"
    assert ours[header] == theirs[header] and "report-uri /csp-laporan/" in ours[header]
    assert ours["Content-Security-Policy"] == theirs["Content-Security-Policy"]
    assert header not in _through(CSPMiddleware, plain)[1]


def test_a_changed_setting_is_seen_at_once():
    plain = lambda request: HttpResponse("ok")  # noqa: E731
    before = _through(CSPMiddleware, plain)[1]["Content-Security-Policy"]
    policy = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["https://peta.example"]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        during = _through(CSPMiddleware, plain)[1]["Content-Security-Policy"]
    assert "img-src https://peta.example" in during and during != before
    assert _through(CSPMiddleware, plain)[1]["Content-Security-Policy"] == before


def test_a_views_own_policy_and_a_nonce_still_take_django_csps_path():
    @csp_update({"img-src": ["https://foto.example"]})
    def updated(request):
        return HttpResponse("ok")

    header = _through(CSPMiddleware, updated)[1]["Content-Security-Policy"]
    assert "https://foto.example" in header

    def with_nonce(request):
        str(request.csp_nonce)  # a template asking for {{ request.csp_nonce }}
        return HttpResponse("ok")

    policy = {"DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", NONCE]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        request, response = _through(CSPMiddleware, with_nonce)
    assert f"'nonce-{request._csp_nonce}'" in response["Content-Security-Policy"]

    # Asking for a nonce after the header was written is refused, as by django-csp.
    request, response = _through(CSPMiddleware, lambda request: HttpResponse("ok"))
    with pytest.raises(Exception, match="csp_nonce"):
        str(request.csp_nonce)


def test_exempt_responses_and_excluded_paths_get_no_header():
    def exempt(request):
        response = HttpResponse("ok")
        response._csp_exempt = True
        return response

    assert "Content-Security-Policy" not in _through(CSPMiddleware, exempt)[1]
    policy = {"EXCLUDE_URL_PREFIXES": ["/bebas/"], "DIRECTIVES": {"default-src": ["'self'"]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        plain = lambda request: HttpResponse("ok")  # noqa: E731
        assert "Content-Security-Policy" not in _through(CSPMiddleware, plain, "/bebas/a")[1]
        assert "Content-Security-Policy" in _through(CSPMiddleware, plain, "/lain/")[1]


def watch(page) -> list[str]:
    """Every CSP violation the browser reports on the page."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return found


@pytest.mark.django_db(transaction=True)
def test_no_page_breaks_the_policy_in_a_browser(page, world):
    violations = watch(page)
    report = world.report_in("in_progress")
    for path in [*PAGES, f"/lacak/{report.tracking_number}/"]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    login(page, "warga")
    page.goto("/lapor/")
    page.wait_for_load_state("networkidle")
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_staff_pages_and_the_admin_keep_to_it_on_a_phone(phone_page, world):
    page = phone_page
    violations = watch(page)
    admin = world.national_admin
    admin.is_staff = admin.is_superuser = True
    admin.save()
    report = world.report_in("submitted")
    login(page, admin.username)
    for path in (
        "/petugas/",
        f"/petugas/laporan/{report.tracking_number}/",
        "/admin/",
        "/admin/reports/report/",
    ):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert violations == []
