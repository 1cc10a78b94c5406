"""The monthly PDF report per agency: who may download it, what it says, and the command."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from aduan.reports.sla import scan_deadlines
from aduan.stats import monthly
from conftest import aware

URL = reverse("stats:monthly-report")


@pytest.fixture
def october(world):
    with time_machine.travel(aware(2026, 10, 5), tick=False) as clock:
        world.report_in("closed")
        late = world.report_in("dispositioned")
        clock.shift(dt.timedelta(days=12))
        scan_deadlines()
    return {"late": late}


def params(agency, month="2026-10"):
    return {"instansi": str(agency.uuid), "bulan": month}


def test_visitors_and_citizens_cannot_download(world, client):
    assert client.get(URL, params(world.pemkab)).status_code == 302
    client.force_login(world.citizen)
    assert client.get(URL, params(world.pemkab)).status_code == 403


@pytest.mark.parametrize("who", ["officer", "other_admin"])
def test_staff_of_other_agencies_and_units_are_refused(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get(URL, params(world.pemkab)).status_code == 404


def test_units_have_no_monthly_report_of_their_own(world, client):
    client.force_login(world.national_admin)
    assert client.get(URL, params(world.dinas_pu)).status_code == 404


def test_a_supervisor_reads_the_reports_of_agencies_in_the_region(world, client):
    assert monthly.may_download(world.supervisor, world.pemkab)
    assert not monthly.may_download(world.supervisor, world.national)


def test_the_agency_admin_downloads_a_pdf(world, client, october):
    client.force_login(world.agency_admin)
    with time_machine.travel(aware(2026, 11, 2), tick=False):
        response = client.get(URL, params(world.pemkab))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="laporan-bulanan-pemkab-kutim-2026-10.pdf"' in response["Content-Disposition"]


def test_bad_months_are_refused(world, client):
    client.force_login(world.agency_admin)
    response = client.get(URL, params(world.pemkab, "Oktober"))
    assert response.status_code == 400
    assert "Bulan tidak valid" in response.content.decode()


def test_the_report_has_the_figures_charts_and_overdue_list(world, october):
    with time_machine.travel(aware(2026, 11, 2), tick=False):
        html = monthly.render_html(world.pemkab, dt.date(2026, 10, 1))
    assert "Laporan Bulanan Pengelolaan Pengaduan" in html
    assert "Pemerintah Kabupaten Kutai Timur" in html
    assert "Periode: Oktober 2026" in html
    assert html.count('role="img"') == 4
    assert october["late"].tracking_number in html
    assert "Dinas Pekerjaan Umum Kutai Timur" in html


def test_the_command_writes_the_pdf(world, october, tmp_path):
    output = tmp_path / "kutim.pdf"
    call_command(
        "monthly_report",
        agency=str(world.pemkab.pk),
        month="2026-10",
        output=str(output),
        stdout=StringIO(),
    )
    assert output.read_bytes().startswith(b"%PDF")
    html = tmp_path / "kutim.html"
    call_command(
        "monthly_report",
        agency=str(world.pemkab.uuid),
        month="2026-10",
        output=str(html),
        html=True,
        stdout=StringIO(),
    )
    assert october["late"].tracking_number in html.read_text()


@pytest.mark.parametrize(
    ("agency", "month"), [("999999", "2026-10"), ("bukan", "2026-10"), ("PEMKAB", "2026-13")]
)
def test_the_command_refuses_unknown_agencies_and_bad_months(world, tmp_path, agency, month):
    if agency == "PEMKAB":
        agency = str(world.pemkab.pk)
    with pytest.raises(CommandError):
        call_command("monthly_report", agency=agency, month=month, output=str(tmp_path / "x.pdf"))
