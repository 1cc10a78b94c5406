"""The citizen's rights over their personal data (UU 27/2022 PDP): download everything
held about them, see who read it, have it erased; the national admin's per-person report.
"""

import io
import json
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aduan.accounts.models import PersonalDataAccess, Reporter
from aduan.channels.gateways.base import Inbound
from aduan.channels.intake import receive
from aduan.channels.models import Message
from aduan.notifications import sms
from aduan.notifications.models import Notification
from aduan.portal.models import ContactVerification
from aduan.portal.tests.conftest import png_bytes
from aduan.portal.tests.test_recovery import guest_report, prove
from aduan.privacy.models import ErasureRequest, ErasureStatus
from aduan.reports import actions
from aduan.reports.access import reporter_identity
from aduan.reports.actors import Actor
from aduan.reports.events import verify_report_chain
from aduan.reports.models import Report, ReportEvent
from conftest import run_tasks

HOME = "/data-saya/"
JSON = "/data-saya/unduh.json"
ZIP = "/data-saya/unduh.zip"
ERASE = "/data-saya/hapus/"
ADMIN = "/data-saya/admin/"


def body_of(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


def signed_in(world, user=None) -> Client:
    client = Client()
    client.force_login(user or world.citizen)
    return client


def sms_from(phone: str, text: str, provider_id: str) -> Message:
    receive(
        Inbound(channel="sms", gateway="generic", provider_id=provider_id, sender=phone, text=text)
    )
    return Message.objects.get(provider_id=provider_id)


# ------------------------------------------------------------------------------ download


def test_a_signed_in_citizen_downloads_everything_held_about_them(world):
    report = world.report_in("in_progress")
    actions.put_on_hold(report, "Mohon kirim foto lubangnya.", actor=world.officer)
    actions.add_information(report, "Foto menyusul, lubang di depan warung.", actor=world.citizen)
    actions.add_internal_note(report, "Catatan dalam: cek anggaran.", actor=world.officer)
    reporter_identity(world.officer, Report.objects.get(pk=report.pk), purpose="follow_up")
    sms_from("0812-3456-7890", f"CEK {report.tracking_number}", "m-1")
    world.submit(actor=world.outsider, title="Laporan orang lain")

    response = signed_in(world).get(JSON)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="aduan-data-saya-')
    assert response["Cache-Control"] == "no-store"
    data = json.loads(body_of(response))

    assert data["account"]["username"] == "warga"
    assert data["reporters"][0]["name"] == "Siti Aminah"
    assert data["reporters"][0]["nik"] == "6408041234567890"
    assert [r["title"] for r in data["reports"]] == [report.title]
    history = {e["type"] for e in data["reports"][0]["history"]}
    assert {"submitted", "put_on_hold", "information_added"} <= history
    assert "internal_note" not in history  # never what only staff see
    assert [m["text"] for m in data["channel_messages"]] == [f"CEK {report.tracking_number}"]
    assert {n["address"] for n in data["notifications"]} >= {"siti@example.com"}
    # Who read it: role and agency, not the officer's name.
    (access,) = data["access_log"]
    assert access["agency"] == "Dinas Pekerjaan Umum Kutai Timur"
    assert access["purpose"] == "follow_up"
    assert access["report"] == report.tracking_number
    assert "petugas_pu" not in json.dumps(data)


def test_the_download_takes_the_same_queries_for_one_report_or_many(
    world, django_assert_max_num_queries
):
    client = signed_in(world)
    world.report_in("closed")
    with django_assert_max_num_queries(30) as one:
        body_of(client.get(JSON))
    for _ in range(4):
        world.report_in("closed")
    with django_assert_max_num_queries(len(one.captured_queries)):
        data = json.loads(body_of(client.get(JSON)))
    assert len(data["reports"]) == 5
    assert all(r["history"] for r in data["reports"])


def test_a_guest_with_a_proved_contact_downloads_their_reports_only(world):
    mine, _secret = guest_report(email="rahmat@example.com", title="Lampu mati")
    guest_report(email="orang-lain@example.com", title="Laporan orang lain")
    client = Client()
    prove(client, email="rahmat@example.com")
    page = client.get(HOME)
    assert page.status_code == 200 and "r***@example.com" in page.content.decode()
    data = json.loads(body_of(client.get(JSON)))
    assert data["account"] is None
    assert [r["title"] for r in data["reports"]] == ["Lampu mati"]
    assert [v["address"] for v in data["contact_verifications"]] == ["rahmat@example.com"]


def test_the_zip_holds_the_data_and_the_citizens_own_files(world):
    upload = SimpleUploadedFile("Siti_0812.png", png_bytes(), content_type="image/png")
    report = world.submit(files=[upload])
    response = signed_in(world).get(ZIP)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(body_of(response)))
    names = archive.namelist()
    assert names[0] == "data.json"
    assert f"files/{report.tracking_number}/foto-1.png" in names
    data = json.loads(archive.read("data.json"))
    assert data["reports"][0]["files"][0]["name"] == "foto-1.png"


