"""A citizen in Kutai Timur reports by WhatsApp, in a short guided conversation with a
shared location and a photo, and follows the report to its end on WhatsApp; staff work on
it in the workspace as usual."""

import io
import json
from decimal import Decimal

from PIL import Image

from aduan.channels.display import conversation
from aduan.channels.models import Conversation, Message, MessageStatus
from aduan.notifications import sms
from aduan.notifications.models import Notification
from aduan.reports import actions as a
from aduan.reports.models import EventType, Report, Visibility

REPORT_TEXT = (
    "Jalan poros Sangatta-Bengalon KM 12 berlubang besar, sudah 3 bulan, banyak motor jatuh."
)


def photo(make="Kamera Budi") -> bytes:
    """A camera's JPEG, with the maker in its EXIF data (dropped by the upload checks)."""
    exif = Image.Exif()
    exif[0x010F] = make
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 60)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_a_citizen_reports_by_whatsapp_with_a_location_and_a_photo_and_accepts(world, whatsapp):
    assert whatsapp.send("Halo").status_code == 200
    assert "Ceritakan apa yang terjadi" in whatsapp.inbox()[-1]
    whatsapp.send(REPORT_TEXT)
    assert "Di mana lokasinya?" in whatsapp.inbox()[-1]
    whatsapp.share_location(
        0.5065, 117.5449, name="Jl. Poros Sangatta-Bengalon", address="Sangatta Utara"
    )
    asked = whatsapp.received()[-1]
    assert "Ada foto?" in asked["text"] and asked["buttons"] == ["LEWATI"]
    whatsapp.send_photo(photo())
    summary = whatsapp.received()[-1]
    assert summary["type"] == "interactive" and summary["buttons"] == ["KIRIM", "BATAL"]
    assert "Jl. Poros Sangatta-Bengalon, Sangatta Utara (0.50650, 117.54490)" in summary["text"]
    assert "Foto: 1" in summary["text"] and "berlubang besar" in summary["text"]
    assert not Report.objects.exists()

    whatsapp.press("KIRIM", "Kirim")
    report = Report.objects.get()
    assert report.channel == "whatsapp"
    assert (
        report.title
        == "Jalan poros Sangatta-Bengalon KM 12 berlubang besar, sudah 3 bulan, banyak..."
    )
    assert report.body == REPORT_TEXT
    assert (report.latitude, report.longitude) == (Decimal("0.506500"), Decimal("117.544900"))
    assert report.address == "Jl. Poros Sangatta-Bengalon, Sangatta Utara"
    assert report.reporter.phone == "+6281350002222"
    assert report.reporter.contact_verified_at is not None
    attachment = report.attachments.get()
    assert attachment.visibility == Visibility.PARTIES and attachment.uploaded_by_reporter
    assert attachment.content_type == "image/jpeg"
    assert b"Kamera Budi" not in attachment.file.read()
    assert not Conversation.objects.exists()
    # The whole conversation is the report's: staff read the original messages.
    assert Message.objects.filter(report=report).count() == 5
    assert set(Message.objects.values_list("kind", flat=True)) == {
        "text",
        "location",
        "image",
        "interactive",
    }

    submitted = whatsapp.received()[-1]
    assert report.tracking_number in submitted["text"] and "kunci=" in submitted["text"]
    sent = Notification.objects.get(template="report_submitted")
    assert sent.channel == "whatsapp" and sent.provider_id == submitted["id"]
    assert sent.delivery_status == "queued"
    for status in ("sent", "delivered", "read"):
        assert whatsapp.status(sent.provider_id, status).status_code == 200
    sent.refresh_from_db()
    assert sent.delivery_status == "read"

    a.put_on_hold(report, "Di sisi mana jalan, dekat bangunan apa?", actor=world.national_admin)
    question = whatsapp.received()[-1]
    assert "Di sisi mana jalan" in question["text"]
    # The citizen swipes to reply to the question.
    whatsapp.send("Dekat masjid Al-Ikhlas, sisi kanan dari Sangatta", reply_to=question["id"])
    report.refresh_from_db()
    assert report.status == "submitted"
    added = report.events.get(type=EventType.INFORMATION_ADDED)
    assert added.actor_role == "reporter"
    assert added.payload["text"] == "Dekat masjid Al-Ikhlas, sisi kanan dari Sangatta"
    assert "diteruskan ke petugas" in whatsapp.inbox()[-1]

    report = a.dispose_report(report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin)
    report = a.acknowledge_report(report, actor=world.officer)
    report = a.post_follow_up(
        report, "Lubang sudah ditambal aspal pada 3 Maret oleh tim UPT Jalan.", actor=world.officer
    )
    answer = whatsapp.received()[-1]
    assert "Lubang sudah ditambal aspal" in answer["text"]
    number = report.tracking_number
    assert answer["buttons"] == [f"TERIMA {number}", f"BANDING {number}"]

    whatsapp.press(f"TERIMA {number}", "Terima")
    report.refresh_from_db()
    assert report.status == "closed"
    assert report.events.filter(type=EventType.ACCEPTED, actor_role="reporter").exists()
    assert "selesai" in whatsapp.inbox()[-1]

    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.PROCESSED}
    # Everything went on WhatsApp: no SMS, no e-mail.
    assert sms.outbox == []
    assert (
        not Notification.objects.exclude(channel="whatsapp")
        .filter(audience__in=("reporter", "sender"))
        .exists()
    )
    lines = conversation(report)
    assert any(
        line.incoming and line.text.startswith("[lokasi] 0.506500, 117.544900") for line in lines
    )
    assert any(line.channel == "WhatsApp" and line.status == "Dibaca" for line in lines)
    secret = json.loads(sent.private_context)["secret"]
    assert all(secret not in line.text for line in lines)


