"""The alert digests sent by the worker: one mail per subscriber per run, each published
report's public news told once, only public data, and the one-click unsubscribe."""

from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.test import Client

from aduan.alerts import digest
from aduan.alerts.models import AlertState, AreaKind, Subscriber, Subscription
from aduan.alerts.subscriptions import Area
from aduan.notifications.models import Notification
from aduan.reports import actions as a
from aduan.reports.models import Report
from conftest import aware

from .conftest import mails_to, subscribe

pytestmark = pytest.mark.django_db

KUTIM = Area(AreaKind.REGENCY, region_code="64.08")
SANGATTA_UTARA = Area(AreaKind.DISTRICT, region_code="64.08.04")
POINT = {"latitude": "0.512300", "longitude": "117.654300"}


def near(radius_m: int, lat="0.512300", lon="117.654300") -> Area:
    return Area(AreaKind.RADIUS, latitude=Decimal(lat), longitude=Decimal(lon), radius_m=radius_m)


def run(tasks) -> dict:
    summary = digest.send_alerts(force=True)
    tasks()
    return summary


def disposed(world, **data):
    report = world.submit(**data)
    return a.dispose_report(report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin)


def test_a_subscriber_gets_one_digest_of_new_and_updated_reports_with_dates_in_words(world, tasks):
    with time_machine.travel(aware(2026, 3, 11, 8), tick=False):
        subscribe("warga@example.com", SANGATTA_UTARA)
    with time_machine.travel(aware(2026, 3, 12, 10, 5), tick=False):
        first = disposed(world, title="Jalan poros berlubang di KM 12")
        second = disposed(world, title="Drainase tersumbat di Jl. Yos Sudarso")
    with time_machine.travel(aware(2026, 3, 12, 14, 30), tick=False):
        a.acknowledge_report(first, actor=world.officer)
        a.post_follow_up(first, "Sudah ditambal pada 3 Maret.", actor=world.officer)
        mail.outbox.clear()
        summary = run(tasks)

    assert summary["digests"] == 1
    [message] = mails_to("warga@example.com")
    assert message.subject == "Peringatan Aduan: 2 laporan publik baru atau diperbarui"
    body = message.body
    assert f"[BARU] Jalan poros berlubang di KM 12 ({first.tracking_number})" in body
    assert f"[BARU] Drainase tersumbat di Jl. Yos Sudarso ({second.tracking_number})" in body
    assert "Kamis, 12 Maret 2026 pukul 10.05 WITA: Didisposisikan ke instansi" in body
    assert "Kamis, 12 Maret 2026 pukul 14.30 WITA: Tindak lanjut dari" in body
    assert "Sudah ditambal pada 3 Maret." in body
    assert f"https://lapor.example.go.id/lacak/{first.tracking_number}/" in body
    assert "Kecamatan Sangatta Utara, Kabupaten Kutai Timur, semua kategori" in body
    # RFC 2369 and RFC 8058 headers, with the same one-click link as the body's last one.
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://lapor.example.go.id/langganan/berhenti/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in body
    # The outbox keeps the links only encrypted.
    row = Notification.objects.get(template="alert_digest")
    assert "berhenti" not in str(row.context)
    assert row.audience == "subscriber"


def test_each_event_is_alerted_once_and_later_news_in_the_next_digest(world, tasks):
    subscribe("warga@example.com", KUTIM)
    report = disposed(world)
    run(tasks)
    assert len(mails_to("warga@example.com")) == 1
    mark = AlertState.objects.get().position

    mail.outbox.clear()
    assert run(tasks)["digests"] == 0
    assert mail.outbox == []
    assert AlertState.objects.get().position == mark

    a.acknowledge_report(report, actor=world.officer)
    run(tasks)
    [message] = mails_to("warga@example.com")
    assert "[BARU]" not in message.body
    assert "Diterima dan diproses" in message.body
    assert "Didisposisikan ke instansi" not in message.body
    assert AlertState.objects.get().position > mark


