"""A supervisor's dashboard follows the supervisor's scope (breadcrumbs start at the
supervised region, the monthly report offers its government first), and its two queues
select different reports: overdue (past a deadline) and escalated (gone up to the
national admins and supervisors)."""

import re

import pytest
import time_machine
from django.urls import reverse

from aduan.accounts.models import Role, User
from aduan.agencies.models import Agency, AgencyKind
from aduan.reports import actions as a
from aduan.reports.sla import scan_deadlines
from conftest import aware

URL = reverse("stats:dashboard")
INBOX = reverse("workspace:inbox")


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def breadcrumbs(response) -> str:
    html = response.content.decode()
    return re.search(r'<nav class="stats-breadcrumbs".*?</nav>', html, re.S).group(0)


@pytest.fixture
def kutim_supervisor(world):
    return User.objects.create_user(
        "inspektorat_kutim", password="x" * 12, role=Role.SUPERVISOR, scope_region=world.kutim
    )


@pytest.fixture
def pemprov(world):
    province = Agency.objects.create(
        name="Pemerintah Provinsi Kalimantan Timur", kind=AgencyKind.PROVINCE
    )
    province.jurisdiction.add(world.kaltim)
    return province


def test_the_breadcrumbs_start_at_the_supervised_region(world, client, kutim_supervisor):
    client.force_login(kutim_supervisor)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["region"] == world.kutim
    crumbs = breadcrumbs(response)
    # The province above the scope is named, not offered as a link; no "Indonesia".
    assert "Indonesia" not in crumbs
    assert "<li>Kalimantan Timur</li>" in crumbs
    assert '<span aria-current="page">Kabupaten Kutai Timur</span>' in crumbs


def test_a_district_below_the_scope_keeps_the_way_back_to_the_scope(
    world, client, kutim_supervisor
):
    client.force_login(kutim_supervisor)

    crumbs = breadcrumbs(client.get(URL, {"wilayah": "64.08.04"}))

    assert "<li>Kalimantan Timur</li>" in crumbs
    assert 'wilayah=64.08"' in crumbs and ">Kabupaten Kutai Timur</a>" in crumbs
    assert '<span aria-current="page">Sangatta Utara</span>' in crumbs


def test_a_region_above_the_scope_shows_the_scope(world, client, kutim_supervisor):
    client.force_login(kutim_supervisor)

    response = client.get(URL, {"wilayah": "64"})

    assert response.status_code == 200
    assert response.context["region"] == world.kutim


def test_a_region_beside_the_scope_is_refused_with_a_clear_message(world, client, kutim_supervisor):
    client.force_login(kutim_supervisor)

    response = client.get(URL, {"wilayah": "64.01"})

    assert response.status_code == 400
    assert "Wilayah ini di luar wilayah pengawasan Anda." in text(response)
    client.cookies["django_language"] = "en"
    assert "outside the area you supervise" in text(client.get(URL, {"wilayah": "64.01"}))


def test_a_nationwide_viewer_still_starts_at_indonesia(world, client):
    client.force_login(world.national_admin)

    crumbs = breadcrumbs(client.get(URL))

    assert '<span aria-current="page">Indonesia</span>' in crumbs


def test_the_monthly_report_offers_the_supervised_region_s_government_first(
    world, client, kutim_supervisor, pemprov
):
    selected = re.compile(r'<option value="([^"]+)" selected>')

    client.force_login(kutim_supervisor)
    html = client.get(URL).content.decode()
    assert selected.findall(html) == [str(world.pemkab.uuid)]
    assert str(pemprov.uuid) not in html  # its jurisdiction is wider than the scope

    client.force_login(world.supervisor)  # Kalimantan Timur
    html = client.get(URL).content.decode()
    # Alphabetically Pemerintah Kabupaten ... come first; the province's government is
    # the one whose area is the supervised province.
    assert selected.findall(html) == [str(pemprov.uuid)]


def test_a_supervisor_of_an_inspectorate_gets_its_government_first(world, client, pemprov):
    inspectorate = Agency.objects.create(
        name="Inspektorat Kutai Timur", kind=AgencyKind.UNIT, parent=world.pemkab
    )
    supervisor = User.objects.create_user(
        "inspektur",
        password="x" * 12,
        role=Role.SUPERVISOR,
        scope_region=world.kaltim,
        agency=inspectorate,
    )
    client.force_login(supervisor)

    html = client.get(URL).content.decode()

    assert re.findall(r'<option value="([^"]+)" selected>', html) == [str(world.pemkab.uuid)]


# -- the queues -----------------------------------------------------------------------------


@pytest.fixture
def late_and_escalated(world):
    return build_late_and_escalated(world)


def build_late_and_escalated(world) -> dict:
    """In July 2026 (no holidays): `late` missed its first-response deadline two days ago
    (escalated to its agency admin only), `long_late` more than three working days ago
    (escalated to the national admins and supervisors), and `contested` is on time but its
    reporter contested the answer."""
    with time_machine.travel(aware(2026, 7, 1), tick=False):
        long_late = world.report_in("dispositioned", title="Jalan amblas di KM 5")
    with time_machine.travel(aware(2026, 7, 8), tick=False):
        late = world.report_in("dispositioned", title="Lampu jalan mati di Jalan Pendidikan")
    with time_machine.travel(aware(2026, 7, 16), tick=False):
        contested = world.report_in("responded", title="Drainase tersumbat")
        contested = a.contest_response(contested, "Belum diperbaiki.", actor=world.citizen)
    with time_machine.travel(aware(2026, 7, 17, 10), tick=False):
        scan_deadlines()
    for report in (long_late, late, contested):
        report.refresh_from_db()
    assert (late.escalation_level, long_late.escalation_level) == (1, 2)
    return {"late": late, "long_late": long_late, "contested": contested}


def numbers(reports) -> set[str]:
    return {r.tracking_number for r in reports}


def test_overdue_and_escalated_select_different_reports(world, client, late_and_escalated):
    r = late_and_escalated
    client.force_login(world.supervisor)

    with time_machine.travel(aware(2026, 7, 17, 11), tick=False):
        response = client.get(URL)

    queues = response.context["queues"]
    assert numbers(queues["overdue"]) == numbers([r["late"], r["long_late"]])
    assert numbers(queues["escalated"]) == numbers([r["long_late"], r["contested"]])
    # Each queue says what it holds.
    page = text(response)
    assert "Laporan terbuka yang tenggatnya sudah lewat" in page
    assert "terlambat lebih dari 3 hari kerja, atau jawabannya dibanding pelapor" in page


def test_the_inbox_s_escalation_tab_holds_the_same_reports(world, client, late_and_escalated):
    r = late_and_escalated
    client.force_login(world.supervisor)

    with time_machine.travel(aware(2026, 7, 17, 11), tick=False):
        escalated = client.get(INBOX, {"tab": "eskalasi"})
        overdue = client.get(INBOX, {"tab": "terlambat"})

    assert numbers(escalated.context["reports"]) == numbers([r["long_late"], r["contested"]])
    assert numbers(overdue.context["reports"]) == numbers([r["late"], r["long_late"]])


def test_a_report_answered_in_time_leaves_the_overdue_queue(world, client, late_and_escalated):
    r = late_and_escalated
    with time_machine.travel(aware(2026, 7, 17, 11), tick=False):
        a.post_follow_up(r["late"], "Lampu sudah diganti.", actor=world.officer)
        client.force_login(world.supervisor)
        queues = client.get(URL).context["queues"]

    assert r["late"].tracking_number not in numbers(queues["overdue"])
