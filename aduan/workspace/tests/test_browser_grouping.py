"""Clusters and campaigns in a real browser: confirming a suggested link at a desktop
width, answering a campaign once at a phone's width. Screenshots go under
var/screenshots/."""

import re

import pytest
import time_machine

from aduan.reports import actions as a
from aduan.reports.models import Status
from aduan.routing.models import ClusterMembership
from aduan.routing.tests.test_grouping import CAMPAIGN, POTHOLE, POTHOLE_AGAIN, detect, guest
from conftest import aware, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_confirms_a_suggested_link_from_its_explained_reason(page, world):
    first = guest(1, POTHOLE, aware(2026, 3, 2))
    second = guest(2, POTHOLE_AGAIN, aware(2026, 3, 4))
    detect(aware(2026, 3, 4, 12))

    login(page, "admin_nasional")
    page.get_by_role("heading", name="Kotak masuk").wait_for()
    page.goto(f"/petugas/laporan/{second.tracking_number}/")
    reason = page.get_by_test_id("suggestion-reason")
    assert re.search(
        r"teks mirip \d+%, kategori sama, desa sama, 2 hari selisih", reason.inner_text()
    )
    screenshot(page, "workspace-duplicate-suggestion")
    page.get_by_role("button", name="Hubungkan ke klaster").click()
    page.get_by_text("Laporan dihubungkan ke klaster.").wait_for()
    page.get_by_role("link", name="Lihat klaster").click()
    page.get_by_role("heading", name="Klaster laporan serupa").wait_for()
    assert first.tracking_number in page.get_by_test_id("cluster-members").inner_text()
    assert ClusterMembership.objects.filter(report__in=(first, second)).count() == 2


def test_an_agency_admin_answers_a_campaign_once_at_a_phone_width(phone_page, world):
    page = phone_page
    members = [guest(n, CAMPAIGN, aware(2026, 4, 6, 8 + n)) for n in range(5)]
    detect(aware(2026, 4, 6, 15))
    with time_machine.travel(aware(2026, 4, 7, 9), tick=False):
        for report in members:
            a.dispose_report(report, world.pemkab, actor=world.national_admin)

    login(page, "admin_kutim")
    page.get_by_role("heading", name="Kotak masuk").wait_for()
    assert page.get_by_test_id("campaign-mark").count() == 5
    page.get_by_role("link", name="Kampanye massal").click()
    page.get_by_test_id("campaign-list").get_by_role("link").first.click()
    assert page.get_by_test_id("campaign-count").inner_text() == "5"
    page.get_by_label("Jawaban").fill("Rencana pabrik masih dikaji; izin belum diterbitkan.")
    page.get_by_role("button", name="Kirim jawaban ke semua laporan").click()
    page.get_by_text("Jawaban dicatat pada 5 laporan").wait_for()
    screenshot(page, "workspace-campaign-answered-phone")
    for report in members:
        report.refresh_from_db()
        assert report.status == Status.RESPONDED