def test_the_worker_sends_a_digest_at_most_every_alerts_digest_minutes(world, tasks, settings):
    settings.ALERTS_DIGEST_MINUTES = 60
    with time_machine.travel(aware(2026, 3, 12, 8), tick=False):
        subscribe("warga@example.com", KUTIM)
    with time_machine.travel(aware(2026, 3, 12, 9), tick=False):
        disposed(world)
        assert digest.send_alerts()["ran"] is True
    with time_machine.travel(aware(2026, 3, 12, 9, 30), tick=False):
        disposed(world, title="Laporan kedua yang menunggu digest berikutnya")
        assert digest.send_alerts()["ran"] is False
    with time_machine.travel(aware(2026, 3, 12, 10, 1), tick=False):
        summary = digest.send_alerts()
    assert summary["ran"] is True
    assert summary["digests"] == 1


def test_the_periodic_job_is_on_the_workers_schedule():
    from aduan.alerts.tasks import send_alerts
    from aduan.core.scheduler import periodic_tasks

    assert send_alerts in periodic_tasks()


def test_an_anonymous_report_reaches_its_regency_but_not_its_district_or_point(world, tasks):
    subscribe("kabupaten@example.com", KUTIM)
    subscribe("kecamatan@example.com", SANGATTA_UTARA)
    subscribe("titik@example.com", near(500))
    disposed(world, is_anonymous=True, title="Limbah pabrik di belakang rumah", **POINT)
    run(tasks)

    [message] = mails_to("kabupaten@example.com")
    assert "Limbah pabrik di belakang rumah" in message.body
    assert "Kabupaten Kutai Timur · Infrastruktur › Jalan rusak" in message.body
    assert "Sangatta Utara" not in message.body.split("Anda menerima surel ini")[0]
    assert "0.5123" not in message.body
    assert mails_to("kecamatan@example.com") == []
    assert mails_to("titik@example.com") == []


def test_radius_subscriptions_use_the_public_point(world, tasks):
    subscribe("dekat@example.com", near(1000, lat="0.515000"))  # about 300 m away
    subscribe("jauh@example.com", near(500, lat="0.530000"))  # about 2 km away
    subscribe("luas@example.com", near(5000, lat="0.530000"))
    disposed(world, **POINT)
    run(tasks)
    assert len(mails_to("dekat@example.com")) == 1
    assert mails_to("jauh@example.com") == []
    assert len(mails_to("luas@example.com")) == 1


def test_a_category_covers_its_subcategories_and_nothing_else(world, tasks):
    subscribe("infra@example.com", KUTIM, world.infrastruktur)
    subscribe("jalan@example.com", KUTIM, world.jalan)
    subscribe("limbah@example.com", KUTIM, world.lingkungan)
    disposed(world, category="jalan-rusak")
    run(tasks)
    assert len(mails_to("infra@example.com")) == 1
    assert len(mails_to("jalan@example.com")) == 1
    assert mails_to("limbah@example.com") == []


def test_unpublished_confidential_and_internal_news_is_never_alerted(world, tasks):
    subscribe("warga@example.com", KUTIM)
    world.submit(title="Belum diverifikasi")
    disposed(world, is_confidential=True, title="Laporan rahasia")
    public = disposed(world, title="Laporan publik")
    run(tasks)
    [message] = mails_to("warga@example.com")
    assert "Laporan publik" in message.body
    assert "Belum diverifikasi" not in message.body
    assert "Laporan rahasia" not in message.body

    mail.outbox.clear()
    a.add_internal_note(public, "Catatan internal: kontraktor lambat.", actor=world.officer)
    a.put_on_hold(public, "Mohon foto lokasi.", actor=world.officer)
    run(tasks)
    assert mails_to("warga@example.com") == []
    assert not Notification.objects.filter(template="alert_digest", status="pending").exists()


def test_news_from_before_a_subscription_was_confirmed_is_not_sent_to_it(world, tasks):
    with time_machine.travel(aware(2026, 3, 12, 8), tick=False):
        subscribe("lama@example.com", KUTIM)
    with time_machine.travel(aware(2026, 3, 12, 9), tick=False):
        disposed(world, title="Sebelum langganan baru")
    with time_machine.travel(aware(2026, 3, 12, 9, 10), tick=False):
        subscribe("baru@example.com", KUTIM)
        run(tasks)
    assert len(mails_to("lama@example.com")) == 1
    assert mails_to("baru@example.com") == []


