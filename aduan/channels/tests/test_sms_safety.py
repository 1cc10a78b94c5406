"""What a provider, an attacker or a confused phone may send: every answer is clear, never
a 500, and nothing is left half-written."""

import time

import pytest

from aduan.channels.gateways.signing import MAX_SKEW_SECONDS
from aduan.channels.models import BlockKind, Message, MessageStatus, SenderBlock
from aduan.notifications.models import Notification
from aduan.reports.models import Report

from .conftest import CITIZEN_PHONE, post_generic

REPORT_TEXT = "LAPOR Jembatan kayu di Desa Singa Gembara lapuk dan berbahaya bagi anak sekolah"


def test_a_message_with_a_bad_twilio_signature_is_refused_and_not_stored(world, phone):
    response = phone.send(REPORT_TEXT, signed=False)
    assert response.status_code == 403
    assert not Message.objects.exists() and not Report.objects.exists()


def test_a_message_for_another_twilio_account_is_refused(world, phone, settings):
    settings.TWILIO_ACCOUNT_SID = "AC" + "1" * 32
    assert phone.send(REPORT_TEXT).status_code == 403


def test_an_adapter_without_its_secret_does_not_exist(world, client, settings):
    settings.SMS_GENERIC_SECRET = ""
    assert post_generic(client, {"id": "1", "from": CITIZEN_PHONE, "text": "x"}).status_code == 404
    assert client.post("/channels/sms/nope/inbound").status_code == 404
    assert client.get("/channels/sms/twilio/inbound").status_code in (404, 405)


def test_a_replayed_twilio_webhook_is_one_message_and_one_report(world, phone):
    first = phone.send(REPORT_TEXT, sid="SM" + "a" * 32)
    again = phone.send(REPORT_TEXT, sid="SM" + "a" * 32)
    assert first.status_code == again.status_code == 200
    assert Message.objects.count() == 1 and Report.objects.count() == 1
    assert len(phone.inbox()) == 1


def test_generic_webhooks_are_signed_fresh_and_well_formed(world, client, generic):
    payload = {"id": "gw-1", "from": "0813 5000 1111", "text": REPORT_TEXT}
    assert post_generic(client, payload, secret="salah").status_code == 403
    stale = time.time() - MAX_SKEW_SECONDS - 5
    assert post_generic(client, payload, now=stale).status_code == 403
    assert post_generic(client, None, raw=b"\xff\xfe\x00junk").status_code == 400
    assert post_generic(client, None, raw=b"[1, 2]").status_code == 400
    assert post_generic(client, {"id": "gw-2", "from": 628135, "text": "x"}).status_code == 400
    assert post_generic(client, {"from": CITIZEN_PHONE, "text": "x"}).status_code == 400
    assert not Message.objects.exists()
    response = post_generic(client, payload)
    assert response.status_code == 200
    body = response.json()
    report = Report.objects.get()
    assert body["status"] == "processed" and body["report"] == report.tracking_number
    assert report.tracking_number in body["replies"][0]
    assert report.reporter.phone == CITIZEN_PHONE
    # The same message id again, within the signature's lifetime: a duplicate.
    assert post_generic(client, payload).json()["status"] == "duplicate"
    assert Report.objects.count() == 1


def test_unknown_and_other_peoples_tracking_numbers_get_the_same_answer(world, phone):
    someone_elses = world.submit()
    phone.send(f"CEK {someone_elses.tracking_number}")
    phone.send("CEK PST-26-0000001-0")
    phone.send("CEK")
    answers = phone.inbox()
    assert "tidak ditemukan" in answers[0] and "tidak ditemukan" in answers[1]
    assert answers[0].replace(someone_elses.tracking_number, "N") == answers[1].replace(
        "PST-26-0000001-0", "N"
    )
    assert "Tulis nomor laporan" in answers[2]
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.REFUSED}


def test_a_very_long_message_becomes_a_report_and_its_answer_fits_two_sms(world, phone):
    phone.send("LAPOR " + "Air PDAM keruh dan berbau. " * 370)  # about 10,000 characters
    report = Report.objects.get()
    assert len(report.body) > 9_900 and len(report.title) <= 83
    assert report.tracking_number in phone.inbox()[0]


def test_a_message_too_long_even_for_a_report_is_answered_and_refused(world, phone):
    phone.send("x " * 15_000)
    assert not Report.objects.exists()
    assert "terlalu panjang" in phone.inbox()[0]


def test_binary_junk_is_cleaned_and_answered_with_the_reason(world, phone):
    phone.send("\x00\x01\x02\x1b\x7f\ufffe")
    message = Message.objects.get()
    assert message.text == "" and message.status == MessageStatus.REFUSED
    assert "LAPOR" in phone.inbox()[0]  # the help text
    phone.send("LAPOR ok\x00\x07")
    assert "terlalu singkat" in phone.inbox()[-1]
    assert not Report.objects.exists()


