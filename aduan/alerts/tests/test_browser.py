"""Real-browser journeys through the alerts: subscribing from the public list at a phone's
width, confirming from the mail, the digest, and unsubscribing; the same form without
JavaScript at a desktop's width; a report page's links to its feed and alerts."""

import re

import pytest
from django.core import mail

from aduan.alerts import digest
from aduan.alerts.models import Subscriber, Subscription
from aduan.reports import actions as a
from conftest import run_tasks, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(settings, live_server):
    settings.SITE_URL = live_server.url
    return live_server.url


def path_of(body: str, kind: str) -> str:
    match = re.search(rf"https?://[^/\s]+(/langganan/{kind}/[^/\s]+/)", body)
    assert match, body
    return match.group(1)


def dispose(world, **data):
    report = world.submit(**data)
    return a.dispose_report(report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin)


def test_a_citizen_subscribes_from_the_list_on_a_phone_confirms_and_unsubscribes(
    phone_page, world, site
):
    page = phone_page
    page.goto("/laporan/?provinsi=64&kabupaten=64.08")
    page.get_by_role("link", name="Peringatan surel").click()
    page.get_by_role("heading", name="Peringatan surel").wait_for()
    assert page.locator("#id_kabupaten").input_value() == "64.08"
    page.get_by_label("Alamat surel").fill("warga.sangatta@example.com")
    page.locator("#id_kecamatan").select_option("64.08.04")
    page.locator("#id_kategori").select_option("jalan-rusak")
    screenshot(page, "alerts-subscribe-phone")
    page.get_by_role("button", name="Kirim tautan konfirmasi").click()
    page.get_by_role("heading", name="Periksa surel Anda").wait_for()

    run_tasks()
    [confirmation] = mail.outbox
    page.goto(path_of(confirmation.body, "konfirmasi"))
    page.get_by_role("button", name="Aktifkan peringatan").click()
    page.get_by_role("heading", name="Peringatan aktif").wait_for()
    assert "Kecamatan Sangatta Utara, Kabupaten Kutai Timur, Jalan rusak" in page.content()
    screenshot(page, "alerts-confirmed-phone")
    assert Subscription.objects.get().confirmed_at is not None

    report = dispose(world, title="Jalan poros berlubang di KM 12")
    digest.send_alerts(force=True)
    run_tasks()
    [alert] = [m for m in mail.outbox if m.subject.startswith("Peringatan Aduan")]
    assert report.tracking_number in alert.body

    page.goto(path_of(alert.body, "berhenti"))
    assert page.get_by_text("Kecamatan Sangatta Utara, Kabupaten Kutai Timur").is_visible()
    page.get_by_role("button", name="Berhenti berlangganan").click()
    page.get_by_role("heading", name="Anda telah berhenti berlangganan").wait_for()
    assert not Subscription.objects.exists()
    assert not Subscriber.objects.exists()


def test_the_form_works_without_javascript_on_a_desktop(browser, world, site):
    context = browser.new_context(
        base_url=site, java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    try:
        page = context.new_page()
        page.goto("/langganan/")
        page.get_by_label("Alamat surel").fill("warga@example.com")
        page.locator("#id_provinsi").select_option("64")
        page.get_by_role("button", name="Pilih Provinsi").click()
        page.locator("#id_kabupaten").select_option("64.08")
        page.get_by_role("button", name="Pilih Kabupaten/kota").click()
        page.locator("#id_kecamatan").select_option("64.08.04")
        assert page.get_by_label("Alamat surel").input_value() == "warga@example.com"
        screenshot(page, "alerts-subscribe-desktop")
        page.get_by_role("button", name="Kirim tautan konfirmasi").click()
        page.get_by_role("heading", name="Periksa surel Anda").wait_for()
        assert Subscription.objects.get().region_code == "64.08.04"

        # A mistake is explained next to its field, without JavaScript too.
        page.goto("/langganan/")
        page.get_by_label("Alamat surel").fill("warga@example.com")
        page.get_by_label("Radius di sekitar titik").check()
        page.get_by_role("button", name="Kirim tautan konfirmasi").click()
        assert page.get_by_text("Isi lintang dan bujur titik pusat.").is_visible()
    finally:
        context.close()


def test_a_report_page_links_to_its_feed_and_to_alerts_around_it(page, world, site):
    report = dispose(world, latitude="0.512300", longitude="117.654300")
    page.goto(f"/lacak/{report.tracking_number}/")
    feed = page.get_by_role("link", name="Umpan Atom riwayat laporan ini")
    assert feed.get_attribute("href") == f"/umpan/laporan/{report.tracking_number}/"
    screenshot(page, "alerts-report-links")
    page.get_by_role("link", name="Peringatan di sekitar titik ini").click()
    page.get_by_role("heading", name="Peringatan surel").wait_for()
    assert page.get_by_label("Radius di sekitar titik").is_checked()
    assert page.locator("#id_lintang").input_value() == "0.512300"
    response = page.request.get(f"/umpan/laporan/{report.tracking_number}/")
    assert response.ok
    assert "<feed" in response.text()
