"""Content-Security-Policy on every page: no inline script runs, nothing loads from
elsewhere but the map's tiles, no page can be framed; and the pages still work under it
in a real browser (no violation reported on any of them)."""

import pytest
from django.urls import reverse

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
