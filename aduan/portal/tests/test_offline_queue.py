"""Reports written without signal: the endpoint the phone's queue sends them to, the
idempotency key that keeps a repeat from filing a second report, the web app manifest,
the service worker and the offline page."""

import json
import uuid
from unittest import mock

from django.contrib.staticfiles import finders
from django.test import Client

from aduan.portal.models import ContactVerification, PendingUpload
from aduan.reports.actions import intake, submit_report
from aduan.reports.models import Attachment, Report, SubmissionKey
from aduan.reports.tasks import purge_submission_keys

from .conftest import png_upload, report_form_data

QUEUE = "/lapor/antrean/"


def queued(key=None, **overrides):
    """A report as the phone's queue sends it: the form's fields and the phone's key."""
    data = report_form_data(**overrides)
    data["form_token"] = key or str(uuid.uuid4())
    return data


def test_the_queue_tells_the_phone_whether_it_may_send_and_gives_a_fresh_csrf_token(client, world):
    answer = client.get(QUEUE)
    assert answer.status_code == 200
    assert answer["Cache-Control"] == "no-store"
    assert answer.json()["can_submit"] is False
    assert answer.json()["csrf_token"]
    client.force_login(world.citizen)
    assert client.get(QUEUE).json()["can_submit"] is True


def test_a_queued_report_is_filed_once_however_often_it_is_sent(client, world):
    client.force_login(world.citizen)
    key = str(uuid.uuid4())
    data = queued(key)
    data["attachments"] = [png_upload()]
    first = client.post(QUEUE, data)
    assert first.status_code == 201
    report = Report.objects.get()
    assert first.json() == {
        "status": "sent",
        "duplicate": False,
        "tracking_number": report.tracking_number,
        "url": f"/lapor/terkirim/{report.tracking_number}/",
    }
    assert Attachment.objects.get().report == report
    # The confirmation opens in this browser (the secret is in the session).
    assert client.get(first.json()["url"]).status_code == 200

    again = queued(key)
    again["attachments"] = [png_upload()]
    second = client.post(QUEUE, again)
    assert second.status_code == 200
    assert second.json()["duplicate"] is True
    assert second.json()["tracking_number"] == report.tracking_number
    assert Report.objects.count() == 1 and Attachment.objects.count() == 1


def test_a_repeat_from_another_session_of_the_same_account_is_still_one_report(client, world):
    key = str(uuid.uuid4())
    client.force_login(world.citizen)
    assert client.post(QUEUE, queued(key)).status_code == 201
    other = Client()
    other.force_login(world.citizen)
    answer = other.post(QUEUE, queued(key))
    assert answer.status_code == 200 and answer.json()["duplicate"] is True
    assert Report.objects.count() == 1


def test_the_same_key_from_another_person_is_another_report(client, world):
    key = str(uuid.uuid4())
    client.force_login(world.citizen)
    client.post(QUEUE, queued(key))
    other = Client()
    other.force_login(world.outsider)
    answer = other.post(QUEUE, queued(key))
    assert answer.status_code == 201
    assert Report.objects.count() == 2
    assert {r.reporter.user for r in Report.objects.all()} == {world.citizen, world.outsider}


def test_a_guest_without_a_verified_contact_is_asked_to_verify_and_nothing_is_filed(client, world):
    answer = client.post(QUEUE, queued())
    assert answer.status_code == 403
    assert answer.json()["status"] == "verify"
    assert answer.json()["url"] == "/lapor/"
    assert not Report.objects.exists()


def test_a_verified_guest_sends_a_queued_report_and_a_repeat_from_a_new_session_is_one(
    client, world
):
    from .test_guest_verification import ask_code, code_from_mail

    ask_code(client, email="rahmat@example.com")
    client.post("/lapor/kode/", {"code": code_from_mail()})
    key = str(uuid.uuid4())
    assert client.post(QUEUE, queued(key)).status_code == 201
    report = Report.objects.get()
    assert report.reporter.email == "rahmat@example.com"
    assert report.reporter.contact_verified_at is not None

    # The phone retries from a new session after verifying the same contact again: the
    # key is scoped to the contact, so it finds the first report, without its secret.
    other = Client()
    ask_code(other, email="rahmat@example.com")
    other.post("/lapor/kode/", {"code": code_from_mail()})
    answer = other.post(QUEUE, queued(key))
    assert answer.status_code == 200
    assert answer.json()["duplicate"] is True
    assert answer.json()["url"] == ""
    assert report.tracking_number in answer.json()["message"]
    assert Report.objects.count() == 1
    assert ContactVerification.objects.count() == 2


def test_a_refused_queued_report_gets_every_message_and_keeps_nothing_on_the_server(client, world):
    client.force_login(world.citizen)
    data = queued(title="", latitude="-0.5", longitude="")
    data["attachments"] = [png_upload()]
    answer = client.post(QUEUE, data)
    assert answer.status_code == 400
    body = answer.json()
    assert body["status"] == "invalid"
    messages = {error["message"] for error in body["errors"]}
    assert "Judul wajib diisi." in messages
    assert "Lintang dan bujur harus diisi bersama." in messages
    # The photos are still on the phone: nothing is kept on the server for the queue.
    assert not PendingUpload.objects.exists()
    assert not Report.objects.exists()


def test_the_queue_answers_in_english_when_asked(client, world):
    client.force_login(world.citizen)
    client.cookies["django_language"] = "en"
    answer = client.post(QUEUE, queued(title=""))
    assert "Title is required." in {error["message"] for error in answer.json()["errors"]}


