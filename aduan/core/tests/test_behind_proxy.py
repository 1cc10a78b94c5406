"""Behind nginx (deploy/nginx/aduan.conf): attachments leave through X-Accel-Redirect once
Django has decided who may see them, and the client's address is the one nginx recorded."""

from django.test import RequestFactory
from django.urls import reverse

from aduan.api.auth import client_ip
from aduan.portal.tests.conftest import png_upload
from aduan.reports import actions as a
from aduan.reports.models import Attachment


def published_photo(world):
    report = world.report_in("submitted")
    a.dispose_report(report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin)
    a.post_follow_up(
        report, "Sudah ditambal.", actor=world.officer, files=[png_upload("hasil.png")]
    )
    return report, Attachment.objects.get()


def test_nginx_sends_a_permitted_attachment(client, world, settings):
    settings.ATTACHMENT_ACCEL_REDIRECT = "/_lampiran/"
    report, photo = published_photo(world)

    response = client.get(reverse("portal:attachment", args=[photo.uuid]))

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_lampiran/{photo.file.name}"
    assert response.content == b""
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]
    # Staff in the workspace get it the same way.
    client.force_login(world.officer)
    url = reverse("workspace:attachment", args=[report.tracking_number, photo.uuid])
    staff = client.get(url)
    assert staff["X-Accel-Redirect"] == f"/_lampiran/{photo.file.name}"
    assert "no-store" in staff["Cache-Control"]


def test_nginx_is_never_told_about_an_attachment_the_reader_may_not_see(client, world, settings):
    settings.ATTACHMENT_ACCEL_REDIRECT = "/_lampiran/"
    report = world.report_in("in_progress")
    a.add_internal_note(report, "Foto internal.", actor=world.officer, files=[png_upload()])
    internal = Attachment.objects.get()
    client.force_login(world.outsider)

    response = client.get(reverse("portal:attachment", args=[internal.uuid]))

    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


def test_a_missing_file_is_not_found_rather_than_handed_to_nginx(client, world, settings):
    settings.ATTACHMENT_ACCEL_REDIRECT = "/_lampiran/"
    _, photo = published_photo(world)
    photo.file.storage.delete(photo.file.name)

    response = client.get(reverse("portal:attachment", args=[photo.uuid]))

    assert response.status_code == 404


def test_the_api_limits_the_address_nginx_recorded(settings):
    request = RequestFactory().get(
        "/api/v1/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    settings.TRUSTED_PROXIES = []
    assert client_ip(request) == "127.0.0.1"
    # nginx on this host is trusted: the address it appended, not the one the client wrote.
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    assert client_ip(request) == "203.0.113.9"
