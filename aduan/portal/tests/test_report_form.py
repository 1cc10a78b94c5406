"""Filing a report through the web form: the form, its errors, the region cascade without
JavaScript, and the confirmation page."""

import datetime as dt
import re
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aduan.notifications.models import Notification
from aduan.reports.models import Attachment, EventType, Report, Status

from .conftest import png_upload, report_form_data

NEW = "/lapor/"


def submitted_report() -> Report:
    return Report.objects.get()


# ------------------------------------------------------------------------------ the form


def test_a_logged_in_citizen_sees_the_form_with_labelled_fields(client, world):
    client.force_login(world.citizen)
    response = client.get(NEW)
    html = response.content.decode()
    assert response.status_code == 200
    for field in ("title", "body", "category", "province", "address", "latitude", "incident_date"):
        assert f'for="id_{field}"' in html and f'id="id_{field}"' in html
    # Help texts are tied to their inputs.
    assert 'aria-describedby="id_title_help"' in html
    # The category picker groups sub-categories under their parent.
    assert '<optgroup label="Infrastruktur">' in html
    assert '<option value="jalan-rusak">Jalan rusak</option>' in html
    # Provinces are there; lower levels wait for their parent.
    assert '<option value="64">Kalimantan Timur</option>' in html
    assert re.search(r'<select name="regency"[^>]*disabled', html)


# Tuesday 29 December 2026 in Kutai Timur: 31 December is a working day, 1 January a holiday,
# so the third working day is in the next year.
@time_machine.travel(dt.datetime(2026, 12, 29, 10, tzinfo=ZoneInfo("Asia/Makassar")), tick=False)
def test_a_citizen_files_a_report_and_sees_the_confirmation(client, world):
    client.force_login(world.citizen)
    response = client.post(NEW, report_form_data(incident_date="2026-01-05"))

    report = submitted_report()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:report-submitted", args=[report.tracking_number])
    assert report.status == Status.SUBMITTED
    assert report.reporter.user == world.citizen
    assert report.region_id == "64.08.04.1001"
    assert report.category.slug == "jalan-rusak"
    assert report.address == "Jl. Poros KM 12"
    assert str(report.incident_date) == "2026-01-05"
    assert report.events.get().type == EventType.SUBMITTED
    assert Notification.objects.filter(report=report, template="report_submitted").exists()

    confirmation = client.get(response["Location"])
    html = confirmation.content.decode()
    assert report.tracking_number in html
    assert "?kunci=" in html
    # The verification deadline in words, from the stored date.
    assert "Admin memverifikasi paling lambat Senin, 4 Januari 2027 (3 hari kerja)." in html


def test_the_secret_link_on_the_confirmation_opens_the_report(client, world):
    client.force_login(world.citizen)
    client.post(NEW, report_form_data())
    report = submitted_report()
    html = client.get(
        reverse("portal:report-submitted", args=[report.tracking_number])
    ).content.decode()
    link = re.search(r'id="tautan-rahasia">([^<]+)<', html).group(1)

    stranger = type(client)()
    opened = stranger.get(link.replace("http://testserver", ""), follow=True)
    assert opened.status_code == 200
    assert "Ini laporan Anda." in opened.content.decode()


def test_the_report_keeps_its_photo(client, world):
    client.force_login(world.citizen)
    data = report_form_data()
    data["attachments"] = [png_upload("lubang.png")]
    client.post(NEW, data)
    attachment = Attachment.objects.get()
    assert attachment.report == submitted_report()
    assert attachment.kind == "image"
    assert attachment.uploaded_by_reporter


def test_anonymous_and_confidential_choices_are_recorded(client, world):
    client.force_login(world.citizen)
    client.post(NEW, report_form_data(is_anonymous="on", is_confidential="on"))
    report = submitted_report()
    assert report.is_anonymous and report.is_confidential


def test_bad_input_is_refused_next_to_each_field_and_keeps_what_was_typed(client, world):
    client.force_login(world.citizen)
    data = report_form_data(title="", body="pendek", incident_date="2999-01-01")
    data["attachments"] = [png_upload()]
    response = client.post(NEW, data)
    html = response.content.decode()

    assert response.status_code == 400
    assert not Report.objects.exists()
    assert "Judul wajib diisi." in html
    assert "Isi laporan terlalu singkat" in html
    assert "Tanggal kejadian tidak boleh di masa depan." in html
    # Errors are linked to their inputs and listed in a summary that links to them.
    assert 'aria-describedby="id_title_help id_title_errors"' in html
    assert 'aria-invalid="true"' in html
    assert 'href="#id_title"' in html
    # What was typed, including every region level, is still there.
    assert "pendek</textarea>" in html
    assert '<option value="64.08" selected>' in html
    assert '<option value="64.08.04.1001" selected>' in html
    assert 'value="Jl. Poros KM 12"' in html
    # The photo that passed the checks is kept on the server: no need to choose it again.
    assert "Sudah terunggah" in html
    assert "lubang.png" in html
    assert 'name="kept_upload"' in html


def test_bad_coordinates_are_refused(client, world):
    client.force_login(world.citizen)
    response = client.post(NEW, report_form_data(latitude="-0.5", longitude=""))
    assert response.status_code == 400
    assert "Lintang dan bujur harus diisi bersama." in response.content.decode()
    assert not Report.objects.exists()


