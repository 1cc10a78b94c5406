"""What Meta, an attacker or a confused phone may send to the WhatsApp webhook: every
answer is clear, never a 500, and nothing is left half-written."""

import json

import pytest

from aduan.channels.gateways.whatsapp import signature
from aduan.channels.models import (
    BlockKind,
    Conversation,
    Message,
    MessageStatus,
    SenderBlock,
)
from aduan.reports.models import Report

from .test_whatsapp_journey import REPORT_TEXT
from .whatsapp import APP_SECRET, PATH, VERIFY_TOKEN, envelope, post_signed


def test_meta_subscribes_the_webhook_with_the_verify_token(world, client, graph, settings):
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    response = client.get(PATH, query)
    assert response.status_code == 200 and response.content == b"1158201444"
    assert client.get(PATH, query | {"hub.verify_token": "salah"}).status_code == 403
    assert client.get(PATH, query | {"hub.mode": "unsubscribe"}).status_code == 403
    assert client.get(PATH, {"hub.mode": "subscribe"}).status_code == 403
    # Only a harmless challenge is echoed.
    assert client.get(PATH, query | {"hub.challenge": "<script>x</script>"}).status_code == 400
    settings.WHATSAPP_APP_SECRET = ""
    assert client.get(PATH, query).status_code == 404


def test_a_webhook_without_meta_s_signature_is_refused_and_not_stored(world, client, whatsapp):
    message = whatsapp.message("text", {"body": REPORT_TEXT})
    assert whatsapp.deliver(message, secret="rahasia-lain").status_code == 403
    body = json.dumps(envelope({"messages": [message]})).encode()
    assert client.post(PATH, body, content_type="application/json").status_code == 403
    tampered = body.replace(b"berlubang", b"BERLUBANG")
    response = client.post(
        PATH,
        tampered,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=signature(APP_SECRET, body),
    )
    assert response.status_code == 403
    assert not Message.objects.exists() and not Conversation.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe\x00junk",
        b"[1, 2]",
        b'{"object": "page", "entry": []}',
        b'{"object": "whatsapp_business_account", "entry": "x"}',
        json.dumps(envelope({"messages": "x"})).encode(),
        json.dumps(envelope({"messages": [{"from": "6281350002222", "type": "text"}]})).encode(),
        json.dumps(
            envelope(
                {"messages": [{"from": "6281350002222", "id": "w1", "type": "text", "text": 5}]}
            )
        ).encode(),
        json.dumps(
            envelope(
                {
                    "messages": [
                        {
                            "from": "6281350002222",
                            "id": "w2",
                            "type": "location",
                            "location": {"latitude": "utara", "longitude": 117},
                        }
                    ]
                }
            )
        ).encode(),
        json.dumps(
            envelope(
                {
                    "messages": [
                        {
                            "from": "6281350002222",
                            "id": "w3",
                            "type": "location",
                            "location": {"latitude": 200, "longitude": 117},
                        }
                    ]
                }
            )
        ).encode(),
        json.dumps(envelope({"statuses": [{"id": "wamid.x", "status": 3}]})).encode(),
    ],
)
def test_malformed_payloads_are_400_and_store_nothing(world, client, graph, body):
    response = post_signed(client, body)
    assert response.status_code == 400
    assert response.json()["status"] == "refused"
    assert not Message.objects.exists()


def test_lone_surrogates_and_control_characters_are_not_a_500(world, client, graph):
    body = json.dumps(
        envelope(
            {
                "messages": [
                    {
                        "from": "6281350002222",
                        "id": "wamid.surrogate",
                        "type": "text",
                        "text": {
                            "body": "\ud800\x00\x07 Jalan rusak parah di depan SD 001 Sangatta"
                        },
                    }
                ]
            }
        )
    ).encode()
    assert post_signed(client, body).status_code == 200
    assert Message.objects.get().text == "Jalan rusak parah di depan SD 001 Sangatta"


def test_a_replayed_webhook_is_one_message(world, whatsapp):
    message = whatsapp.message("text", {"body": REPORT_TEXT}, wamid="wamid.SAMA")
    assert whatsapp.deliver(message).json()["status"] == "processed"
    assert whatsapp.deliver(message).json()["status"] == "duplicate"
    assert Message.objects.count() == 1
    assert len(whatsapp.inbox()) == 1


def test_a_report_sent_twice_is_one_report(world, whatsapp):
    for _ in range(2):
        whatsapp.send(REPORT_TEXT)
        whatsapp.send("Jl. Poros Sangatta-Bengalon KM 12")
        whatsapp.press("LEWATI")
        whatsapp.press("KIRIM")
    report = Report.objects.get()
    assert f"sudah kami terima ({report.tracking_number})" in whatsapp.inbox()[-1]


def test_unknown_and_other_peoples_tracking_numbers_get_the_same_answer(world, whatsapp):
    someone_elses = world.submit()
    whatsapp.send(f"CEK {someone_elses.tracking_number}")
    whatsapp.send("CEK PST-26-0000001-0")
    first, second = whatsapp.inbox()
    assert "tidak ditemukan" in first
    assert first.replace(someone_elses.tracking_number, "N") == second.replace(
        "PST-26-0000001-0", "N"
    )
    # A reply to a message that is not ours about a report starts a conversation.
    whatsapp.send("Jembatan kayu di Desa Singa Gembara lapuk", reply_to="wamid.tidak-dikenal")
    assert Conversation.objects.get().step == "where"


