"""A citizen in Kutai Timur reports by e-mail: real SMTP conversations with the listener
(`run_mail_listener`), which the tests start on a free port, and the answers read from
the outbox as the worker sends them."""

import io
import re
import smtplib
import uuid
from email.message import EmailMessage
from unittest import mock

import pytest
from django.core import mail
from django.db import OperationalError, connection
from PIL import Image

from aduan.channels import listener
from aduan.channels.display import conversation
from aduan.channels.models import Message
from aduan.notifications.models import DeadLetter, Notification
from aduan.reports import actions as a
from aduan.reports.models import EventType, Report
from conftest import World, run_tasks

SITE = "https://aduan.kutaitimurkab.go.id"
INTAKE = "lapor@aduan.kutaitimurkab.go.id"
CITIZEN = "budi.santoso@example.com"

pytestmark = pytest.mark.django_db(transaction=True)


def png_bytes(colour="red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), colour).save(buffer, "PNG")
    return buffer.getvalue()


def smtp(port: int, raw: bytes, *, mail_from: str = CITIZEN, rcpt: str = INTAKE):
    """One SMTP conversation; the server's last answer as (code, text). Lines end in CRLF
    on the wire (smtplib converts only a str)."""
    raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo()
        code, answer = client.mail(mail_from)
        if code == 250:
            code, answer = client.rcpt(rcpt)
        if code == 250:
            try:
                code, answer = client.data(raw)
            except smtplib.SMTPDataError as error:
                code, answer = error.smtp_code, error.smtp_error
    return code, answer.decode()


class Citizen:
    """A mailbox: what it sends to Aduan by SMTP, and the mail Aduan sent it."""

    def __init__(self, port, address=CITIZEN):
        self.port, self.address = port, address

    def send(self, text, *, subject="", files=(), in_reply_to="", headers=None, address=None):
        message = EmailMessage()
        message["From"] = f"Budi Santoso <{address or self.address}>"
        message["To"] = INTAKE
        message["Subject"] = subject
        message["Message-ID"] = f"<{uuid.uuid4().hex}@mail.example.com>"
        if in_reply_to:
            message["In-Reply-To"] = in_reply_to
            message["References"] = in_reply_to
        for name, value in (headers or {}).items():
            message[name] = value
        message.set_content(text)
        for name, content in files:
            maintype, subtype = ("image", "png") if name.endswith(".png") else ("text", "plain")
            message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
        return smtp(self.port, message.as_bytes(), mail_from=address or self.address)

    def inbox(self):
        run_tasks()
        return [m for m in mail.outbox if [to.lower() for to in m.to] == [self.address]]


@pytest.fixture
def intake(settings):
    settings.SITE_URL = SITE
    settings.EMAIL_INTAKE_ADDRESS = INTAKE
    settings.EMAIL_INTAKE_RECIPIENTS = [INTAKE]
    settings.DEFAULT_FROM_EMAIL = "Aduan Kutai Timur <noreply@aduan.kutaitimurkab.go.id>"
    port = listener.free_port()
    controller = listener.start("127.0.0.1", port)
    yield port
    controller.stop()


@pytest.fixture
def citizen(intake):
    return Citizen(intake)


def test_a_citizen_reports_by_email_answers_by_replying_and_accepts(citizen):
    world = World()
    code, answer = citizen.send(
        "Jalan poros Sangatta-Bengalon KM 12 berlubang besar, sudah 3 bulan.\n"
        "Banyak motor jatuh setiap malam.",
        subject="Jalan berlubang di KM 12",
        files=[("lubang.png", png_bytes())],
    )
    assert code == 250 and "processed" in answer

    report = Report.objects.get()
    assert (report.channel, report.title) == ("email", "Jalan berlubang di KM 12")
    assert "Banyak motor jatuh" in report.body
    assert report.reporter.email == CITIZEN
    # A From address can be forged: not a verified contact (an SMS sender's number is).
    assert report.reporter.contact_verified_at is None
    # The photo went through the web's upload checks and is private until published.
    photo = report.attachments.get()
    assert (photo.content_type, photo.visibility) == ("image/png", "parties")
    message = Message.objects.get()
    assert (message.status, message.command, message.report) == ("processed", "lapor", report)
    assert message.report.tracking_number in answer
    # The address and the text are encrypted at rest, as a web reporter's are.
    with connection.cursor() as cursor:
        cursor.execute("SELECT sender, text FROM channels_message")
        stored = " ".join(str(cell) for row in cursor.fetchall() for cell in row)
    assert CITIZEN not in stored and "motor jatuh" not in stored
    assert message.text.startswith("Jalan berlubang di KM 12\n\nJalan poros")

    [received] = citizen.inbox()
    assert report.tracking_number in received.subject and report.tracking_number in received.body
    assert received.extra_headers["Reply-To"] == INTAKE
    assert received.extra_headers["Auto-Submitted"] == "auto-generated"

    a.put_on_hold(report, "Di sisi mana jalan, dekat bangunan apa?", actor=world.national_admin)
    question = citizen.inbox()[-1]
    assert "Di sisi mana jalan" in question.body
    # The answer, threaded by In-Reply-To, quoting the question as mail programs do.
    code, _ = citizen.send(
        "Dekat masjid Al-Ikhlas, sisi kanan dari Sangatta.\n\n"
        "On Mon, 8 Mar 2027 at 09:00, Aduan <noreply@aduan.kutaitimurkab.go.id> wrote:\n"
        "> Di sisi mana jalan, dekat bangunan apa?\n",
        subject="Re: " + question.subject,
        in_reply_to=question.extra_headers["Message-ID"],
        files=[("lokasi.png", png_bytes("blue"))],
    )
    assert code == 250
    report.refresh_from_db()
    assert report.status == "submitted"
    added = report.events.get(type=EventType.INFORMATION_ADDED)
    assert added.actor_role == "reporter"
    assert added.payload["text"] == "Dekat masjid Al-Ikhlas, sisi kanan dari Sangatta."
    assert report.attachments.count() == 2
    receipt = citizen.inbox()[-1]
    assert "diteruskan ke petugas" in receipt.body
    assert report.tracking_number in receipt.subject
    assert receipt.extra_headers["In-Reply-To"].endswith("@mail.example.com>")

    report = a.dispose_report(report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin)
    report = a.acknowledge_report(report, actor=world.officer)
    report = a.post_follow_up(
        report, "Lubang sudah ditambal aspal pada 3 Maret oleh tim UPT Jalan.", actor=world.officer
    )
    answered = citizen.inbox()[-1]
    assert "Lubang sudah ditambal aspal" in answered.body

    # Accepting through the subject's tracking number alone (a new mail, no In-Reply-To).
    code, _ = citizen.send("TERIMA", subject=f"Laporan {report.tracking_number}")
    assert code == 250
    report.refresh_from_db()
    assert report.status == "closed"
    assert report.events.filter(type=EventType.ACCEPTED, actor_role="reporter").exists()
    assert "selesai" in citizen.inbox()[-1].subject

    # Nothing was sent by SMS; staff read the conversation, the messages included.
    assert not Notification.objects.filter(channel="sms").exists()
    lines = conversation(report)
    assert sum(line.incoming for line in lines) == 3
    assert any("Lubang sudah ditambal" in line.text for line in lines if not line.incoming)


def test_only_the_reporter_acts_on_a_report_and_unknown_numbers_are_answered(citizen):
    World()
    citizen.send("Lampu jalan di Jl. Yos Sudarso mati sejak seminggu.", subject="Lampu mati")
    report = Report.objects.get()
    [submitted] = citizen.inbox()

    other = Citizen(citizen.port, "orang.lain@example.com")
    code, _ = other.send(
        "TERIMA",
        subject="Re: " + submitted.subject,
        in_reply_to=submitted.extra_headers["Message-ID"],
    )
    assert code == 250
    report.refresh_from_db()
    assert report.status == "submitted"
    assert not report.events.filter(type=EventType.ACCEPTED).exists()
    assert "tidak ditemukan untuk alamat surel ini" in other.inbox()[-1].body

    citizen.send("CEK PST-26-9999999-0")
    assert "tidak ditemukan" in citizen.inbox()[-1].body
    assert Report.objects.count() == 1
    # "Terima kasih" is a sentence, not the keyword: a reply, not an acceptance.
    citizen.send("Terima kasih, ditunggu.", in_reply_to=submitted.extra_headers["Message-ID"])
    report.refresh_from_db()
    assert report.status == "submitted"
    assert report.events.filter(type=EventType.INFORMATION_ADDED).exists()


def raw_mail(headers: str, body: str = "Jalan rusak parah di depan pasar Sangatta.") -> bytes:
    return (headers.strip() + "\r\n\r\n" + body + "\r\n").encode()


ROBOTS = [
    ("automatic reply", CITIZEN, "Auto-Submitted: auto-replied"),
    ("vacation responder", CITIZEN, "X-Autoreply: yes"),
    ("bulk mail", CITIZEN, "Precedence: bulk"),
    ("auto_reply", CITIZEN, "Precedence: auto_reply"),
    ("bounce with a null sender", "", "X-Failed-Recipients: budi@example.com"),
    (
        "delivery status notification",
        "mailer-daemon@mail.example.com",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
    ),
    (
        "our own message",
        CITIZEN,
        f"X-Loop: x\r\nMessage-ID: <notification-{uuid.uuid4()}@aduan.kutaitimurkab.go.id>",
    ),
]


def test_bounces_automatic_replies_and_loops_are_dropped_unanswered(citizen):
    World()
    for reason, envelope_sender, header in ROBOTS:
        body = "Jalan rusak parah di depan pasar Sangatta."
        if "multipart/report" in header:
            body = (
                "--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
                "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
                "Final-Recipient: rfc822; budi@example.com\r\nAction: failed\r\n"
                "Status: 5.1.1\r\n--b--"
            )
        sender = envelope_sender or "mailer-daemon@mail.example.com"
        raw = raw_mail(f"From: {sender}\r\nTo: {INTAKE}\r\nSubject: {reason}\r\n{header}", body)
        code, answer = smtp(citizen.port, raw, mail_from=envelope_sender)
        assert (code, "not answered") == (250, answer.split("(")[-1].rstrip(")")), reason
    # Our own address as the sender is a loop too.
    code, _ = smtp(
        citizen.port,
        raw_mail(f"From: noreply@aduan.kutaitimurkab.go.id\r\nTo: {INTAKE}\r\nSubject: x"),
        mail_from="noreply@aduan.kutaitimurkab.go.id",
    )
    assert code == 250
    assert not Message.objects.exists() and not Report.objects.exists()
    run_tasks()
    assert mail.outbox == []


def test_bad_input_is_answered_or_refused_and_never_half_written(citizen, settings):
    World()
    # Malformed MIME: a multipart whose boundary never comes.
    code, _ = smtp(
        citizen.port,
        raw_mail(
            f'From: {CITIZEN}\r\nTo: {INTAKE}\r\nContent-Type: multipart/mixed; boundary="zz"',
            "no parts at all",
        ),
    )
    assert code == 250
    # Binary junk as text.
    headers = f"From: {CITIZEN}\r\nTo: {INTAKE}\r\nContent-Type: text/plain; charset=utf-8"
    code, _ = smtp(citizen.port, headers.encode() + b"\r\n\r\n" + bytes(range(256)) * 8)
    assert code == 250
    # A file the web refuses: the whole message is refused, nothing written.
    code, _ = citizen.send(
        "Foto terlampir, jembatan retak di Desa Swarga Bara.",
        subject="Jembatan retak",
        files=[("catatan.txt", b"bukan foto")],
    )
    assert code == 250
    assert not Report.objects.exists()
    refusals = [m.body for m in citizen.inbox()]
    assert any("tidak didukung" in body for body in refusals)
    assert {m.status for m in Message.objects.all()} == {"refused"}

    # A 10,000-character message is a report like any other.
    long_text = ("Saluran air tersumbat sampah plastik di Jl. Pendidikan. " * 180)[:10_000]
    code, _ = citizen.send(long_text, subject="Saluran tersumbat")
    assert code == 250
    assert Report.objects.get().body == long_text.strip()

    # The same message twice (the sending server retried): acted on once.
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = CITIZEN, INTAKE, "Sampah"
    message["Message-ID"] = "<sama@mail.example.com>"
    message.set_content("Sampah menumpuk di TPS Jl. Diponegoro sudah dua minggu.")
    assert smtp(citizen.port, message.as_bytes())[1].split()[2] == "processed"
    assert smtp(citizen.port, message.as_bytes())[1].split()[2] == "duplicate"
    assert Report.objects.count() == 2

    # HTML only: the text is read, scripts dropped, nothing kept as markup.
    html = EmailMessage()
    html["From"], html["To"], html["Subject"] = CITIZEN, INTAKE, "Banjir <b>lagi</b>"
    html.set_content(
        "<html><head><style>p{}</style></head><body><p>Banjir &amp; longsor di "
        "Jl. Soekarno-Hatta</p><script>alert(1)</script><p>sejak pagi.</p></body></html>",
        subtype="html",
    )
    assert smtp(citizen.port, html.as_bytes())[0] == 250
    report = Report.objects.get(title__startswith="Banjir")
    assert report.body == "Banjir & longsor di Jl. Soekarno-Hatta\n\nsejak pagi."
    assert "alert" not in report.body and "<" not in report.body

    # Another recipient is refused at RCPT: the listener is not a relay.
    assert smtp(citizen.port, b"x", rcpt="direktur@kutaitimurkab.go.id")[0] == 550
    assert Report.objects.count() == 3


def test_a_flood_from_one_address_is_stored_not_acted_on(citizen, settings):
    World()
    settings.CHANNEL_SENDER_LIMIT = 3
    for n in range(5):
        citizen.send(f"Laporan nomor {n}: jalan rusak di RT {n} Kelurahan Teluk Lingga.")
    assert Report.objects.count() == 3
    statuses = list(Message.objects.order_by("received_at").values_list("status", flat=True))
    assert statuses == ["processed"] * 3 + ["rate_limited"] * 2
    told = [m for m in citizen.inbox() if "Terlalu banyak pesan" in m.body]
    assert len(told) == 1
    # More than the channel takes per minute: the sending server is told to retry later.
    settings.CHANNEL_RATE_PER_MINUTE = 5
    other = Citizen(citizen.port, "warga.lain@example.com")
    assert other.send("Jembatan Sangatta Lama retak di tiang kedua.")[0] == 451
    assert Message.objects.count() == 5


def test_a_database_failure_answers_451_and_writes_nothing(citizen):
    World()
    with mock.patch.object(listener, "receive", side_effect=OperationalError("down")):
        code, _ = citizen.send("Jalan rusak di depan SDN 001.", subject="Jalan rusak")
    assert code == 451
    assert not Message.objects.exists() and not Report.objects.exists()


def test_a_message_over_the_size_limit_is_refused(settings):
    settings.EMAIL_INTAKE_ADDRESS = INTAKE
    settings.EMAIL_INTAKE_RECIPIENTS = [INTAKE]
    settings.EMAIL_INTAKE_MAX_BYTES = 2000
    port = listener.free_port()
    controller = listener.start("127.0.0.1", port)
    try:
        code, _ = Citizen(port).send("x " * 2000, subject="besar")
    finally:
        controller.stop()
    assert code == 552
    assert not Message.objects.exists()


def test_simulate_inbound_sends_an_email_with_a_file_and_prints_the_answer(citizen, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    World()
    photo = tmp_path / "foto.png"
    photo.write_bytes(png_bytes())
    out = StringIO()
    call_command(
        "simulate_inbound",
        "email",
        "--from",
        CITIZEN,
        "--subject",
        "Pohon tumbang",
        "--text",
        "Pohon tumbang menutup Jl. APT Pranoto, kendaraan tidak bisa lewat.",
        "--file",
        str(photo),
        "--url",
        f"smtp://127.0.0.1:{citizen.port}",
        stdout=out,
    )
    report = Report.objects.get()
    output = out.getvalue()
    assert "status: processed" in output and f"report: {report.tracking_number}" in output
    assert f"< Subject: Laporan {report.tracking_number} telah diterima" in output
    assert report.attachments.count() == 1


def test_a_bounce_of_a_mail_to_the_reporter_makes_it_a_dead_letter(citizen):
    World()
    citizen.send("Lampu jalan di Jl. Yos Sudarso mati sejak seminggu.", subject="Lampu mati")
    [sent] = citizen.inbox()
    notification = Notification.objects.get(template="report_submitted", channel="email")
    assert notification.status == "sent"
    bounce = (
        "From: MAILER-DAEMON@mail.example.com\r\nTo: noreply@aduan.kutaitimurkab.go.id\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nContent-Type: multipart/report; "
        'report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mail.example.com\r\n\r\n"
        f"Final-Recipient: rfc822; {CITIZEN}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {sent.extra_headers['Message-ID']}\r\n--b--\r\n"
    )
    code, answer = smtp(citizen.port, bounce.encode(), mail_from="")
    assert (code, answer) == (250, "2.0.0 OK (bounce recorded)")
    notification.refresh_from_db()
    assert (notification.status, notification.delivery_status) == ("failed", "failed")
    assert "5.1.1" in notification.last_error
    assert DeadLetter.objects.filter(pk=notification.pk).exists()
    # The bounce itself is no message from a citizen, and is not answered.
    assert Message.objects.count() == 1 and len(citizen.inbox()) == 1


def test_a_reporter_who_typed_capitals_on_the_web_is_recognised_by_email(citizen):
    from aduan.reports.actions import ReporterDetails, submit_report
    from aduan.reports.actors import Actor

    World()
    report = submit_report(
        {"title": "Sampah menumpuk", "body": "Sampah menumpuk di TPS Jl. Diponegoro."},
        actor=Actor(),
        reporter=ReporterDetails(email="Budi.Santoso@Example.com"),
    ).report
    [submitted] = citizen.inbox()
    code, _ = citizen.send(
        "Sudah dua minggu tidak diangkut.", in_reply_to=submitted.extra_headers["Message-ID"]
    )
    assert code == 250
    added = report.events.get(type=EventType.INFORMATION_ADDED)
    assert added.payload["text"] == "Sudah dua minggu tidak diangkut."


def test_staff_read_an_email_report_escaped_without_the_address(citizen, client):
    world = World()
    citizen.send(
        '<script>alert("x")</script> <b>jalan</b> & got rusak di KM 7 Bengalon',
        subject="<img src=x onerror=alert(1)> Got rusak",
    )
    report = Report.objects.get()
    citizen.inbox()
    client.force_login(world.national_admin)
    html = client.get(f"/petugas/laporan/{report.tracking_number}/").content.decode()
    section = html[html.index('data-testid="channel-message"') :]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in section
    assert "&lt;img src=x onerror=alert(1)&gt; Got rusak" in section
    assert "<script>alert" not in html and "<b>jalan</b>" not in html and "<img src=x" not in html
    assert "Pesan Surel dari pelapor" in section and "Pesan Surel kepada pelapor" in section
    assert CITIZEN not in html
    assert not re.search(r"kunci=[A-Za-z0-9_-]{10}", html)


TRUSTED_MX = "mx.kutaitimurkab.go.id"


def test_behind_a_checking_mail_server_forged_mail_is_dropped_and_proven_mail_verified(
    citizen, settings
):
    World()
    settings.EMAIL_AUTHSERV_ID = TRUSTED_MX
    # Someone writes "From: budi@…" without the right to: the server's DMARC check failed.
    code, answer = citizen.send(
        "Jalan rusak di KM 7 Bengalon, mohon segera diperbaiki.",
        subject="Jalan rusak",
        headers={"Authentication-Results": f"{TRUSTED_MX}; dmarc=fail header.from=example.com"},
    )
    assert code == 250 and "not answered" in answer
    assert not Report.objects.exists() and not Message.objects.exists()
    assert citizen.inbox() == []  # no answer to a forged address

    code, answer = citizen.send(
        "Jalan rusak di KM 7 Bengalon, mohon segera diperbaiki.",
        subject="Jalan rusak",
        headers={"Authentication-Results": f"{TRUSTED_MX}; dmarc=pass header.from=example.com"},
    )
    assert code == 250 and "processed" in answer
    report = Report.objects.get()
    assert report.reporter.contact_verified_at is not None
    [received] = citizen.inbox()
    assert report.tracking_number in received.subject