def test_a_file_that_is_not_a_photo_or_pdf_is_refused_next_to_the_file_input(client, world):
    client.force_login(world.citizen)
    data = report_form_data()
    data["attachments"] = [SimpleUploadedFile("virus.png", b"MZ\x90\x00 not an image", "image/png")]
    response = client.post(NEW, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_attachments_errors"' in html
    assert not Report.objects.exists()
    assert not Attachment.objects.exists()


def test_sending_the_same_form_twice_files_one_report(client, world):
    client.force_login(world.citizen)
    first = client.post(NEW, report_form_data(token="same"))
    second = client.post(NEW, report_form_data(token="same"))
    assert Report.objects.count() == 1
    assert second.status_code == 302
    assert second["Location"] == first["Location"]


def test_a_report_may_be_filed_with_only_a_province_or_none(client, world):
    client.force_login(world.citizen)
    client.post(NEW, report_form_data(regency="", district="", village="", token="a"))
    client.post(NEW, report_form_data(province="", regency="", district="", village="", token="b"))
    assert set(Report.objects.values_list("region_id", flat=True)) == {"64", None}


# ------------------------------------------------------------------------------ the region cascade without JavaScript


def test_the_pilih_button_loads_the_next_level_and_keeps_everything_typed(client, world):
    client.force_login(world.citizen)
    data = report_form_data(regency="", district="", village="", aksi="pilih-province")
    response = client.post(NEW, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert not Report.objects.exists()
    assert '<option value="64.08">Kabupaten Kutai Timur</option>' in html
    assert '<option value="64.01">Kabupaten Paser</option>' in html
    assert 'value="Jalan berlubang di depan SDN 003"' in html
    # No error is shown for a form that is still being filled in.
    assert "errorlist" not in html


def test_changing_the_province_clears_the_levels_below_and_does_not_file_silently(client, world):
    client.force_login(world.citizen)
    # Kutai Timur's district under DKI Jakarta: the lower levels no longer fit.
    response = client.post(NEW, report_form_data(province="31"))
    html = response.content.decode()
    assert response.status_code == 400
    assert not Report.objects.exists()
    assert "Pilihan wilayah berubah" in html
    assert '<option value="31" selected>' in html
    assert '<option value="64.08" selected>' not in html


def test_region_children_are_served_as_json_for_the_script(client, world):
    response = client.get(reverse("portal:region-children", args=["64.08"]))
    assert response.status_code == 200
    assert response.json()["children"] == [
        {"code": "64.08.04", "name": "Sangatta Utara"},
        {"code": "64.08.05", "name": "Sangkulirang"},
    ]
    assert "max-age" in response["Cache-Control"]


def test_an_unknown_region_is_a_json_404_in_both_languages(client, db):
    response = client.get(reverse("portal:region-children", args=["99.99"]))
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["message_id"] and error["message_en"]


# ------------------------------------------------------------------------------ who may file


def test_staff_are_sent_to_their_workspace_instead(client, world):
    client.force_login(world.officer)
    response = client.get(NEW)
    assert response.status_code == 200
    assert "ruang kerja" in response.content.decode()
    assert "form_token" not in response.content.decode()


def test_a_guest_must_first_confirm_a_contact(client, world):
    response = client.get(NEW)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Kirim kode" in html
    assert 'name="title"' not in html
    # Posting a report without a verified contact files nothing.
    response = client.post(NEW, report_form_data())
    assert not Report.objects.exists()


def test_the_confirmation_page_is_only_for_the_reporter(client, world):
    report = world.report_in("submitted")
    url = reverse("portal:report-submitted", args=[report.tracking_number])
    assert client.get(url).status_code == 404
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    client.force_login(world.citizen)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("language", ["en"])
def test_the_form_speaks_english_when_asked(client, world, language):
    client.force_login(world.citizen)
    client.post(reverse("set_language"), {"language": language, "next": NEW})
    html = client.get(NEW).content.decode()
    assert "<h1>Report a problem</h1>" in html
    assert ">Report title</label>" in html
    assert "Damaged road" in html
    response = client.post(NEW, report_form_data(title=""))
    # Domain messages come in the reader's language too.
    assert "Title is required." in response.content.decode()


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        (
            "id",
            ["Judul wajib diisi.", 'Jenis berkas "catatan.png" tidak didukung'],
            ["Title is required.", 'File "catatan.png" is of an unsupported type'],
        ),
        (
            "en",
            ["Title is required.", 'File "catatan.png" is of an unsupported type'],
            ["Judul wajib diisi.", 'Jenis berkas "catatan.png" tidak didukung'],
        ),
    ],
)
def test_form_errors_are_shown_in_the_readers_language_only(client, world, language, shown, hidden):
    client.force_login(world.citizen)
    client.post(reverse("set_language"), {"language": language, "next": NEW})
    not_an_image = SimpleUploadedFile("catatan.png", b"<html>x</html>", content_type="image/png")
    response = client.post(NEW, report_form_data(title="", attachments=[not_an_image]))

    html = unescape(response.content.decode())
    assert response.status_code == 400
    for text in shown:
        assert text in html
    for text in hidden:
        assert text not in html
    assert not Report.objects.exists()


def test_a_point_outside_indonesia_is_refused_next_to_the_coordinates(client, world):
    client.force_login(world.citizen)
    response = client.post(NEW, report_form_data(latitude="51.5", longitude="-0.12"))

    assert response.status_code == 400
    assert response.context["form"].errors["latitude"] == [
        "Titik lokasi (51.5, -0.12) berada di luar Indonesia; periksa lintang dan bujurnya."
    ]
    assert not Report.objects.exists()
