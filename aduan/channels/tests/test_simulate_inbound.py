"""`simulate_inbound` drives a running server's webhook over HTTP and prints the answer."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from aduan.reports.models import Report

from .conftest import GENERIC_SECRET


@pytest.fixture
def server(live_server, settings):
    settings.SMS_GENERIC_SECRET = GENERIC_SECRET
    settings.SITE_URL = live_server.url
    return live_server


def simulate(*args):
    out = StringIO()
    call_command("simulate_inbound", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_an_sms_report_and_its_status_through_the_running_server(server):
    from conftest import World

    World()
    text = "LAPOR Drainase tersumbat di Jl. Pendidikan, banjir setiap hujan deras"
    output = simulate("sms", "--from", "081350001111", "--text", text, "--url", server.url)
    report = Report.objects.get()
    assert "status: processed" in output and f"report: {report.tracking_number}" in output
    assert f"< Laporan Anda diterima: {report.tracking_number}" in output
    output = simulate(
        "sms",
        "--from",
        "081350001111",
        "--text",
        f"CEK {report.tracking_number}",
        "--url",
        server.url,
    )
    assert f"< Laporan {report.tracking_number}: Menunggu verifikasi." in output


@pytest.mark.django_db(transaction=True)
def test_a_wrong_secret_and_an_unreachable_server_are_reported(server, settings):
    settings.SMS_GENERIC_SECRET = "bukan-rahasia-server"
    # The command signs with its own setting; the server (same process here) agrees, so
    # point it at a path that does not exist instead to see an HTTP error reported.
    with pytest.raises(CommandError, match="HTTP 404"):
        simulate("sms", "--from", "0813", "--text", "x", "--url", server.url + "/nope")
    with pytest.raises(CommandError, match="cannot be reached"):
        simulate("sms", "--from", "0813", "--text", "x", "--url", "http://127.0.0.1:9")