def test_an_outsider_gets_the_ways_in_and_no_data(client, world):
    world.report_in("closed")
    page = client.get(HOME)
    assert page.status_code == 200
    assert "privacy/start.html" in [t.name for t in page.templates]
    assert "Siti" not in page.content.decode()
    for url in (JSON, ZIP):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == HOME
    assert client.post(ERASE, {"confirm": "on"}).status_code == 302
    assert not ErasureRequest.objects.exists()


# ---------------------------------------------------------------------------- who read it


def test_the_citizen_sees_who_read_their_data_by_role_and_agency(world):
    report = world.report_in("dispositioned")
    reporter_identity(world.national_admin, report, purpose="verify")
    reporter_identity(world.officer, report, purpose="workspace")
    page = signed_in(world).get(HOME)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Dinas Pekerjaan Umum Kutai Timur" in html
    assert "Menangani laporan di ruang kerja petugas" in html
    assert "Petugas unit" in html and "Admin nasional" in html
    assert "petugas_pu" not in html and "admin_nasional" not in html
    assert len(page.context["access_page"].object_list) == 2


def test_the_national_admin_has_a_report_per_person(world):
    report = world.report_in("dispositioned")
    reporter_identity(world.officer, report, purpose="follow_up")
    admin = signed_in(world, world.national_admin)
    found = admin.get(ADMIN, {"q": report.tracking_number})
    reporter = Reporter.objects.get(user=world.citizen)
    assert found.status_code == 302
    assert found["Location"] == f"{ADMIN}pelapor/{reporter.uuid}/"
    page = admin.get(found["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "petugas_pu" in html and "follow_up" in html
    assert "Siti" not in html  # the report names the readers, not the person read
    assert admin.get(ADMIN, {"q": "PST-26-9999999-0"}).status_code == 404
    assert admin.get(ADMIN, {"q": "\x00"}).status_code == 400


@pytest.mark.parametrize("who", ["agency_admin", "officer", "supervisor", "citizen"])
def test_only_the_national_admin_sees_the_admin_report(world, who):
    reporter = Reporter.objects.get(user=world.citizen)
    client = signed_in(world, getattr(world, who))
    assert client.get(ADMIN).status_code == 404
    assert client.get(f"{ADMIN}pelapor/{reporter.uuid}/").status_code == 404
    assert Client().get(ADMIN).status_code == 302  # to the login page


# ------------------------------------------------------------------------------- erasure


def test_erasure_is_refused_while_a_report_is_being_handled(world):
    report = world.report_in("in_progress")
    response = signed_in(world).post(ERASE, {"confirm": "on"})
    assert response.status_code == 409
    assert report.tracking_number in response.content.decode()
    assert not ErasureRequest.objects.exists()
    assert Reporter.objects.get(user=world.citizen).name == "Siti Aminah"


def test_a_staff_account_is_not_erased_from_the_citizen_page(world):
    client = signed_in(world, world.officer)
    page = client.get(HOME)
    assert page.status_code == 200 and b'action="/data-saya/hapus/"' not in page.content
    response = client.post(ERASE, {"confirm": "on"})
    assert response.status_code == 409
    assert "Akun petugas tidak dihapus di sini" in response.content.decode()
    assert not ErasureRequest.objects.exists()
    world.officer.refresh_from_db()
    assert world.officer.is_active


def test_erasure_needs_the_confirmation(world):
    world.report_in("closed")
    response = signed_in(world).post(ERASE, {})
    assert response.status_code == 400
    assert "Centang pernyataan ini" in response.content.decode()
    assert not ErasureRequest.objects.exists()


def test_erasure_empties_identity_and_contacts_and_keeps_the_report_and_its_history(world):
    report = world.report_in("closed")
    sms_from("081234567890", f"CEK {report.tracking_number}", "m-9")
    reporter_identity(world.officer, report, purpose="follow_up")
    events_before = list(ReportEvent.objects.filter(report=report).values_list("hash", "seal"))
    public_before = (report.title, report.body, report.status)
    run_tasks()  # the messages of the report's life go out first
    mail.outbox.clear()
    sms.outbox.clear()

    client = signed_in(world)
    response = client.post(ERASE, {"confirm": "on"})
    assert response.status_code == 302
    record = ErasureRequest.objects.get()
    assert record.status == ErasureStatus.REQUESTED
    # Asking twice is one request.
    client.post(ERASE, {"confirm": "on"})
    assert ErasureRequest.objects.count() == 1
    run_tasks()

    record.refresh_from_db()
    assert record.status == ErasureStatus.DONE and record.completed_at
    assert record.summary["reporters"] == 1 and record.summary["accounts"] == 1
    assert record.summary["channel_messages"] == 1
    reporter = Reporter.objects.get(pk=report.reporter_id)
    assert (reporter.name, reporter.nik, reporter.phone, reporter.email) == ("", "", "", "")
    assert (reporter.email_lookup, reporter.phone_lookup) == ("", "")
    assert reporter.erased_at is not None
    citizen = type(world.citizen).objects.get(pk=world.citizen.pk)
    assert not citizen.is_active and not citizen.has_usable_password()
    assert citizen.email == "" and citizen.username.startswith("dihapus-")
    message = Message.objects.get(provider_id="m-9")
    assert (message.sender, message.text) == ("", "")
    to_reporter = Notification.objects.filter(report=report, audience__in=["reporter", "sender"])
    assert to_reporter.count() >= 3 and not to_reporter.exclude(address="").exists()
    # The staff's own messages are theirs, not the reporter's.
    assert Notification.objects.filter(report=report, audience="unit").exclude(address="")
    # The report, its public content and its sealed history are untouched.
    report.refresh_from_db()
    assert (report.title, report.body, report.status) == public_before
    assert (
        list(ReportEvent.objects.filter(report=report).values_list("hash", "seal")) == events_before
    )
    assert verify_report_chain(report) == []
    # The access log stays (accountability) and the person was told.
    assert PersonalDataAccess.objects.filter(reporter=reporter).count() == 1
    # (to every contact: the reporter's and the account's address)
    assert sorted(m.to[0] for m in mail.outbox) == ["siti@example.com", "warga@example.go.id"]
    assert "sudah dihapus" in mail.outbox[0].subject
    assert [m.phone for m in sms.outbox] == ["+6281234567890"]
    assert "sudah dihapus" in sms.outbox[0].text
    # The session no longer signs in; a second run changes nothing.
    assert client.get(HOME).context["user"].is_authenticated is False
    from aduan.privacy.erasure import carry_out_erasure

    assert carry_out_erasure(record.pk).completed_at == record.completed_at


def test_a_guest_erases_the_reports_filed_with_their_contact(world):
    mine, _ = guest_report(email="rahmat@example.com", title="Lampu mati")
    actions.withdraw_report(mine, actor=Actor(reporter_id=mine.reporter_id))
    other, _ = guest_report(email="orang-lain@example.com", title="Laporan orang lain")
    client = Client()
    prove(client, email="rahmat@example.com")
    assert client.post(ERASE, {"confirm": "on"}).status_code == 302
    run_tasks()
    assert Reporter.objects.get(pk=mine.reporter_id).email == ""
    assert Reporter.objects.get(pk=other.reporter_id).email == "orang-lain@example.com"
    assert Reporter.objects.get(user=world.citizen).email == "siti@example.com"
    assert not ContactVerification.objects.exists()
    # The grant rested on the erased verification: it is gone too.
    assert "privacy/start.html" in [t.name for t in client.get(HOME).templates]
    # The statistics count the report as before.
    assert Report.objects.filter(pk=mine.pk, status="withdrawn").exists()


def test_the_admin_report_lists_erasures_with_what_they_erased(world):
    world.report_in("closed")
    signed_in(world).post(ERASE, {"confirm": "on"})
    run_tasks()
    page = signed_in(world, world.national_admin).get(ADMIN)
    html = page.content.decode()
    assert page.status_code == 200
    assert "reporters: 1" in html and "Selesai" in html


def test_the_pages_speak_english_on_request(world):
    world.report_in("closed")
    client = signed_in(world)
    client.post("/i18n/setlang/", {"language": "en", "next": HOME})
    html = client.get(HOME).content.decode()
    assert "Who read my data" in html and "Erase my data" in html
    refused = client.post(ERASE, {})
    assert "Tick this statement to continue." in refused.content.decode()


def test_the_operator_erases_a_reporter_by_uuid_with_a_dry_run_first(world):
    from io import StringIO

    from django.core.management import CommandError, call_command

    report = world.report_in("closed")
    reporter = Reporter.objects.get(pk=report.reporter_id)
    out = StringIO()
    call_command("erase_personal_data", str(reporter.uuid), stdout=out)
    assert "Dry run" in out.getvalue()
    assert Reporter.objects.get(pk=reporter.pk).name == "Siti Aminah"
    call_command("erase_personal_data", str(reporter.uuid), "--commit", stdout=StringIO())
    reporter.refresh_from_db()
    assert reporter.name == "" and reporter.erased_at is not None
    record = ErasureRequest.objects.get()
    assert (record.source, record.status) == ("admin", ErasureStatus.DONE)
    with pytest.raises(CommandError):
        call_command("erase_personal_data", "bukan-uuid", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("erase_personal_data", "00000000-0000-0000-0000-000000000000")


def test_the_download_streams_row_by_row(world):
    for _ in range(3):
        world.report_in("closed")
    response = signed_in(world).get(JSON)
    chunks = list(response.streaming_content)
    # One piece per row and per section boundary, never the document in one piece.
    assert len(chunks) > 20 and max(len(c) for c in chunks) < 20_000
    assert len(json.loads(b"".join(chunks))["reports"]) == 3