def test_a_caption_tells_what_happened_and_lewati_skips_the_photo(world, whatsapp):
    whatsapp.send_photo(photo(), caption="Sampah menumpuk di pasar induk Sangatta dua minggu")
    assert "Di mana lokasinya?" in whatsapp.inbox()[-1]
    whatsapp.send("Pasar Induk Sangatta, Jl. Yos Sudarso")
    assert "Periksa laporan Anda" in whatsapp.inbox()[-1]
    whatsapp.press("KIRIM")
    report = Report.objects.get()
    assert report.address == "Pasar Induk Sangatta, Jl. Yos Sudarso" and report.latitude is None
    assert report.attachments.count() == 1

    whatsapp.send("Lampu jalan di Jl. Yos Sudarso mati sejak seminggu yang lalu")
    whatsapp.send("Depan kantor camat")
    whatsapp.press("LEWATI", "Lewati")
    assert "Foto: 0" in whatsapp.inbox()[-1]
    whatsapp.send("ya")
    assert Report.objects.count() == 2


def test_batal_drops_the_conversation_and_its_photo(
    world, whatsapp, settings, django_capture_on_commit_callbacks
):
    whatsapp.send_photo(photo(), caption="Pohon tumbang menutup jalan di Sangatta Selatan")
    pending = Conversation.objects.get()
    assert (settings.MEDIA_ROOT / "channels" / "pending").exists()
    assert len(list((settings.MEDIA_ROOT / "channels" / "pending").iterdir())) == 1
    with django_capture_on_commit_callbacks(execute=True):
        whatsapp.send("batal")
    assert "Laporan dibatalkan" in whatsapp.inbox()[-1]
    assert not Conversation.objects.filter(pk=pending.pk).exists()
    assert list((settings.MEDIA_ROOT / "channels" / "pending").iterdir()) == []
    assert not Report.objects.exists()


def test_a_photo_sent_as_a_reply_to_the_question_is_attached_to_the_report(world, whatsapp):
    whatsapp.send(REPORT_TEXT)
    whatsapp.send("Jl. Poros Sangatta-Bengalon KM 12")
    whatsapp.press("LEWATI")
    whatsapp.press("KIRIM")
    report = Report.objects.get()
    a.put_on_hold(report, "Boleh kirim foto lubangnya?", actor=world.national_admin)
    question = whatsapp.received()[-1]
    whatsapp.send_photo(photo(), caption="Ini fotonya, diambil pagi tadi", reply_to=question["id"])
    report.refresh_from_db()
    assert report.status == "submitted"
    added = report.events.get(type=EventType.INFORMATION_ADDED)
    assert added.payload["text"] == "Ini fotonya, diambil pagi tadi"
    attachment = report.attachments.get()
    assert attachment.uploaded_by_reporter and attachment.visibility == Visibility.PARTIES
    assert not Conversation.objects.exists()


def test_an_unfinished_conversation_expires_with_its_photo(
    world, whatsapp, settings, django_capture_on_commit_callbacks
):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    start = timezone.now()
    whatsapp.send_photo(photo(), caption="Pohon tumbang menutup jalan di Sangatta Selatan")
    pending = settings.MEDIA_ROOT / "channels" / "pending"
    assert len(list(pending.iterdir())) == 1
    later = start + dt.timedelta(minutes=settings.WHATSAPP_CONVERSATION_MINUTES + 1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        whatsapp.send("Lampu jalan di Jl. Yos Sudarso mati sejak seminggu yang lalu")
    state = json.loads(Conversation.objects.get().data)
    assert state["what"].startswith("Lampu jalan") and state["photos"] == []
    assert list(pending.iterdir()) == []


def test_a_status_posted_to_the_status_path_is_recorded(world, whatsapp, client):
    from .whatsapp import envelope, post_signed

    whatsapp.send(REPORT_TEXT)
    sent = whatsapp.received()[-1]
    status = {"id": sent["id"], "status": "delivered", "timestamp": "1", "recipient_id": "x"}
    body = json.dumps(envelope({"statuses": [status]})).encode()
    response = post_signed(client, body, path="/channels/whatsapp/cloud/status")
    assert response.json() == {"status": "recorded"}
    assert Notification.objects.get(provider_id=sent["id"]).delivery_status == "delivered"
