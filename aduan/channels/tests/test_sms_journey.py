"""A citizen in Kutai Timur reports by SMS through Twilio and follows the report to its
end by SMS, the staff working on it in the workspace as usual."""

from aduan.channels import gsm
from aduan.channels.models import Message, MessageStatus
from aduan.notifications.models import Notification
from aduan.reports import actions as a
from aduan.reports.actors import Actor
from aduan.reports.models import EventType, Report, Status

from .conftest import CITIZEN_PHONE


def fits(texts):
    return all(gsm.segments(t).count <= 2 for t in texts)


def test_a_citizen_reports_answers_and_accepts_by_sms(world, any_phone):
    phone = any_phone
    response = phone.send(
        "LAPOR Jalan poros Sangatta-Bengalon KM 12 berlubang besar, sudah 3 bulan, "
        "banyak motor jatuh."
    )
    assert response.status_code == 200
    if response["Content-Type"] == "text/xml":  # Twilio: an empty TwiML answer
        assert b"<Message>" not in response.content  # answers go through the outbox only

    report = Report.objects.get()
    assert report.channel == "sms"
    assert report.reporter.phone == CITIZEN_PHONE
    assert report.reporter.contact_verified_at is not None
    assert report.title.startswith("Jalan poros Sangatta-Bengalon")
    message = Message.objects.get()
    assert (message.status, message.command, message.report) == ("processed", "lapor", report)

    inbox = phone.inbox()
    assert len(inbox) == 1 and report.tracking_number in inbox[0]
    assert f"CEK {report.tracking_number}" in inbox[0]
    sent = Notification.objects.get(template="report_submitted")
    assert sent.provider_id and sent.delivery_status == "queued"
    assert phone.status(sent.provider_id, "sent").status_code == 200
    assert phone.status(sent.provider_id, "delivered").status_code == 200
    sent.refresh_from_db()
    assert sent.delivery_status == "delivered"

    a.put_on_hold(report, "Di sisi mana jalan, dekat bangunan apa?", actor=world.national_admin)
    asked = phone.inbox()[-1]
    assert "Di sisi mana jalan" in asked and f"BALAS {report.tracking_number}" in asked

    phone.send(f"balas {report.tracking_number} Dekat masjid Al-Ikhlas, sisi kanan dari Sangatta")
    report.refresh_from_db()
    assert report.status == "submitted"
    added = report.events.get(type=EventType.INFORMATION_ADDED)
    assert added.actor_role == "reporter"
    assert added.payload["text"] == "Dekat masjid Al-Ikhlas, sisi kanan dari Sangatta"
    assert "diteruskan ke petugas" in phone.inbox()[-1]

    report = a.dispose_report(report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin)
    report = a.acknowledge_report(report, actor=world.officer)
    report = a.post_follow_up(
        report, "Lubang sudah ditambal aspal pada 3 Maret oleh tim UPT Jalan.", actor=world.officer
    )
    answer = phone.inbox()[-1]
    assert "Lubang sudah ditambal aspal" in answer and f"TERIMA {report.tracking_number}" in answer

    phone.send(f"TERIMA {report.tracking_number}")
    report.refresh_from_db()
    assert report.status == "closed"
    assert report.events.filter(type=EventType.ACCEPTED, actor_role="reporter").exists()
    assert "selesai" in phone.inbox()[-1]

    texts = phone.inbox()
    # tracking number, disposition, acknowledgement, question, reply receipt, answer, closing
    assert len(texts) >= 6 and fits(texts)
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.PROCESSED}
    # Nothing was sent by e-mail: the reporter has no address, and SMS is their channel.
    assert not Notification.objects.filter(channel="email", audience="reporter").exists()


def test_cek_answers_the_status_and_what_the_reporter_may_do(world, phone):
    phone.send("Lampu jalan di Jl. Yos Sudarso mati sejak seminggu yang lalu")
    report = Report.objects.get()
    a.put_on_hold(report, "Nomor tiang lampunya?", actor=world.national_admin)
    phone.send(f"cek {report.tracking_number.replace('-', ' ')}")
    text = phone.inbox()[-1]
    assert text.startswith(f"Laporan {report.tracking_number}: Menunggu informasi pelapor.")
    assert f"BALAS {report.tracking_number}" in text


def test_a_reporter_contests_the_answer_by_sms(world, phone):
    phone.send("LAPOR Sampah menumpuk di pasar induk Sangatta tidak diangkut dua minggu")
    report = Report.objects.get()
    report = a.dispose_report(report, world.pemkab, unit=world.dlh, actor=world.national_admin)
    report = a.acknowledge_report(report, actor=world.dlh_officer)
    a.post_follow_up(report, "Sudah diangkut.", actor=world.dlh_officer)
    phone.send(f"BANDING {report.tracking_number} Belum diangkut, masih menumpuk hari ini")
    report.refresh_from_db()
    assert report.status == "in_progress" and report.appeal_used and report.is_escalated


def test_a_keyword_the_report_is_not_ready_for_is_answered_plainly(world, phone):
    phone.send("LAPOR Pohon tumbang menutup jalan di Sangatta Selatan sejak pagi")
    report = Report.objects.get()
    phone.send(f"TERIMA {report.tracking_number}")
    report.refresh_from_db()
    assert report.status == "submitted"
    answer = phone.inbox()[-1]
    assert answer == (
        f"{report.tracking_number}: laporan berstatus Menunggu verifikasi; perintah ini "
        "tidak dapat dilakukan sekarang."
    )
    assert "accept" not in answer
    a.withdraw_report(report, actor=Actor(reporter_id=report.reporter_id))
    phone.send(f"BALAS {report.tracking_number} masih ada")
    assert f"berstatus {Status.WITHDRAWN.label};" in phone.inbox()[-1]
    assert Message.objects.filter(status=MessageStatus.REFUSED).count() == 2
