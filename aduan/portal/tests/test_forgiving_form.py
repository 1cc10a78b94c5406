"""A report form that forgives: every problem is shown at once, and files that passed the
checks are kept on the server across a failed submit instead of having to be chosen
again."""

import datetime as dt
import hashlib
import re
import uuid

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from aduan.core.scheduler import periodic_tasks
from aduan.portal import pending
from aduan.portal.models import PendingUpload
from aduan.portal.tasks import purge_pending_uploads
from aduan.reports.models import Attachment, Report

from .conftest import png_bytes, png_upload, report_form_data

NEW = "/lapor/"


def kept_uuids(html: str) -> list[str]:
    return re.findall(r'name="kept_upload" value="([0-9a-f-]{36})"', html)


def not_an_image(name="virus.png"):
    return SimpleUploadedFile(name, b"MZ\x90\x00 not an image", "image/png")


def test_every_problem_is_listed_at_once_and_the_good_photo_is_kept(client, world):
    client.force_login(world.citizen)
    data = report_form_data(title="", latitude="-0.5", longitude="")
    data["attachments"] = [png_upload("lubang.png"), not_an_image("virus.png")]
    response = client.post(NEW, data)
    html = response.content.decode()

    assert response.status_code == 400
    assert not Report.objects.exists()
    # Text, coordinates and the bad file together, in the summary that links to each.
    summary = html[
        html.index('id="kesalahan"') : html.index("</div>", html.index('id="kesalahan"'))
    ]
    assert "Judul wajib diisi." in summary
    assert "Lintang dan bujur harus diisi bersama." in summary
    assert "virus.png" in summary and 'href="#id_attachments"' in summary
    # The summary takes the focus when the page loads (report-offline.js).
    assert 'tabindex="-1" data-focus-on-load' in html
    # The good photo was checked and kept, the bad one was not.
    kept = PendingUpload.objects.get()
    assert kept_uuids(html) == [str(kept.uuid)]
    assert kept.display_name == "lubang.png"
    assert kept.kind == "image" and kept.content_type == "image/png"
    assert default_storage.exists(kept.file.name)
    assert "lubang.png" not in kept.file.name  # never the sender's file name on disk


def test_a_kept_photo_is_attached_on_the_next_submit_and_then_forgotten(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.citizen)
    first = report_form_data(title="")
    first["attachments"] = [png_upload()]
    html = client.post(NEW, first).content.decode()
    kept = PendingUpload.objects.get()
    stored_name = kept.file.name

    second = report_form_data(kept_upload=kept_uuids(html))
    # The kept copy is deleted once the report is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, second)

    assert response.status_code == 302
    report = Report.objects.get()
    attachment = Attachment.objects.get(report=report)
    assert attachment.sha256 == kept.sha256
    assert attachment.name == "foto-1.png"
    assert attachment.uploaded_by_reporter
    assert not PendingUpload.objects.exists()
    assert not default_storage.exists(stored_name)


def test_kept_and_new_files_are_attached_together(client, world):
    client.force_login(world.citizen)
    first = report_form_data(body="pendek")
    first["attachments"] = [png_upload("satu.png")]
    html = client.post(NEW, first).content.decode()

    second = report_form_data(kept_upload=kept_uuids(html))
    second["attachments"] = [
        SimpleUploadedFile("dua.png", png_bytes((10, 200, 10)), content_type="image/png")
    ]
    assert client.post(NEW, second).status_code == 302
    names = list(Attachment.objects.order_by("name").values_list("name", flat=True))
    assert names == ["foto-1.png", "foto-2.png"]


def test_an_unticked_kept_file_is_not_attached(client, world):
    client.force_login(world.citizen)
    first = report_form_data(title="")
    first["attachments"] = [png_upload()]
    client.post(NEW, first)

    # The box is unticked: the browser sends no kept_upload. The copy waits for the
    # purge (another tab of the same browser may still be using it).
    assert client.post(NEW, report_form_data()).status_code == 302
    assert not Attachment.objects.exists()


def test_the_pilih_button_keeps_the_files_too(client, world):
    client.force_login(world.citizen)
    data = report_form_data(aksi="pilih-province", regency="", district="", village="")
    data["attachments"] = [png_upload()]
    response = client.post(NEW, data)
    assert response.status_code == 200
    assert kept_uuids(response.content.decode()) == [str(PendingUpload.objects.get().uuid)]
    assert not Report.objects.exists()


