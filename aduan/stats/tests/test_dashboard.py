"""Staff and supervisor dashboards: only for staff, scoped by role, with queues, workload
and trends, in a constant number of queries."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aduan.reports import actions as a
from aduan.reports.sla import scan_deadlines
from aduan.stats.queries import Selection
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
        cache.clear()
        with CaptureQueriesContext(connection) as few:
            client.get(URL, PERIOD)
        with CaptureQueriesContext(connection) as cached:
            client.get(URL, PERIOD)
        for status in ("closed", "responded", "returned", "dispositioned", "in_progress"):
            world.report_in(status)
            world.report_in(status, category="limbah")
        cache.clear()
        with CaptureQueriesContext(connection) as many:
            client.get(URL, PERIOD)
        with CaptureQueriesContext(connection) as many_cached:
            client.get(URL, PERIOD)
    assert len(few) == len(many) <= 20
    # Cached: no aggregate is read; the session, the queues and the monthly report's
    # agency list still are (the queues stay live).
    assert len(cached) == len(many_cached) < len(few)
    assert not [q for q in cached if '"stats_' in q["sql"]]
    assert [q for q in cached if '"reports_report"' in q["sql"]]


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


PERSONAS = (
    ("national_admin", 4),
    ("supervisor", 3),  # East Kalimantan, not Jakarta
    ("agency_admin", 2),  # Kutai Timur
    ("other_admin", 1),  # Paser: the same role as the one above
    ("officer", 1),  # Dinas PU
    ("dlh_officer", 1),  # DLH: the same role as the one above
)
FIGURE = re.compile(r"<dt>Laporan masuk</dt><dd>(\d+)</dd>")


def test_two_scopes_never_see_each_others_figures_or_queues(world, client, spread):
    """The figures are cached per scope: every persona reads its own entry, also when
    another scope of the same role has just filled the cache for the same query."""
    with time_machine.travel(aware(2026, 3, 10), tick=False) as clock:
        late = world.report_in("dispositioned")  # Kutai Timur, Dinas PU
        clock.shift(dt.timedelta(days=12))
        scan_deadlines()
        for _round in range(2):  # cold, then every entry cached
            for persona, expected in PERSONAS:
                client.force_login(getattr(world, persona))
                response = client.get(URL, PERIOD)
                page = text(response)
                sees_late = persona in ("national_admin", "supervisor", "agency_admin", "officer")
                assert FIGURE.findall(page) == [str(expected + sees_late)], persona
                overdue = [r.tracking_number for r in response.context["queues"]["overdue"]]
                assert (late.tracking_number in overdue) == sees_late, persona
                assert ("Kabupaten Paser" in page) == (
                    persona in ("national_admin", "supervisor", "other_admin")
                ), persona


def test_each_scope_has_its_own_cache_key(world):
    from aduan.stats.scope import staff_scope
    from aduan.stats.views.dashboard import data_key

    sel = Selection(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 1))
    keys = {data_key(staff_scope(getattr(world, p)), sel, units=True) for p, _n in PERSONAS}
    assert len(keys) == len(PERSONAS)


def test_the_cached_figures_keep_each_language_apart(world, client, spread):
    client.force_login(world.national_admin)
    indonesian = text(client.get(URL, PERIOD))
    client.cookies["django_language"] = "en"
    english = text(client.get(URL, PERIOD))
    client.cookies["django_language"] = "id"
    with CaptureQueriesContext(connection) as captured:
        again = text(client.get(URL, PERIOD))
    assert "Laporan masuk per bulan" in indonesian and "Reports received per month" in english
    assert "Laporan masuk per bulan" in again and "Reports received per month" not in again
    assert not [q for q in captured if '"stats_' in q["sql"]]


def test_staff_see_when_the_figures_were_computed(world, client):
    with time_machine.travel(aware(2026, 3, 10, 9, 5), tick=False) as clock:  # 08:05 WIB
        world.report_in("in_progress")
        client.force_login(world.national_admin)
        first = text(client.get(URL, PERIOD))
        clock.shift(dt.timedelta(seconds=40))  # within the minute: the same figures
        again = text(client.get(URL, PERIOD))
        client.cookies["django_language"] = "en"
        english = text(client.get(URL, PERIOD))
    assert "Angka per 08:05 WIB" in first and "Angka per 08:05 WIB" in again
    assert "Figures as of 08:05 WIB" in english


def test_the_queues_stay_live_while_the_figures_are_cached(world, client):
    with time_machine.travel(aware(2026, 3, 10), tick=False):
        late = world.report_in("dispositioned")
    with time_machine.travel(aware(2026, 3, 22), tick=False):
        client.force_login(world.agency_admin)
        before = client.get(URL, PERIOD)  # fills the cache
        scan_deadlines()  # the report is overdue now, within the cached minute
        after = client.get(URL, PERIOD)
    # The overdue queue reads the deadline itself: the report is in it as soon as its
    # deadline passed, before the worker's scan flagged it.
    assert [r.tracking_number for r in before.context["queues"]["overdue"]] == [
        late.tracking_number
    ]
    assert [r.tracking_number for r in after.context["queues"]["overdue"]] == [late.tracking_number]
    assert reverse("workspace:report", args=[late.tracking_number]) in text(after)
    # The figures are the cached ones (from the flag the scan sets), still telling the
    # time they were computed.
    assert before.context["stats"].total.overdue == 0
    assert after.context["stats"].total.overdue == 0
    assert "Angka per 08:00 WIB" in text(after)


def test_the_worker_keeps_the_national_dashboards_warm(world, client, spread):
    from aduan.accounts.models import Role, User
    from aduan.stats.tasks import warm_staff_dashboards
    from conftest import run_tasks

    nationwide = User.objects.create_user(
        "pengawas_nasional", password="x" * 12, role=Role.SUPERVISOR
    )
    with time_machine.travel(aware(2026, 11, 20), tick=False):
        warm_staff_dashboards.enqueue()
        run_tasks()
        for user in (world.national_admin, nationwide):
            client.force_login(user)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(URL)
            assert response.status_code == 200
            assert response.context["stats"].total.reports == 4
            # Neither the figures nor their rendering were computed for this request.
            assert not [q for q in captured if '"stats_' in q["sql"]], user.username
            assert "Angka per 08:00 WIB" in text(response)


def test_a_category_an_admin_deactivates_leaves_the_filter_at_once(world, client):
    client.force_login(world.national_admin)
    assert 'value="limbah"' in client.get(URL, PERIOD).content.decode()
    world.limbah.is_active = False
    world.limbah.save()  # in the admin, in any process
    assert 'value="limbah"' not in client.get(URL, PERIOD).content.decode()
