"""Submitting reports: what is stored, and bad input that is refused without writing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from aduan.accounts.models import Reporter
from aduan.core.i18n import in_both
from aduan.notifications.models import Notification
from aduan.regions.models import GeoPlace
from aduan.reports.actions import ReporterDetails, submit_report
from aduan.reports.errors import ValidationFailed
from aduan.reports.models import Attachment, Report, ReportEvent


def photo(name="lubang.jpg", size=(64, 48)):
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (120, 90, 60))
    exif = Image.Exif()
    exif[0x010F] = "KameraMurah"  # Make
    image.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def valid(**overrides):
    data = {
        "report_type": "complaint",
        "title": "Sampah menumpuk di pasar",
        "body": "Sampah di Pasar Induk Sangatta tidak diangkut selama dua minggu.",
        "region": "64.08.04.1001",
        "category": "limbah",
        "incident_date": "2026-11-20",
    }
    data.update(overrides)
    return data


def counts():
    return (
        Report.objects.count(),
        ReportEvent.objects.count(),
        Attachment.objects.count(),
        Reporter.objects.count(),
        Notification.objects.count(),
    )


def test_a_citizen_submission_stores_the_report_its_event_photo_and_confirmation(world, tasks):
    result = submit_report(valid(), actor=world.citizen, files=[photo()])
    report = result.report
    assert report.status == "submitted"
    assert report.region_id == "64.08.04.1001"
    assert (report.province_code, report.regency_code) == ("64", "64.08")
    assert report.reporter.user == world.citizen
    assert report.channel == "web"
    assert report.events.get().type == "submitted"
    attachment = report.attachments.get()
    assert attachment.content_type == "image/jpeg"
    stored = Image.open(attachment.file.open("rb"))
    assert not stored.getexif()  # EXIF stripped on re-encoding
    notes = Notification.objects.filter(report=report, template="report_submitted")
    assert {n.channel for n in notes} == {"email", "sms"}
    tasks()
    from django.core import mail

    assert report.tracking_number in mail.outbox[0].subject
    assert result.secret in mail.outbox[0].body  # the private tracking link
    assert result.secret not in str(Notification.objects.values_list("context", flat=True)[0])


def test_a_guest_submission_needs_a_contact(world):
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        submit_report(valid(), actor=None, reporter=ReporterDetails(name="Tanpa Kontak"))
    assert "contact" in exc.value.errors
    assert counts() == before


def test_staff_entering_a_report_at_the_counter_records_the_channel(world):
    result = submit_report(
        valid(channel="counter"),
        actor=world.agency_admin,
        reporter=ReporterDetails(name="Pak Rahmat", phone="0812 5555 1234"),
    )
    report = result.report
    assert report.channel == "counter"
    assert report.reporter.user is None and report.reporter.phone == "+6281255551234"
    assert report.events.get().actor == world.agency_admin


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"body": "  "}, "body"),
        ({"body": "pendek"}, "body"),
        ({"report_type": "gossip"}, "report_type"),
        ({"region": "99.99"}, "region"),
        ({"category": "tidak-ada"}, "category"),
        ({"incident_date": "kemarin"}, "incident_date"),
        ({"incident_date": "2099-01-01"}, "incident_date"),
        ({"latitude": "91", "longitude": "117"}, "latitude"),
        ({"latitude": "51.5", "longitude": "-0.12"}, "latitude"),
        ({"latitude": "117.5", "longitude": "0.5"}, "latitude"),
        ({"latitude": "abc", "longitude": "117"}, "latitude"),
        ({"latitude": "0.5"}, "latitude"),
        ({"channel": "pigeon"}, "channel"),
    ],
)
def test_bad_input_names_the_field_in_both_languages_and_writes_nothing(world, overrides, field):
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        submit_report(valid(**overrides), actor=world.citizen)
    assert field in exc.value.errors
    # One translatable message, with an English translation of its Indonesian msgid.
    indonesian, english = in_both(exc.value.errors[field][0])
    assert indonesian and english and indonesian != english
    assert counts() == before


def test_every_problem_is_reported_at_once(world):
    with pytest.raises(ValidationFailed) as exc:
        submit_report(valid(title="", body="", region="00"), actor=world.citizen)
    assert {"title", "body", "region"} <= set(exc.value.errors)


def test_a_fake_image_is_refused_and_nothing_is_written(world, settings, tmp_path):
    before = counts()
    fake = SimpleUploadedFile("foto.jpg", b"MZ\x90\x00 this is an exe", content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as exc:
        submit_report(valid(), actor=world.citizen, files=[photo(), fake])
    assert "attachments" in exc.value.errors
    assert counts() == before
    media = tmp_path / "media"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_an_oversized_file_is_refused(world, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        submit_report(valid(), actor=world.citizen, files=[photo(size=(400, 400))])
    assert "terlalu besar" in exc.value.messages()["attachments"][0]
    assert counts() == before


def test_too_many_files_are_refused(world, settings):
    settings.ATTACHMENT_MAX_COUNT = 2
    with pytest.raises(ValidationFailed):
        submit_report(valid(), actor=world.citizen, files=[photo(), photo(), photo()])
    assert Report.objects.count() == 0


def test_a_failure_after_files_were_written_removes_them(world, monkeypatch, tmp_path):
    from aduan.reports import actions

    def broken(*args, **kwargs):
        raise RuntimeError("mail queue down")

    monkeypatch.setattr(actions.intake, "notify_reporter", broken)
    with pytest.raises(RuntimeError):
        submit_report(valid(), actor=world.citizen, files=[photo()])
    assert Report.objects.count() == 0 and Attachment.objects.count() == 0
    media = tmp_path / "media"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_report_with_only_coordinates_gets_a_suggested_region_and_is_accepted(world):
    GeoPlace.objects.create(
        name="Sangatta",
        latitude=0.5049,
        longitude=117.5279,
        regency=world.kutim,
        district=world.sangatta_utara,
        source="test",
    )
    result = submit_report(
        valid(region="", latitude="0.51", longitude="117.52"), actor=world.citizen
    )
    report = result.report
    assert report.region is None
    assert report.suggested_region_id == "64.08.04"
    assert "Sangatta" in report.region_suggestion_reason
    event = report.events.get(type="region_suggested")
    assert event.visibility == "internal"


def test_a_report_without_any_location_is_still_accepted(world):
    report = submit_report(valid(region=""), actor=world.citizen).report
    assert report.region is None and report.status == "submitted"


def test_null_bytes_and_surrounding_space_are_cleaned(world):
    report = submit_report(valid(title="  Jalan\x00 rusak  "), actor=world.citizen).report
    assert report.title == "Jalan rusak"


def test_a_guest_gets_report_and_contact_problems_together(world):
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        submit_report(valid(title=""), actor=None, reporter=ReporterDetails(name="Tamu", nik="123"))
    assert {"title", "nik", "contact"} <= set(exc.value.errors)
    assert counts() == before


def test_an_account_holder_needs_no_typed_contact(world):
    report = submit_report(valid(), actor=world.citizen, reporter=None).report
    assert report.reporter.user == world.citizen


def test_a_point_outside_indonesia_is_refused_with_the_point_named(world):
    with pytest.raises(ValidationFailed) as exc:
        submit_report(valid(latitude="51.5", longitude="-0.12"), actor=world.citizen)

    assert in_both(exc.value.errors["latitude"][0]) == (
        "Titik lokasi (51.5, -0.12) berada di luar Indonesia; periksa lintang dan bujurnya.",
        "The location (51.5, -0.12) is outside Indonesia; check its latitude and longitude.",
    )
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        ("0.5012", "117.5403"),  # Sangatta
        ("-10.98", "122.86"),  # Pulau Ndana, the southernmost island
        ("6.07", "95.12"),  # Pulau Rondo, the northernmost
        ("-8.5", "140.98"),  # Sota, on the border with Papua New Guinea
    ],
)
def test_points_across_indonesia_are_accepted(world, latitude, longitude):
    report = submit_report(
        valid(latitude=latitude, longitude=longitude), actor=world.citizen
    ).report
    assert (str(report.latitude), str(report.longitude)) == (
        f"{float(latitude):.6f}",
        f"{float(longitude):.6f}",
    )


@pytest.mark.parametrize(
    "title",
    [
        "Jalan rusak\u202egnp.exe",  # right-to-left override
        "Jalan rusak \u2066di pasar\u2069",  # isolates
        "Jalan rusak\x1b[31m merah",  # a terminal escape
        "Jalan rusak\x85 di pasar",  # a C1 control
    ],
)
def test_a_title_with_control_or_direction_characters_is_refused(world, title):
    """The attack: control characters and right-to-left overrides were stored in titles."""
    before = counts()
    with pytest.raises(ValidationFailed) as refused:
        submit_report(valid(title=title), actor=world.citizen)
    message_id, message_en = in_both(refused.value.errors["title"][0])
    assert "karakter kontrol" in message_id
    assert "control characters" in message_en
    assert counts() == before


def test_line_breaks_in_a_title_become_spaces(world):
    report = submit_report(valid(title="Sampah\r\nmenumpuk\tdi pasar"), actor=world.citizen).report
    assert report.title == "Sampah menumpuk di pasar"


def test_a_verifier_cannot_put_a_direction_override_into_a_title(world):
    from aduan.reports import actions
    from aduan.reports.errors import InvalidInput

    report = submit_report(valid(), actor=world.citizen).report
    with pytest.raises(InvalidInput):
        actions.verify_report(report, actor=world.national_admin, title="A\u202eB")
