"""Staff and the reporter read a report's SMS; nothing from a message is rendered
unescaped, and the sender's number and the secret link stay out of the pages."""

import re

from aduan.reports.models import Report

from .conftest import CITIZEN_PHONE

HOSTILE = 'LAPOR <script>alert("x")</script> <b>jalan</b> & got rusak di KM 7 Bengalon'


def test_staff_read_the_messages_of_an_sms_report_escaped(world, phone, client):
    phone.send(HOSTILE)
    report = Report.objects.get()
    phone.inbox()
    client.force_login(world.national_admin)
    html = client.get(f"/petugas/laporan/{report.tracking_number}/").content.decode()
    section = html[html.index('data-testid="channel-message"') :]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in section
    assert "<script>alert" not in html and "<b>jalan</b>" not in html
    assert "Pesan SMS dari pelapor" in section and "Pesan SMS kepada pelapor" in section
    # One history: the message, then the report it made, then the answer with its number.
    timeline = html[html.index('id="riwayat"') :]
    came_in = timeline.index("Pesan SMS dari pelapor")
    submitted = timeline.index("<strong>Laporan diterima</strong>")
    answered = timeline.index("Pesan SMS kepada pelapor")
    assert came_in < submitted < answered
    assert "Diterima operator" in section  # Twilio queued the SMS
    assert report.tracking_number in section
    assert CITIZEN_PHONE not in html and "81350001111" not in html
    assert not re.search(r"kunci=[A-Za-z0-9_-]{10}", html)


def test_the_reporter_reads_the_conversation_through_the_secret_link(world, phone, client):
    phone.send(HOSTILE)
    report = Report.objects.get()
    link = re.search(r"https://[^ ]+(/lacak/[^ ]+)", phone.inbox()[0]).group(1)
    page = client.get(link, follow=True)
    html = page.content.decode()
    assert 'data-testid="channel-message"' in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert report.tracking_number in html


def test_an_outsider_sees_no_conversation(world, phone, client):
    phone.send(HOSTILE)
    report = Report.objects.get()
    client.force_login(world.outsider)
    response = client.get(f"/lacak/{report.tracking_number}/")
    html = response.content.decode()
    assert response.status_code in (200, 404)  # not public before disposition
    assert "channel-message" not in html and "script&gt;" not in html