def test_unconfirmed_subscriptions_get_nothing(world, tasks):
    from aduan.alerts import subscriptions

    subscribe("aktif@example.com", KUTIM)
    subscriptions.request_subscription("belum@example.com", KUTIM, None, ip="192.0.2.7")
    disposed(world)
    mail.outbox.clear()
    run(tasks)
    assert len(mails_to("aktif@example.com")) == 1
    assert mails_to("belum@example.com") == []


def test_several_subscriptions_of_one_address_make_one_digest_listing_each_report_once(
    world, tasks
):
    subscribe("warga@example.com", KUTIM)
    subscribe("warga@example.com", SANGATTA_UTARA, world.jalan)
    disposed(world)
    run(tasks)
    [message] = mails_to("warga@example.com")
    assert message.body.count("[BARU]") == 1
    assert "Kabupaten Kutai Timur, semua kategori. Berhenti:" in message.body
    assert "Kecamatan Sangatta Utara, Kabupaten Kutai Timur, Jalan rusak. Berhenti:" in message.body


def test_the_one_click_link_of_a_digest_ends_every_subscription_of_the_address(world, tasks):
    subscribe("warga@example.com", KUTIM)
    subscribe("warga@example.com", SANGATTA_UTARA)
    subscribe("tetangga@example.com", KUTIM)
    disposed(world)
    run(tasks)
    [message] = mails_to("warga@example.com")
    url = message.extra_headers["List-Unsubscribe"].strip("<>")

    response = Client(enforce_csrf_checks=True).post(
        url.removeprefix("https://lapor.example.go.id"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Subscriber.objects.count() == 1
    assert Subscription.objects.get().subscriber.email == "tetangga@example.com"

    mail.outbox.clear()
    a.acknowledge_report(Report.objects.get(), actor=world.officer)
    run(tasks)
    assert mails_to("warga@example.com") == []
    assert len(mails_to("tetangga@example.com")) == 1


def test_a_digest_lists_at_most_its_limit_and_counts_the_rest(world, tasks, monkeypatch):
    monkeypatch.setattr(digest, "MAX_REPORTS_PER_DIGEST", 2)
    subscribe("warga@example.com", KUTIM)
    for number in range(3):
        disposed(world, title=f"Laporan nomor {number}")
    run(tasks)
    [message] = mails_to("warga@example.com")
    assert message.body.count("[BARU]") == 2
    assert "... dan 1 laporan lain: https://lapor.example.go.id/laporan/" in message.body


def test_the_digest_run_costs_the_same_queries_for_more_subscribers(
    world, tasks, django_assert_max_num_queries
):
    for number in range(3):
        subscribe(f"w{number}@example.com", KUTIM)
    disposed(world)
    digest._sequence_events()
    with django_assert_max_num_queries(15):
        digest.run_batch()
    for number in range(3, 30):
        subscribe(f"w{number}@example.com", SANGATTA_UTARA)
    disposed(world, title="Laporan kedua")
    digest._sequence_events()
    with django_assert_max_num_queries(15):
        assert digest.run_batch()[1] == 30


def test_a_run_that_fails_sends_nothing_and_keeps_the_mark(world, tasks, monkeypatch):
    subscribe("warga@example.com", KUTIM)
    disposed(world)
    mark = AlertState.objects.get().position

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(digest, "_queue", broken)
    with pytest.raises(RuntimeError):
        digest.send_alerts(force=True)
    assert AlertState.objects.get().position == mark
    assert not Notification.objects.filter(template="alert_digest").exists()

    monkeypatch.undo()
    run(tasks)
    assert len(mails_to("warga@example.com")) == 1


def test_the_command_sends_the_digests_now(world, tasks):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("send_alerts", stdout=out)
    assert "no confirmed subscription yet" in out.getvalue()
    subscribe("warga@example.com", KUTIM)
    disposed(world)
    call_command("send_alerts", stdout=out)
    assert "1 digests queued" in out.getvalue()
    tasks()
    assert len(mails_to("warga@example.com")) == 1
