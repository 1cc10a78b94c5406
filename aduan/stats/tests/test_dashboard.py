"""Staff and supervisor dashboards: only for staff, scoped by role, with queues, workload
and trends, in a constant number of queries."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aduan.reports import actions as a
from aduan.reports.sla import scan_deadlines
from conftest import aware

URL = reverse("stats:dashboard")
PERIOD = {"dari": "2026-01", "sampai": "2026-12"}


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def spread(world):
    """Reports for several agencies, units and regions in March 2026."""
    with time_machine.travel(aware(2026, 3, 10), tick=False):
        pu = world.report_in("in_progress")  # Kutai Timur, Dinas PU
        dlh = world.submit(category="limbah")
        dlh = a.dispose_report(dlh, world.pemkab, unit=world.dlh, actor=world.national_admin)
        paser = world.submit(region="64.01")
        paser = a.dispose_report(
            paser, world.pemkab_paser, unit=world.pu_paser, actor=world.national_admin
        )
        jakarta = world.submit(region="31", is_confidential=True)
    return {"pu": pu, "dlh": dlh, "paser": paser, "jakarta": jakarta}


def total(client, user, **params) -> int:
    client.force_login(user)
    response = client.get(URL, PERIOD | params)
    assert response.status_code == 200
    return response.context["stats"].total.reports


def test_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_citizens_are_refused(world, client):
    client.force_login(world.citizen)
    assert client.get(URL).status_code == 403


def test_each_role_sees_its_own_scope(world, client, spread):
    assert total(client, world.national_admin) == 4
    assert total(client, world.agency_admin) == 2  # Kutai Timur's two reports
    assert total(client, world.officer) == 1  # Dinas PU's
    assert total(client, world.dlh_officer) == 1
    assert total(client, world.other_admin) == 1  # Paser's
    assert total(client, world.supervisor) == 3  # East Kalimantan, not Jakarta


def test_naming_another_agency_never_widens_the_scope(world, client, spread):
    client.force_login(world.officer)
    response = client.get(URL, PERIOD | {"instansi": str(world.pemkab_paser.uuid)})
    assert response.context["stats"].total.reports == 0
    response = client.get(URL, PERIOD | {"wilayah": "31"})
    assert response.context["stats"].total.reports == 0


def test_the_national_admin_can_narrow_to_an_agency_or_a_unit(world, client, spread):
    assert total(client, world.national_admin, instansi=str(world.pemkab.uuid)) == 2
    assert total(client, world.national_admin, instansi=str(world.dlh.uuid)) == 1


def test_confidential_reports_count_on_staff_dashboards(world, client, spread):
    assert total(client, world.national_admin, wilayah="31") == 1


def test_workload_shows_open_reports_per_unit_and_status(world, client, spread):
    client.force_login(world.agency_admin)
    response = client.get(URL, PERIOD)
    rows = {row["name"]: row for row in response.context["workload"]}
    assert set(rows) == {"Dinas Pekerjaan Umum Kutai Timur", "Dinas Lingkungan Hidup Kutai Timur"}
    assert rows["Dinas Pekerjaan Umum Kutai Timur"]["counts"]["in_progress"] == 1
    assert rows["Dinas Lingkungan Hidup Kutai Timur"]["counts"]["dispositioned"] == 1


def test_overdue_and_escalated_queues_link_to_the_workspace(world, client):
    with time_machine.travel(aware(2026, 3, 10), tick=False) as clock:
        late = world.report_in("dispositioned")
        contested = world.report_in("responded")
        contested = a.contest_response(contested, "Belum beres.", actor=world.citizen)
        clock.shift(dt.timedelta(days=12))
        scan_deadlines()
        client.force_login(world.agency_admin)
        response = client.get(URL, PERIOD)
    queues = response.context["queues"]
    assert late.tracking_number in [r.tracking_number for r in queues["overdue"]]
    assert contested.tracking_number in [r.tracking_number for r in queues["escalated"]]
    page = text(response)
    assert reverse("workspace:report", args=[late.tracking_number]) in page


def test_queues_stay_within_the_scope(world, client):
    with time_machine.travel(aware(2026, 3, 10), tick=False) as clock:
        world.report_in("dispositioned")
        clock.shift(dt.timedelta(days=12))
        scan_deadlines()
        client.force_login(world.other_admin)
        response = client.get(URL, PERIOD)
    assert response.context["queues"]["overdue"] == []


def test_the_trend_compares_incoming_and_closed_per_day(world, client):
    with time_machine.travel(aware(2026, 3, 10), tick=False):
        world.report_in("closed")
        world.report_in("submitted")
        client.force_login(world.national_admin)
        response = client.get(URL)
    chart = response.context["trend"]
    assert chart.columns == ["Tanggal", "Masuk", "Selesai"]
    last = chart.rows[-1]
    assert (last.label, last.values) == ("10 Mar", ("2", "1"))
    assert 'aria-labelledby="dash-trend-title dash-trend-desc"' in text(response)


def test_bad_filters_are_refused(world, client):
    client.force_login(world.national_admin)
    response = client.get(URL, {"instansi": "bukan-uuid"})
    assert response.status_code == 400
    assert "Instansi tidak dikenal." in text(response)


def test_the_dashboard_reads_a_constant_number_of_queries(world, client):
    client.force_login(world.agency_admin)
    with time_machine.travel(aware(2026, 3, 10), tick=False):
        world.report_in("in_progress")
        client.get(URL, PERIOD)  # the session and the cached category list settle
        with CaptureQueriesContext(connection) as few:
            client.get(URL, PERIOD)
        for status in ("closed", "responded", "returned", "dispositioned", "in_progress"):
            world.report_in(status)
            world.report_in(status, category="limbah")
        with CaptureQueriesContext(connection) as many:
            client.get(URL, PERIOD)
    assert len(few) == len(many) <= 20


def test_the_monthly_report_form_offers_the_agencies_in_scope(world, client):
    client.force_login(world.agency_admin)
    response = client.get(URL)
    assert [a.name for a in response.context["report_agencies"]] == [world.pemkab.name]
    client.force_login(world.supervisor)
    response = client.get(URL)
    names = {a.name for a in response.context["report_agencies"]}
    assert names == {world.pemkab.name, world.pemkab_paser.name}
    client.force_login(world.officer)
    assert client.get(URL).context["report_agencies"] == []


def test_two_scopes_never_see_each_others_figures_or_queues(world, client, spread):
    figures = re.compile(r"<dt>Laporan masuk</dt><dd>(\d+)</dd>")
    client.force_login(world.national_admin)
    national = text(client.get(URL, PERIOD))
    client.force_login(world.agency_admin)
    agency = text(client.get(URL, PERIOD))
    client.force_login(world.national_admin)
    assert figures.findall(national) == ["4"]
    assert figures.findall(agency) == ["2"]
    assert "Kabupaten Paser" not in agency
    assert figures.findall(text(client.get(URL, PERIOD))) == ["4"]