def test_a_flood_from_one_number_is_stopped_and_told_once(world, phone, settings):
    settings.CHANNEL_SENDER_LIMIT = 3
    for n in range(8):
        assert phone.send(f"CEK PST-26-000000{n}-0").status_code == 200
    statuses = list(Message.objects.order_by("received_at", "pk").values_list("status", flat=True))
    assert statuses[:3] == [MessageStatus.REFUSED] * 3
    assert statuses[3:] == [MessageStatus.RATE_LIMITED] * 5
    answers = phone.inbox()
    assert len(answers) == 4 and "Terlalu banyak pesan" in answers[-1]
    # Another number is not affected.
    phone.send(REPORT_TEXT, number="+6281350002222")
    assert Report.objects.count() == 1


def test_the_same_report_sent_twice_is_recorded_once(world, phone):
    phone.send(REPORT_TEXT)
    phone.send(REPORT_TEXT)
    assert Report.objects.count() == 1
    report = Report.objects.get()
    assert f"sudah kami terima ({report.tracking_number})" in phone.inbox()[-1]


def test_a_channel_over_its_rate_asks_the_provider_to_retry_later(world, phone, settings):
    settings.CHANNEL_RATE_PER_MINUTE = 2
    phone.send(REPORT_TEXT)
    phone.send("CEK PST-26-0000001-0")
    response = phone.send("CEK PST-26-0000002-0")
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert Message.objects.count() == 2


def test_a_blocked_sender_is_stored_and_ignored(world, phone):
    phone.send("CEK PST-26-0000001-0")
    lookup = Message.objects.get().sender_lookup
    SenderBlock.objects.create(channel="sms", kind=BlockKind.BLOCKED, address_lookup=lookup)
    phone.send(REPORT_TEXT)
    assert not Report.objects.exists()
    assert Message.objects.filter(status=MessageStatus.BLOCKED).count() == 1
    assert len(phone.inbox()) == 1


def test_a_foreign_or_named_sender_is_kept_and_not_answered(world, phone):
    phone.send(REPORT_TEXT, number="+14155550100")
    phone.send(REPORT_TEXT, number="TELKOMSEL")
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.INVALID_SENDER}
    assert not Report.objects.exists() and phone.inbox() == []


@pytest.mark.parametrize("text", ["BERHENTI", "stop"])
def test_berhenti_stops_every_sms_but_its_confirmation(world, phone, text):
    phone.send(REPORT_TEXT)
    report = Report.objects.get()
    phone.send(text)
    assert "MULAI" in phone.inbox()[-1]
    from aduan.reports import actions as a

    a.put_on_hold(report, "Foto jembatannya?", actor=world.national_admin)
    count = len(phone.inbox())
    held = Notification.objects.get(template="information_requested", channel="sms")
    assert held.status == "failed" and "BERHENTI" in held.last_error
    phone.send("MULAI")
    assert len(phone.inbox()) == count + 1


def test_lone_surrogates_in_a_json_payload_are_not_a_500(world, client, generic):
    raw = (
        b'{"id": "gw-\\udc80", "from": "0813500011\\ud800", '
        b'"text": "LAPOR \\udcff\\udc80 jalan rusak parah di KM 5 \\ud83d"}'
    )
    response = post_generic(client, None, raw=raw)
    assert response.status_code == 200
    message = Message.objects.get()
    assert message.status == MessageStatus.INVALID_SENDER
    raw = (
        b'{"id": "gw-2", "from": "081350001111", '
        b'"text": "LAPOR \\udcff\\udc80 jalan rusak parah di KM 5 \\ud83d"}'
    )
    assert post_generic(client, None, raw=raw).json()["status"] == "processed"
    assert Report.objects.get().body == "jalan rusak parah di KM 5"


def test_random_printable_junk_is_not_a_report(world, phone):
    junk = "q#9v!Xk2&Zp@r7^Lm0~s]T4;w" * 8 + " " + "h$5Gb*N1{e" * 4
    phone.send(junk)
    assert not Report.objects.exists()
    assert phone.inbox()[0].startswith("Pesan tidak dapat dibaca.")
    phone.send("LAPOR Jalan rusak!!! Sudah 3 bulan, KM 12 (dekat SPBU).")
    assert Report.objects.count() == 1


def test_odd_but_well_formed_values_are_not_a_500(world, client, generic):
    payload = {
        "id": "gw-9",
        "from": CITIZEN_PHONE,
        "text": REPORT_TEXT,
        "sent_at": "2027-13-45T99:00:00",
    }
    assert post_generic(client, payload).status_code == 200
    report = {"id": "", "reference": "not-a-uuid", "status": "delivered"}
    assert post_generic(client, report, path="status").status_code == 400  # no id
    report = {"id": "x", "reference": "not-a-uuid", "status": "delivered"}
    assert post_generic(client, report, path="status").json() == {"status": "unknown"}
