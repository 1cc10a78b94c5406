"""`simulate_inbound whatsapp` drives a running server's WhatsApp webhook over HTTP, signed
as Meta signs it, a photo included, and prints what the sender receives back."""

import socket
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from aduan.reports.models import Report

from .test_whatsapp_journey import REPORT_TEXT, photo


def simulate(*args):
    out = StringIO()
    call_command("simulate_inbound", "whatsapp", "--from", "081350002222", *args, stdout=out)
    return out.getvalue()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_a_whatsapp_report_with_a_location_and_a_photo_through_the_running_server(
    live_server, settings, tmp_path
):
    from conftest import World

    World()
    settings.SITE_URL = live_server.url
    settings.WHATSAPP_APP_SECRET = "rahasia-aplikasi-simulasi"
    settings.WHATSAPP_ACCESS_TOKEN = ""  # the answers are printed, not sent
    settings.WHATSAPP_API_BASE = f"http://127.0.0.1:{free_port()}/v21.0"
    url = live_server.url
    assert "< Di mana lokasinya?" in simulate("--text", REPORT_TEXT, "--url", url)
    output = simulate("--text", "", "--location", "0.5065,117.5449", "--url", url)
    assert "< Ada foto?" in output
    image = tmp_path / "jalan.jpg"
    image.write_bytes(photo())
    output = simulate("--text", "", "--file", str(image), "--url", url)
    assert "Foto: 1" in output and "Kirim laporan ini?" in output
    output = simulate("--text", "KIRIM", "--url", url)
    report = Report.objects.get()
    assert f"report: {report.tracking_number}" in output
    assert f"< Laporan Anda diterima dengan nomor {report.tracking_number}." in output
    assert report.attachments.count() == 1 and report.latitude is not None


@pytest.mark.django_db(transaction=True)
def test_a_file_needs_a_local_media_address(live_server, settings, tmp_path):
    settings.WHATSAPP_APP_SECRET = "rahasia-aplikasi-simulasi"
    settings.WHATSAPP_API_BASE = "https://graph.facebook.com/v21.0"
    image = tmp_path / "jalan.jpg"
    image.write_bytes(b"x")
    with pytest.raises(CommandError, match="WHATSAPP_API_BASE"):
        simulate("--text", "", "--file", str(image), "--url", live_server.url)