def test_a_kept_file_belongs_to_its_browser_session_only(client, world, django_user_model):
    from django.test import Client

    client.force_login(world.citizen)
    first = report_form_data(title="")
    first["attachments"] = [png_upload()]
    uuids = kept_uuids(client.post(NEW, first).content.decode())

    other = Client()
    other.force_login(world.outsider)
    response = other.post(NEW, report_form_data(kept_upload=uuids))
    html = response.content.decode()
    # Nothing is attached: the outsider learns only that the file is not there.
    assert response.status_code == 400
    assert "sudah kedaluwarsa atau dihapus" in html
    assert not Report.objects.exists()
    assert PendingUpload.objects.count() == 1


def test_garbage_in_the_kept_field_is_a_clear_message_not_an_error(client, world):
    client.force_login(world.citizen)
    response = client.post(
        NEW, report_form_data(kept_upload=["../../etc/passwd", str(uuid.uuid4())])
    )
    assert response.status_code == 400
    assert "2 berkas yang tadi tersimpan" in response.content.decode()
    assert not Report.objects.exists()


def test_kept_files_count_toward_the_limit(client, world, settings):
    settings.ATTACHMENT_MAX_COUNT = 2
    client.force_login(world.citizen)
    first = report_form_data(title="")
    first["attachments"] = [png_upload("a.png"), png_upload("b.png")]
    html = client.post(NEW, first).content.decode()
    assert len(kept_uuids(html)) == 2

    second = report_form_data(kept_upload=kept_uuids(html))
    second["attachments"] = [png_upload("c.png")]
    response = client.post(NEW, second)
    assert response.status_code == 400
    assert "Terlalu banyak lampiran (maks. 2 per laporan)." in response.content.decode()
    assert not Report.objects.exists()


def test_an_expired_kept_file_is_reported_and_purged_by_the_worker(client, world):
    client.force_login(world.citizen)
    first = report_form_data(title="")
    first["attachments"] = [png_upload()]
    uuids = kept_uuids(client.post(NEW, first).content.decode())
    kept = PendingUpload.objects.get()
    assert kept.expires_at - kept.created_at == pending.KEEP_FOR or (
        abs((kept.expires_at - kept.created_at) - pending.KEEP_FOR) < dt.timedelta(seconds=5)
    )

    # Not yet expired: the purge leaves it.
    assert pending.purge_expired(now=kept.expires_at - dt.timedelta(minutes=1)) == 0
    PendingUpload.objects.filter(pk=kept.pk).update(
        expires_at=kept.expires_at - pending.KEEP_FOR - dt.timedelta(minutes=1)
    )
    response = client.post(NEW, report_form_data(kept_upload=uuids))
    assert response.status_code == 400
    assert "1 berkas yang tadi tersimpan sudah kedaluwarsa" in response.content.decode()

    assert purge_pending_uploads in periodic_tasks()
    assert purge_pending_uploads.call() == {"deleted": 1}
    assert not PendingUpload.objects.exists()
    assert not default_storage.exists(kept.file.name)


def test_a_guest_keeps_files_too(client, world):
    from .test_guest_verification import ask_code, code_from_mail

    ask_code(client, email="rahmat@example.com")
    client.post("/lapor/kode/", {"code": code_from_mail()})
    first = report_form_data(title="")
    first["attachments"] = [png_upload()]
    html = client.post(NEW, first).content.decode()
    response = client.post(NEW, report_form_data(kept_upload=kept_uuids(html)))
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.reporter.email == "rahmat@example.com"
    assert Attachment.objects.get().report == report


@pytest.mark.parametrize("content", [b"", b"%PDF-1.4 truncated"])
def test_each_bad_file_gets_its_own_message(client, world, content):
    client.force_login(world.citizen)
    data = report_form_data()
    data["attachments"] = [
        SimpleUploadedFile("rusak.pdf", content, "application/pdf"),
        not_an_image("kedua.png"),
    ]
    html = client.post(NEW, data).content.decode()
    errors = html[html.index('id="id_attachments_errors"') :]
    errors = errors[: errors.index("</ul>")]
    assert "rusak.pdf" in errors and "kedua.png" in errors
    assert not PendingUpload.objects.exists()


def test_the_kept_file_is_the_cleaned_one(client, world):
    """What is kept is what the checks produced (metadata gone), not what was sent."""
    client.force_login(world.citizen)
    first = report_form_data(title="")
    first["attachments"] = [png_upload()]
    client.post(NEW, first)
    kept = PendingUpload.objects.get()
    with kept.file.open("rb") as handle:
        content = handle.read()
    assert hashlib.sha256(content).hexdigest() == kept.sha256
    assert kept.size == len(content)