def test_a_malformed_key_is_refused(client, world):
    client.force_login(world.citizen)
    answer = client.post(QUEUE, queued(key="x"))
    assert answer.status_code == 400 and answer.json()["status"] == "invalid"
    assert not Report.objects.exists()


def test_staff_are_refused(client, world):
    client.force_login(world.officer)
    answer = client.post(QUEUE, queued())
    assert answer.status_code == 403 and answer.json()["status"] == "refused"
    assert not Report.objects.exists()


def test_the_queue_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.citizen)
    assert client.post(QUEUE, queued()).status_code == 403
    token = client.get(QUEUE).json()["csrf_token"]
    answer = client.post(QUEUE, queued(), headers={"X-CSRFToken": token})
    assert answer.status_code == 201


def test_the_form_page_sends_its_own_token_as_the_idempotency_key(client, world):
    client.force_login(world.citizen)
    page = client.get("/lapor/")
    token = page.context["form_token"]
    assert client.post("/lapor/", report_form_data() | {"form_token": token}).status_code == 302
    # The same form arriving through the queue (the connection dropped on the way and the
    # service worker kept it) finds the report.
    answer = client.post(QUEUE, report_form_data() | {"form_token": token})
    assert answer.json()["duplicate"] is True
    assert Report.objects.count() == 1


# ------------------------------------------------------------------------------ the domain


def test_submit_report_with_a_seen_key_writes_nothing(world):
    first = submit_report(
        {"title": "Lampu jalan mati", "body": "Sudah sebulan lampu jalan mati di gang 3."},
        actor=world.citizen,
        idempotency_key="test:one",
    )
    second = submit_report(
        {"title": "Lampu jalan mati", "body": "Sudah sebulan lampu jalan mati di gang 3."},
        actor=world.citizen,
        idempotency_key="test:one",
    )
    assert second.duplicate and second.report == first.report and second.secret == ""
    assert Report.objects.count() == 1
    assert SubmissionKey.objects.get().report == first.report
    # Only a hash of the key is stored.
    assert "test:one" not in SubmissionKey.objects.get().key


def test_two_attempts_at_once_file_one_report(world):
    """The second attempt passes the first look-up (the first has not committed yet) and
    then fails on the unique key: it rolls back and returns the first report."""
    data = {"title": "Lampu jalan mati", "body": "Sudah sebulan lampu jalan mati di gang 3."}
    first = submit_report(data, actor=world.citizen, idempotency_key="test:race")
    real = intake._filed_under
    with mock.patch.object(intake, "_filed_under", side_effect=[None, real(first_key())]):
        second = submit_report(
            data, actor=world.citizen, files=[png_upload()], idempotency_key="test:race"
        )
    assert second.duplicate and second.report == first.report
    assert Report.objects.count() == 1
    assert not Attachment.objects.exists()


def first_key():
    return SubmissionKey.objects.get().key


def test_old_submission_keys_are_forgotten(world):
    import time_machine

    from conftest import aware

    data = {"title": "Lampu jalan mati", "body": "Sudah sebulan lampu jalan mati di gang 3."}
    with time_machine.travel(aware(2026, 3, 2), tick=False):
        submit_report(data, actor=world.citizen, idempotency_key="test:old")
    with time_machine.travel(aware(2026, 3, 20), tick=False):
        submit_report(data, actor=world.citizen, idempotency_key="test:new")
    with time_machine.travel(aware(2026, 4, 10), tick=False):
        assert purge_submission_keys.call() == {"deleted": 1}
    assert SubmissionKey.objects.count() == 1


# ------------------------------------------------------------------------------ the web app


def test_the_service_worker_is_served_from_the_root_and_never_cached(client, db):
    answer = client.get("/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    assert answer["Cache-Control"] == "no-cache"
    text = answer.content.decode()
    config = json.loads(text[text.index("var CONFIG = ") + 13 : text.index("};") + 1])
    assert config["formUrl"] == "/lapor/"
    assert config["queueUrl"] == "/lapor/antrean/"
    assert config["queueScript"] == "/static/portal/offline-queue.js"
    assert "/static/portal/report-offline.js" in config["assets"]
    assert "importScripts(CONFIG.queueScript);" in text


def test_the_manifest_makes_the_form_an_installable_app(client, db):
    answer = client.get("/manifest.webmanifest")
    assert answer["Content-Type"] == "application/manifest+json"
    manifest = json.loads(answer.content)
    assert manifest["start_url"] == "/lapor/"
    assert manifest["display"] == "standalone"
    assert manifest["name"] == "Aduan — Laporkan masalah"
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/"))
    client.cookies["django_language"] = "en"
    english = json.loads(client.get("/manifest.webmanifest").content)
    assert english["name"] == "Aduan — Report a problem"


def test_the_form_links_the_manifest_and_marks_itself_for_the_offline_copy(client, world):
    client.force_login(world.citizen)
    page = client.get("/lapor/")
    html = page.content.decode()
    assert page["X-Aduan-Offline-Form"] == "1"
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert "data-offline-queue" in html
    # The guest's contact step is not the form: it is not kept for offline use.
    client.logout()
    assert "X-Aduan-Offline-Form" not in client.get("/lapor/")


def test_the_offline_page_explains_what_works_without_signal(client, db):
    answer = client.get("/luring/")
    assert answer.status_code == 200
    assert "Tidak ada sinyal" in answer.content.decode()
