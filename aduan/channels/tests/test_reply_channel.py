"""The reporter chooses the channel they hear about their reports on; staff answers go
back on the channel the citizen used unless the citizen chose another."""

from django.urls import reverse

from aduan.notifications.models import Notification
from aduan.reports import actions as a
from aduan.reports.actions import ReporterDetails, submit_report
from aduan.reports.actors import Actor
from aduan.reports.models import Report


def guest_report(**reporter):
    result = submit_report(
        {
            "title": "Sampah menumpuk di pasar",
            "body": "Sampah tidak diangkut seminggu dan berbau busuk.",
            "region": "64.08.04",
            "category": "limbah",
        },
        actor=None,
        reporter=ReporterDetails(name="Tamu", **reporter),
    )
    return result.report, result.secret


def open_as_reporter(client, report, secret):
    url = reverse("portal:report-detail", args=[report.tracking_number])
    return client.get(url + f"?kunci={secret}", follow=True)


def choose(client, report, channel):
    url = reverse("portal:report-reply-channel", args=[report.tracking_number])
    return client.post(url, {"channel-channel": channel})


def reporter_messages(report, template):
    return sorted(
        Notification.objects.filter(
            report=report, audience="reporter", template=template
        ).values_list("channel", flat=True)
    )


def test_a_web_reporter_who_chooses_sms_hears_only_by_sms_with_email_as_fallback(client, world):
    report, secret = guest_report(email="tamu@example.com", phone="081350003333")
    page = open_as_reporter(client, report, secret).content.decode()
    assert "Cara Anda menerima kabar" in page and "SMS saja" in page and "Surel saja" in page
    a.put_on_hold(report, "Di pasar yang mana?", actor=world.national_admin)
    assert reporter_messages(report, "information_requested") == ["email", "sms"]

    response = choose(client, report, "sms")
    assert response.status_code == 302 and response["Location"].endswith("#kabar")
    report.reporter.refresh_from_db()
    assert report.reporter.reply_channel == "sms"
    a.add_information(report, "Pasar Induk Sangatta.", actor=Actor(reporter_id=report.reporter_id))
    # The newest id so far (not the count: ids are not reused, on PostgreSQL across tests).
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    a.dispose_report(report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin)
    sent = Notification.objects.filter(pk__gt=before, audience="reporter")
    assert [n.channel for n in sent] == ["sms"]

    # The SMS fails for good: the same message goes to the e-mail address, once.
    from aduan.notifications.service import fall_back

    sms = sent.get()
    copy = fall_back(sms)
    assert copy is not None and copy.channel == "email" and fall_back(sms) is None


def test_an_sms_reporter_who_chooses_whatsapp_gets_the_answer_on_whatsapp(client, world):
    report, secret = guest_report(phone="081350003333")
    Report.objects.filter(pk=report.pk).update(channel="sms")
    open_as_reporter(client, report, secret)
    assert choose(client, report, "whatsapp").status_code == 302
    a.put_on_hold(report, "Di pasar yang mana?", actor=world.national_admin)
    assert reporter_messages(report, "information_requested") == ["whatsapp"]
    # And back to "the channel the report came in by".
    assert choose(client, report, "").status_code == 302
    a.add_information(report, "Pasar Induk Sangatta.", actor=Actor(reporter_id=report.reporter_id))
    a.put_on_hold(report, "Di blok mana?", actor=world.national_admin)
    assert reporter_messages(report, "information_requested") == ["sms", "whatsapp"]


def test_a_channel_without_a_contact_is_refused_and_nothing_changes(client, world):
    report, secret = guest_report(email="tamu@example.com")
    page = open_as_reporter(client, report, secret).content.decode()
    assert "SMS saja" not in page and "Surel saja" in page
    response = choose(client, report, "whatsapp")
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    report.reporter.refresh_from_db()
    assert report.reporter.reply_channel == ""


def test_only_the_reporter_may_choose(client, world):
    report, _secret = guest_report(email="tamu@example.com")
    assert choose(client, report, "email").status_code == 404
    client.force_login(world.officer)
    assert choose(client, report, "email").status_code == 404
    report.reporter.refresh_from_db()
    assert report.reporter.reply_channel == ""


def test_staff_see_the_reporters_choice(client, world):
    report, secret = guest_report(email="tamu@example.com", phone="081350003333")
    open_as_reporter(client, report, secret)
    choose(client, report, "email")
    client.force_login(world.national_admin)
    page = client.get(reverse("workspace:report", args=[report.tracking_number]))
    assert "Pelapor memilih menerima kabar melalui Surel" in page.content.decode()
    assert "081350003333" not in page.content.decode()
