"""Getting back in without an account: a lost secret link sent again to the contact on
file (never shown), and "my reports" for a contact proved with a code. Nothing on these
pages says whether a report, a reporter or a contact exists."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from aduan.accounts.models import Reporter
from aduan.notifications import sms
from aduan.notifications.models import Notification
from aduan.portal.models import ContactVerification, Purpose
from aduan.reports.actions import ReporterDetails, submit_report
from aduan.reports.models import Report
from conftest import run_tasks

RESEND = "/lacak/kirim-ulang/"
RESEND_SENT = "/lacak/kirim-ulang/terkirim/"
MINE = "/laporan-saya/"
MINE_START = "/laporan-saya/kontak/"
MINE_CODE = "/laporan-saya/kode/"


def guest_report(*, email="", phone="", title="Lampu jalan mati di Jl. Yos Sudarso"):
    """A report filed by a guest with a verified contact; returns it and its secret."""
    result = submit_report(
        {
            "report_type": "complaint",
            "title": title,
            "body": "Sudah dua minggu lampu jalan mati dan rawan kecelakaan di malam hari.",
            "region": "64.08.04",
            "category": "jalan-rusak",
        },
        actor=None,
        reporter=ReporterDetails(
            name="Rahmat", email=email, phone=phone, contact_verified_at=timezone.now()
        ),
    )
    return result.report, result.secret


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def resend(client, number, *, email="", phone="", ip="10.5.5.5"):
    response = client.post(
        RESEND, {"nomor": number, "email": email, "phone": phone}, REMOTE_ADDR=ip
    )
    run_tasks()
    return response


# ------------------------------------------------------------------------- the secret link


def test_a_lost_link_is_sent_again_to_the_email_on_file_and_the_old_one_stops_working(
    client, world
):
    report, old_secret = guest_report(email="rahmat@example.com")
    run_tasks()
    mail.outbox.clear()
    holder = Client()  # a browser that still has the old link
    assert holder.get(f"/lacak/{report.tracking_number}/?kunci={old_secret}").status_code == 302

    # Typed as people type it: spaces, another case, dots.
    response = resend(client, report.tracking_number.lower(), email="Rahmat@Example.com ")
    assert response.status_code == 302 and response["Location"] == RESEND_SENT
    page = client.get(RESEND_SENT).content.decode()
    assert "kunci=" not in page and "rahmat" not in page  # never shown

    notification = Notification.objects.get(template="secret_link")
    assert notification.report == report and notification.channel == "email"
    assert notification.address == "rahmat@example.com"
    assert "kunci" not in str(notification.context)  # the secret sits encrypted
    message = mail.outbox[-1]
    assert message.to == ["rahmat@example.com"]
    new_secret = re.search(r"\?kunci=(\S+)", message.body).group(1)
    assert new_secret != old_secret

    # The old link and the session that opened it no longer open the report as its reporter.
    assert Client().get(f"/lacak/{report.tracking_number}/?kunci={old_secret}").status_code == 404
    assert holder.get(f"/lacak/{report.tracking_number}/").status_code == 404
    fresh = Client()
    assert fresh.get(f"/lacak/{report.tracking_number}/?kunci={new_secret}").status_code == 302
    assert fresh.get(f"/lacak/{report.tracking_number}/").context["is_reporter"]


def test_a_link_is_sent_by_sms_to_the_phone_on_file(client, world):
    report, _ = guest_report(phone="0812 3456 7890")
    run_tasks()
    sms.outbox.clear()
    resend(client, report.tracking_number, phone="+62 812-3456-7890")
    assert [message.phone for message in sms.outbox] == ["+6281234567890"]
    assert f"/lacak/{report.tracking_number}/?kunci=" in sms.outbox[-1].text


@pytest.mark.parametrize(
    "case", ["other_email", "phone_not_on_file", "unknown_number", "other_node"]
)
def test_a_request_that_matches_nothing_reads_the_same_and_changes_nothing(client, world, case):
    report, _ = guest_report(email="rahmat@example.com")
    run_tasks()
    mail.outbox.clear()
    before = Report.objects.get(pk=report.pk).access_token_hash
    # The answer to a request that matches, for comparison; then the report as it was.
    matched = Client()
    reference = resend(matched, report.tracking_number, email="rahmat@example.com", ip="10.0.0.1")
    assert Notification.objects.filter(template="secret_link").count() == 1
    Report.objects.filter(pk=report.pk).update(access_token_hash=before)
    Notification.objects.filter(template="secret_link").delete()
    mail.outbox.clear()

    number, email, phone = report.tracking_number, "rahmat@example.com", ""
    if case == "other_email":
        email = "orang-lain@example.com"
    elif case == "phone_not_on_file":
        email, phone = "", "081234567890"
    elif case == "unknown_number":
        from aduan.reports import tracking

        # A well-formed number (right check digit) that no report has.
        number = next(
            candidate
            for digit in range(10)
            if (candidate := tracking.normalise(f"PST-26-0999999-{digit}")) is not None
        )
    else:
        Report.objects.filter(pk=report.pk).update(origin_node="KTM")
    response = resend(client, number, email=email, phone=phone)
    assert (response.status_code, response["Location"]) == (
        reference.status_code,
        reference["Location"],
    )
    assert without_csrf(client.get(RESEND_SENT).content.decode()) == without_csrf(
        matched.get(RESEND_SENT).content.decode()
    )
    assert mail.outbox == [] and sms.outbox == []
    assert not Notification.objects.filter(template="secret_link").exists()
    assert Report.objects.get(pk=report.pk).access_token_hash == before


def test_bad_input_is_refused_with_a_message(client, world):
    report, _ = guest_report(email="rahmat@example.com")
    cases = [
        ({"nomor": "", "email": "rahmat@example.com"}, "nomor", "Masukkan nomor laporan."),
        ({"nomor": "PST-26-1234", "email": "rahmat@example.com"}, "nomor", "tidak valid"),
        ({"nomor": report.tracking_number, "email": ""}, "email", "Isi surel atau nomor"),
        ({"nomor": report.tracking_number, "phone": "12"}, "phone", "Nomor HP tidak valid"),
    ]
    for data, field, text in cases:
        response = client.post(RESEND, {"email": "", "phone": ""} | data)
        assert response.status_code == 400
        assert field in response.context["form"].errors
        assert text in response.content.decode()
    assert not Notification.objects.filter(template="secret_link").exists()


@pytest.mark.parametrize("exists", [True, False])
def test_one_tracking_number_gets_three_links_an_hour(client, world, exists):
    report, _ = guest_report(email="rahmat@example.com")
    number = report.tracking_number
    if not exists:
        Report.objects.filter(pk=report.pk).update(origin_node="KTM")
    for i in range(3):
        assert (
            resend(client, number, email="rahmat@example.com", ip=f"10.6.0.{i}").status_code == 302
        )
    refused = resend(client, number, email="rahmat@example.com", ip="10.6.0.9")
    assert refused.status_code == 429
    assert "Terlalu banyak permintaan" in refused.content.decode()
    assert Notification.objects.filter(template="secret_link").count() == (3 if exists else 0)


def test_one_client_gets_ten_link_requests_an_hour(client, world):
    reports = [guest_report(email=f"warga{i}@example.com")[0] for i in range(11)]
    for report in reports[:10]:
        assert resend(client, report.tracking_number, email="x@example.com").status_code == 302
    assert resend(client, reports[10].tracking_number, email="x@example.com").status_code == 429


def test_the_track_page_leads_to_both_ways_back(client, db):
    html = client.get("/lacak/").content.decode()
    assert 'href="/lacak/kirim-ulang/"' in html and 'href="/laporan-saya/"' in html


# ------------------------------------------------------------------- my reports, as a guest


def prove(client, *, email="", phone="", ip="10.7.7.7"):
    response = client.post(MINE_START, {"email": email, "phone": phone}, REMOTE_ADDR=ip)
    assert response.status_code == 302 and response["Location"] == MINE_CODE
    run_tasks()
    if email:
        body = mail.outbox[-1].body
        assert "Laporan saya" in body
        code = re.search(r"Kode Anda: (\d{6})", body).group(1)
    else:
        code = re.search(r"(\d{6})", sms.outbox[-1].text).group(1)
    return client.post(MINE_CODE, {"code": code})


def titles(response) -> list[str]:
    return [row["report"].title for row in response.context["rows"]]


def test_a_guest_proves_an_email_and_sees_the_reports_filed_with_it(
    client, world, django_assert_max_num_queries
):
    guest_report(email="rahmat@example.com", title="Laporan pertama")
    guest_report(email="RAHMAT@example.com", title="Laporan kedua")
    guest_report(email="orang-lain@example.com", title="Laporan orang lain")
    guest_report(phone="081234567890", title="Laporan lewat nomor HP")
    # An account holder with the same address sees theirs by signing in.
    account = Reporter.objects.get(user=world.outsider)
    account.email = "rahmat@example.com"
    account.save()
    world.submit(actor=world.outsider, title="Laporan akun")

    verified = prove(client, email="rahmat@example.com")
    assert verified.status_code == 302 and verified["Location"] == MINE
    assert ContactVerification.objects.get().purpose == Purpose.MY_REPORTS
    client.get(MINE)
    with django_assert_max_num_queries(8):
        response = client.get(MINE)
    assert response.status_code == 200
    assert sorted(titles(response)) == ["Laporan kedua", "Laporan pertama"]
    assert "r***@example.com" in response.content.decode()

    # Each opens as the guest's own, with the reporter's forms.
    report = Report.objects.get(title="Laporan pertama")
    page = client.get(f"/lacak/{report.tracking_number}/")
    assert page.status_code == 200 and page.context["is_reporter"]
    added = client.post(
        f"/lacak/{report.tracking_number}/tambah-informasi/",
        {"information-text": "Lampu di tiang nomor 12 juga mati."},
    )
    assert added.status_code == 302
    assert report.events.filter(type="information_added").exists()
    # Not the others'.
    other = Report.objects.get(title="Laporan orang lain")
    assert client.get(f"/lacak/{other.tracking_number}/").status_code == 404


def test_a_guest_proves_a_phone_number(client, world):
    guest_report(phone="0812 3456 7890", title="Laporan lewat nomor HP")
    guest_report(email="rahmat@example.com", title="Laporan lewat surel")
    prove(client, phone="+62 812 3456 7890")
    assert titles(client.get(MINE)) == ["Laporan lewat nomor HP"]


def test_a_contact_without_reports_gets_a_code_and_an_empty_list(client, world):
    prove(client, email="belum-pernah@example.com")
    response = client.get(MINE)
    assert titles(response) == []
    assert "Belum ada laporan tanpa akun dengan kontak ini." in response.content.decode()


def test_the_grant_lasts_thirty_minutes_and_can_be_ended(client, world):
    guest_report(email="rahmat@example.com", title="Laporan pertama")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        prove(client, email="rahmat@example.com")
    report = Report.objects.get()
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert titles(client.get(MINE)) == ["Laporan pertama"]
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        assert "rows" not in client.get(MINE).context
        assert client.get(f"/lacak/{report.tracking_number}/").status_code == 404

    other = Client()
    prove(other, email="rahmat@example.com")
    ended = other.post("/laporan-saya/selesai/")
    assert ended.status_code == 302 and ended["Location"] == MINE
    assert "rows" not in other.get(MINE).context
    assert other.get(f"/lacak/{report.tracking_number}/").status_code == 404


def test_a_wrong_code_grants_nothing(client, world):
    guest_report(email="rahmat@example.com")
    client.post(MINE_START, {"email": "rahmat@example.com", "phone": ""})
    run_tasks()
    code = re.search(r"Kode Anda: (\d{6})", mail.outbox[-1].body).group(1)
    response = client.post(MINE_CODE, {"code": "000000" if code != "000000" else "111111"})
    assert response.status_code == 400
    assert "rows" not in client.get(MINE).context


def test_a_verification_for_reporting_does_not_open_my_reports(client, world):
    guest_report(email="rahmat@example.com")
    client.post("/lapor/kontak/", {"name": "", "email": "rahmat@example.com", "phone": ""})
    run_tasks()
    code = re.search(r"Kode verifikasi Anda: (\d{6})", mail.outbox[-1].body).group(1)
    client.post("/lapor/kode/", {"code": code})
    assert "rows" not in client.get(MINE).context
    assert client.get(MINE_CODE)["Location"] == MINE


def test_one_client_may_ask_for_ten_codes_an_hour(client, world):
    from django.test import Client

    # A new browser session each time (one session may ask for only five codes an hour).
    for i in range(10):
        prove_start = Client().post(MINE_START, {"email": f"w{i}@example.com", "phone": ""})
        assert prove_start.status_code == 302
    refused = Client().post(MINE_START, {"email": "w99@example.com", "phone": ""})
    assert refused.status_code == 429
    assert "Terlalu banyak permintaan" in refused.content.decode()


def test_my_reports_contact_form_refuses_bad_input(client, db):
    response = client.post(MINE_START, {"email": "bukan-surel", "phone": ""})
    assert response.status_code == 400 and "email" in response.context["form"].errors
    assert ContactVerification.objects.count() == 0


def test_the_pages_speak_english_on_request(client, db):
    client.cookies["django_language"] = "en"
    assert "Send the private link again" in client.get(RESEND).content.decode()
    assert "Reported without an account?" in client.get(MINE).content.decode()