def test_a_10000_character_message_becomes_a_report_and_every_answer_fits(world, whatsapp):
    long = ("Jalan rusak parah di depan sekolah dasar, anak-anak sering jatuh. " * 160)[:10_000]
    assert whatsapp.send(long).status_code == 200
    whatsapp.send("Jl. Pendidikan, Sangatta Utara")
    whatsapp.press("LEWATI")
    summary = whatsapp.received()[-1]
    assert summary["type"] == "interactive" and len(summary["text"]) <= 1024
    whatsapp.press("KIRIM")
    assert len(Report.objects.get().body) == len(long.strip())


def test_binary_junk_and_stickers_are_answered_not_reported(world, whatsapp):
    junk = bytes(range(256)).decode("latin-1") * 4
    assert whatsapp.send(junk).status_code == 200
    assert "tidak dapat dibaca" in whatsapp.inbox()[-1]
    sticker = whatsapp.message(
        "sticker", {"id": "1234", "mime_type": "image/webp", "animated": False}
    )
    assert whatsapp.deliver(sticker).status_code == 200
    assert "hanya dapat membaca teks, foto" in whatsapp.inbox()[-1]
    assert not Report.objects.exists()


def test_a_file_that_is_not_a_photo_is_refused_by_the_upload_checks(world, whatsapp, settings):
    whatsapp.send_photo(b"<html><script>alert(1)</script></html>", caption=REPORT_TEXT)
    answer = whatsapp.inbox()[-1]
    assert "Di mana lokasinya?" in answer and "<script>" not in answer
    assert json.loads(Conversation.objects.get().data)["photos"] == []
    assert not (settings.MEDIA_ROOT / "channels").exists()


def test_a_flood_from_one_number_is_stored_not_acted_on(world, whatsapp, settings):
    settings.CHANNEL_SENDER_LIMIT = 5
    for number in range(8):
        whatsapp.send(f"Pesan ke-{number}: jalan rusak di Sangatta Utara dekat pasar")
    statuses = list(Message.objects.order_by("received_at", "pk").values_list("status", flat=True))
    assert statuses == [MessageStatus.PROCESSED] * 5 + [MessageStatus.RATE_LIMITED] * 3
    assert sum("Terlalu banyak pesan" in text for text in whatsapp.inbox()) == 1


def test_a_message_for_another_business_number_is_ignored(world, client, whatsapp):
    payload = envelope({"messages": [whatsapp.message("text", {"body": REPORT_TEXT})]})
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    response = post_signed(client, json.dumps(payload).encode())
    assert response.status_code == 200 and not Message.objects.exists()


def test_a_foreign_number_is_kept_and_not_answered(world, whatsapp):
    whatsapp.number = "14155550100"
    whatsapp.send(REPORT_TEXT)
    assert Message.objects.get().status == MessageStatus.INVALID_SENDER
    assert whatsapp.inbox() == []


def test_a_blocked_sender_is_stored_not_answered_and_its_photo_not_fetched(world, whatsapp, graph):
    from .test_whatsapp_journey import photo

    whatsapp.send(REPORT_TEXT)
    first = Message.objects.get()
    SenderBlock.objects.create(
        channel="whatsapp", kind=BlockKind.BLOCKED, address_lookup=first.sender_lookup
    )
    answered = len(whatsapp.inbox())
    whatsapp.send_photo(photo(), caption="Foto jalan rusak di KM 12 Sangatta")
    assert Message.objects.exclude(pk=first.pk).get().status == MessageStatus.BLOCKED
    assert len(whatsapp.inbox()) == answered
    assert graph.fetched == []


def test_staff_read_the_whatsapp_conversation_escaped_without_the_number(world, whatsapp, client):
    whatsapp.send('<script>alert("x")</script> <b>jalan</b> & got rusak di KM 7 Bengalon')
    whatsapp.share_location(0.5065, 117.5449, name="<i>Jl. Poros</i>")
    whatsapp.press("LEWATI")
    whatsapp.press("KIRIM")
    report = Report.objects.get()
    whatsapp.inbox()
    client.force_login(world.national_admin)
    html = client.get(f"/petugas/laporan/{report.tracking_number}/").content.decode()
    section = html[html.index('data-testid="channel-message"') :]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in section
    assert "&lt;i&gt;Jl. Poros&lt;/i&gt;" in section
    assert "<script>alert" not in html and "<i>Jl. Poros</i>" not in html
    assert "Pesan WhatsApp dari pelapor" in section
    assert "Pesan WhatsApp kepada pelapor" in section and "Pesan SMS" not in section
    assert "81350002222" not in html
    client.force_login(world.outsider)
    outsider = client.get(f"/petugas/laporan/{report.tracking_number}/")
    assert outsider.status_code in (403, 404)
