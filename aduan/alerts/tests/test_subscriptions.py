"""Subscribing to alerts through the form, confirming by e-mail, unsubscribing with one
click: the pages, the rows, the mails."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client

from aduan.accounts.crypto import lookup_hash
from aduan.alerts.models import AlertState, AreaKind, Subscriber, Subscription
from conftest import aware

from .conftest import link

pytestmark = pytest.mark.django_db

FORM = {
    "email": "Warga.Sangatta@Example.com",
    "area": "wilayah",
    "provinsi": "64",
    "kabupaten": "64.08",
    "kecamatan": "64.08.04",
    "kategori": "jalan-rusak",
}


def test_a_district_subscription_waits_for_confirmation_with_the_address_encrypted(
    client, world, tasks
):
    response = client.post("/langganan/", FORM)

    assert response.status_code == 302
    assert response["Location"] == "/langganan/terkirim/"
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "warga.sangatta@example.com"
    assert subscriber.email_lookup == lookup_hash("warga.sangatta@example.com")
    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM alerts_subscriber")
        stored = cursor.fetchone()[0]
    assert "example.com" not in stored.lower()
    subscription = Subscription.objects.get()
    assert subscription.area_kind == AreaKind.DISTRICT
    assert subscription.region_code == "64.08.04"
    assert subscription.category == world.jalan
    assert subscription.confirmed_at is None

    tasks()
    [message] = mail.outbox
    assert message.to == ["warga.sangatta@example.com"]
    assert message.subject == "Konfirmasi peringatan Aduan"
    assert "Kecamatan Sangatta Utara, Kabupaten Kutai Timur, Jalan rusak" in message.body
    assert "List-Unsubscribe" not in message.extra_headers
    # The link is kept only encrypted in the outbox row.
    from aduan.notifications.models import Notification

    notification = Notification.objects.get(template="alert_confirm")
    assert "konfirmasi" not in str(notification.context)


def test_the_confirmation_link_asks_for_a_press_and_then_activates(client, world, tasks):
    client.post("/langganan/", FORM)
    tasks()
    path = link(mail.outbox[0].body, "konfirmasi")

    page = client.get(path)
    assert page.status_code == 200
    assert "Aktifkan peringatan" in page.content.decode()
    # A mail scanner that opens the link confirms nothing.
    assert Subscription.objects.get().confirmed_at is None

    done = client.post(path)
    assert done.status_code == 200
    assert "Peringatan aktif" in done.content.decode()
    assert Subscription.objects.get().confirmed_at is not None
    assert AlertState.objects.filter(pk=1).exists()
    # Pressing again changes nothing.
    confirmed_at = Subscription.objects.get().confirmed_at
    assert client.post(path).status_code == 200
    assert Subscription.objects.get().confirmed_at == confirmed_at


def test_a_confirmation_link_expires_after_seven_days(client, world, tasks):
    with time_machine.travel(aware(2026, 3, 2, 9), tick=False):
        client.post("/langganan/", FORM)
        tasks()
    path = link(mail.outbox[0].body, "konfirmasi")
    with time_machine.travel(aware(2026, 3, 9, 10), tick=False):
        response = client.post(path)
    assert response.status_code == 410
    assert "kedaluwarsa" in response.content.decode()
    assert Subscription.objects.get().confirmed_at is None


def test_a_tampered_link_is_refused_in_both_pages(client, world):
    assert client.get("/langganan/konfirmasi/abc:def:ghi/").status_code == 400
    response = client.post("/langganan/berhenti/s.123:forged/")
    assert response.status_code == 400
    assert "tidak valid" in response.content.decode()


@pytest.mark.parametrize(
    "changes, field_error",
    [
        ({"email": "bukan-surel"}, "Alamat surel tidak valid."),
        ({"kabupaten": "", "kecamatan": ""}, "Pilih kabupaten/kota"),
        ({"kabupaten": "99.99", "kecamatan": ""}, "Pilih kabupaten/kota"),
        ({"area": "titik", "lintang": "", "bujur": ""}, "Isi lintang dan bujur"),
        ({"area": "titik", "lintang": "abc", "bujur": "117"}, "Koordinat tidak valid."),
        ({"area": "titik", "lintang": "48.85", "bujur": "2.35"}, "di luar Indonesia"),
        ({"area": "titik", "lintang": "0.5", "bujur": "117.5", "radius": "999"}, "Pilih radius"),
        ({"area": "di-mana-saja"}, "Pilih jenis area."),
        ({"kategori": "tidak-ada"}, "Kategori tidak dikenal."),
        ({"kabupaten": "64.08\x00", "kecamatan": ""}, "Pilih kabupaten/kota"),
        ({"email": "a\x00@example.com"}, "errorlist"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_writes_nothing(
    client, world, changes, field_error
):
    response = client.post("/langganan/", FORM | changes)
    assert response.status_code == 400
    assert field_error.lower() in response.content.decode().lower()
    assert not Subscriber.objects.exists()
    assert not Subscription.objects.exists()


def test_bad_input_is_explained_in_english_to_an_english_reader(client, world):
    client.cookies["django_language"] = "en"
    response = client.post("/langganan/", FORM | {"email": "bukan-surel"})
    assert response.status_code == 400
    assert "E-mail alerts" in response.content.decode()


def test_a_radius_subscription_around_a_typed_point(client, world):
    data = FORM | {"area": "titik", "lintang": "0,512345", "bujur": "117.654321", "radius": "2000"}
    assert client.post("/langganan/", data).status_code == 302
    subscription = Subscription.objects.get()
    assert subscription.area_kind == AreaKind.RADIUS
    assert str(subscription.latitude) == "0.512345"
    assert str(subscription.longitude) == "117.654321"
    assert subscription.radius_m == 2000
    assert subscription.region_code == ""


def test_without_javascript_pilih_loads_the_next_level_and_writes_nothing(client, world):
    response = client.post("/langganan/", {"aksi": "pilih", "provinsi": "64", "email": "a@b.id"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="64.08">Kabupaten Kutai Timur</option>' in html
    assert "errorlist" not in html
    assert not Subscription.objects.exists()


def test_a_link_with_a_malformed_code_shows_the_empty_form(client, world):
    response = client.get("/langganan/?kabupaten=64.08%00&kecamatan=x")
    assert response.status_code == 200
    assert '<option value="64.08" selected>' not in response.content.decode()


def test_a_link_from_the_list_fills_in_the_regency_and_category(client, world):
    html = client.get("/langganan/?kabupaten=64.08&kategori=jalan-rusak").content.decode()
    assert '<option value="64" selected>' in html
    assert '<option value="64.08" selected>' in html
    assert '<option value="jalan-rusak" selected>' in html
    assert '<option value="64.08.04">Sangatta Utara</option>' in html


def test_subscription_requests_are_limited_per_client_address(
    client, world, settings, start_of_a_minute
):
    settings.ALERTS_SUBSCRIBE_PER_MINUTE = 2
    for number in range(2):
        response = client.post("/langganan/", FORM | {"email": f"w{number}@example.com"})
        assert response.status_code == 302
    refused = client.post("/langganan/", FORM | {"email": "w9@example.com"})
    assert refused.status_code == 429
    assert "Terlalu banyak permintaan" in refused.content.decode()
    assert Subscriber.objects.count() == 2


def test_confirmation_mails_to_one_address_are_limited_per_hour(world, tasks):
    with time_machine.travel(aware(2026, 3, 2, 9), tick=False):
        for number in range(3):
            client = Client(REMOTE_ADDR=f"192.0.2.{number}")
            assert client.post("/langganan/", FORM).status_code == 302
        refused = Client(REMOTE_ADDR="192.0.2.99").post("/langganan/", FORM)
        assert refused.status_code == 429
        assert "satu jam" in refused.content.decode()
    with time_machine.travel(aware(2026, 3, 2, 10, 1), tick=False):
        assert Client(REMOTE_ADDR="192.0.2.98").post("/langganan/", FORM).status_code == 302
    tasks()
    # The same pending subscription, its confirmation sent again each time.
    assert Subscription.objects.count() == 1
    assert len(mail.outbox) == 4


def test_asking_again_for_an_active_subscription_sends_nothing(client, world, tasks):
    client.post("/langganan/", FORM)
    tasks()
    client.post(link(mail.outbox[0].body, "konfirmasi"))
    mail.outbox.clear()

    response = client.post("/langganan/", FORM)
    tasks()
    assert response.status_code == 302
    assert mail.outbox == []
    assert Subscription.objects.count() == 1


def test_one_click_unsubscribe_works_without_cookies_or_csrf_and_deletes_the_rows(
    client, world, tasks
):
    client.post("/langganan/", FORM)
    tasks()
    confirmation = link(mail.outbox[0].body, "konfirmasi")
    confirmed = client.post(confirmation).content.decode()
    # The confirmation page links to this subscription's unsubscribe page.
    start = confirmed.index("/langganan/berhenti/")
    path = confirmed[start : confirmed.index('"', start)]

    page = client.get(path)
    assert page.status_code == 200
    assert "Kecamatan Sangatta Utara" in page.content.decode()

    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert not Subscription.objects.exists()
    assert not Subscriber.objects.exists()
    # A second click (or a client retrying) is answered the same way.
    assert mail_client.post(path).status_code == 200
    assert "sudah dihentikan" in client.get(path).content.decode()


def test_unconfirmed_subscriptions_are_deleted_after_the_link_expires(client, world):
    from aduan.alerts import subscriptions

    with time_machine.travel(aware(2026, 3, 2, 9), tick=False):
        client.post("/langganan/", FORM)
    assert subscriptions.purge_unconfirmed(aware(2026, 3, 8, 9)) == 0
    assert subscriptions.purge_unconfirmed(aware(2026, 3, 9, 10)) == 1
    assert not Subscriber.objects.exists()


def test_the_pages_answer_get_and_post_only(client, world):
    assert client.put("/langganan/").status_code == 405
    assert client.post("/langganan/terkirim/").status_code == 405
    assert client.get("/langganan/terkirim/").status_code == 200
    assert dt.timedelta(days=7)  # the link's life, as the sent page says
    assert "7 hari" in client.get("/langganan/terkirim/").content.decode()
