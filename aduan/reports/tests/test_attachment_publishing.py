"""A reporter's files: stored under generated names, shared with the staff only, until an
admin who verifies reports publishes one (and may withdraw it again)."""

import importlib
import io

import pikepdf
import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from aduan.reports import actions as a
from aduan.reports.errors import InvalidInput, InvalidTransition, NotAllowed
from aduan.reports.events import verify_report_chain
from aduan.reports.models import Attachment, EventType, Visibility


def photo(name: str = "Siti_081234567890.jpg", fmt: str = "JPEG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 120, 60)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue())


def document(name: str = "Surat_Siti_Aminah.pdf") -> SimpleUploadedFile:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    buffer = io.BytesIO()
    pdf.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def stored(report) -> list[tuple[str, str, bool]]:
    return list(
        Attachment.objects.filter(report=report)
        .order_by("created_at", "id")
        .values_list("name", "visibility", "uploaded_by_reporter")
    )


def history(report) -> list[str]:
    return list(report.events.order_by("seq").values_list("type", flat=True))


# ------------------------------------------------------------------------------ storing


def test_a_reporter_s_files_get_generated_names_and_stay_between_reporter_and_staff(world):
    report = world.report_in("responded", files=[photo(), document()])
    a.reporter_reply(
        report, "Masih ada lubang.", actor=world.citizen, files=[photo("IMG_Budi.png", "PNG")]
    )

    assert stored(report) == [
        ("foto-1.jpg", "parties", True),
        ("lampiran-2.pdf", "parties", True),
        ("foto-3.png", "parties", True),
    ]
    for attachment in Attachment.objects.filter(report=report):
        assert "Siti" not in attachment.file.name and "Budi" not in attachment.file.name
        assert attachment.file.name == (
            f"attachments/{report.uuid}/{attachment.uuid}{attachment.extension}"
        )


def test_files_added_as_information_are_the_reporter_s_too(world):
    report = world.report_in("on_hold")

    a.add_information(report, "Foto terlampir.", actor=world.citizen, files=[photo()])

    assert stored(report) == [("foto-1.jpg", "parties", True)]


def test_files_staff_type_in_for_a_citizen_at_the_counter_are_the_reporter_s(world):
    result = a.submit_report(
        {"title": "Drainase tersumbat", "body": "Air meluap ke rumah warga setiap hujan."},
        actor=world.agency_admin,
        reporter=a.ReporterDetails(name="Ibu Rina", phone="081200000001"),
        files=[photo()],
    )

    assert stored(result.report) == [("foto-1.jpg", "parties", True)]


def test_files_staff_attach_to_a_follow_up_are_public_and_to_a_note_internal(world):
    report = world.report_in("in_progress")
    a.add_internal_note(report, "Foto survei.", actor=world.officer, files=[photo()])
    a.post_follow_up(report, "Sudah ditambal.", actor=world.officer, files=[photo()])

    assert stored(report) == [("foto-1.jpg", "internal", False), ("foto-2.jpg", "public", False)]


# ------------------------------------------------------------------------------ publishing


def test_an_admin_publishes_a_reporter_s_file_with_an_event_the_reporter_sees(world):
    report = world.report_in("dispositioned", files=[photo()])
    attachment = report.attachments.get()
    seq_before = report.events.count()

    published = a.publish_attachment(attachment, actor=world.national_admin)

    attachment.refresh_from_db()
    report.refresh_from_db()
    assert published.visibility == attachment.visibility == Visibility.PUBLIC
    event = report.events.order_by("-seq").first()
    assert event.seq == seq_before + 1 == report.last_event_seq
    assert (event.type, event.visibility, event.actor) == (
        EventType.ATTACHMENT_PUBLISHED,
        Visibility.PARTIES,
        world.national_admin,
    )
    assert event.payload == {"attachment": str(attachment.uuid), "name": "foto-1.jpg"}
    assert verify_report_chain(report) == []


def test_publishing_twice_changes_nothing_the_second_time(world):
    report = world.report_in("dispositioned", files=[photo()])
    attachment = report.attachments.get()
    a.publish_attachment(attachment, actor=world.agency_admin)
    events = report.events.count()

    a.publish_attachment(attachment, actor=world.agency_admin)

    assert report.events.count() == events


def test_a_published_file_can_be_withdrawn_from_the_public(world):
    report = world.report_in("in_progress", files=[photo()])
    attachment = report.attachments.get()
    a.publish_attachment(attachment, actor=world.national_admin)

    a.unpublish_attachment(attachment, actor=world.agency_admin)

    attachment.refresh_from_db()
    assert attachment.visibility == Visibility.PARTIES
    assert history(report)[-2:] == [
        EventType.ATTACHMENT_PUBLISHED,
        EventType.ATTACHMENT_UNPUBLISHED,
    ]
    assert report.events.order_by("-seq").first().actor == world.agency_admin


def test_a_follow_up_s_public_file_can_be_withdrawn_too(world):
    report = world.report_in("in_progress")
    a.post_follow_up(report, "Sudah ditambal.", actor=world.officer, files=[photo()])
    attachment = report.attachments.get()

    a.unpublish_attachment(attachment, actor=world.national_admin)

    attachment.refresh_from_db()
    assert attachment.visibility == Visibility.PARTIES


@pytest.mark.parametrize("who", ["officer", "dlh_officer", "other_admin", "supervisor", "citizen"])
def test_units_supervisors_outsiders_and_the_reporter_may_not_publish(world, who):
    report = world.report_in("in_progress", files=[photo()])
    attachment = report.attachments.get()
    events = history(report)

    with pytest.raises(NotAllowed):
        a.publish_attachment(attachment, actor=getattr(world, who))

    attachment.refresh_from_db()
    assert attachment.visibility == Visibility.PARTIES
    assert history(report) == events


def test_an_agency_that_verifies_its_own_region_publishes_before_disposing(world):
    world.pemkab.verifies_own_region = True
    world.pemkab.save()
    report = world.report_in("submitted", files=[photo()])

    a.publish_attachment(report.attachments.get(), actor=world.agency_admin)

    assert stored(report) == [("foto-1.jpg", "public", True)]


def test_an_internal_note_s_file_is_never_published(world):
    report = world.report_in("in_progress")
    a.add_internal_note(report, "Foto survei.", actor=world.officer, files=[photo()])
    attachment = report.attachments.get()
    events = history(report)

    with pytest.raises(InvalidInput) as refused:
        a.publish_attachment(attachment, actor=world.national_admin)
    with pytest.raises(InvalidInput):
        a.unpublish_attachment(attachment, actor=world.national_admin)

    assert refused.value.code == "attachment_internal"
    attachment.refresh_from_db()
    assert attachment.visibility == Visibility.INTERNAL
    assert history(report) == events


def test_a_confidential_report_s_files_are_never_published(world):
    report = world.report_in("in_progress", is_confidential=True, files=[photo()])
    attachment = report.attachments.get()

    with pytest.raises(InvalidInput) as refused:
        a.publish_attachment(attachment, actor=world.national_admin)

    assert refused.value.code == "report_confidential"
    assert "rahasia" in refused.value.message_id
    assert "confidential" in refused.value.message_en
    attachment.refresh_from_db()
    assert attachment.visibility == Visibility.PARTIES


@pytest.mark.parametrize("status", ["archived", "withdrawn"])
def test_files_of_archived_or_withdrawn_reports_are_not_published_but_can_be_withdrawn(
    world, status
):
    report = world.report_in("submitted", files=[photo()])
    attachment = report.attachments.get()
    a.publish_attachment(attachment, actor=world.national_admin)
    if status == "archived":
        a.archive_report(report, "spam", actor=world.national_admin)
    else:
        a.withdraw_report(report, actor=world.citizen)

    a.unpublish_attachment(attachment, actor=world.national_admin)
    with pytest.raises(InvalidTransition):
        a.publish_attachment(attachment, actor=world.national_admin)

    attachment.refresh_from_db()
    assert attachment.visibility == Visibility.PARTIES


# ------------------------------------------------------------------------------ existing rows


def migration(name: str):
    return importlib.import_module(f"aduan.reports.migrations.{name}")


def test_existing_attachments_get_generated_names_per_report_and_keep_their_files(world):
    first = world.report_in("in_progress", files=[photo(), document()])
    a.post_follow_up(first, "Sudah ditambal.", actor=world.officer, files=[photo()])
    second = world.report_in("in_progress", files=[photo()])
    # As rows stood before: the names the files had on the senders' devices.
    Attachment.objects.update(name="Siti_081234567890.jpg")
    files = dict(Attachment.objects.values_list("pk", "file"))

    migration("0011_attachment_generated_names").generate_names(django_apps, None)

    assert [name for name, _, _ in stored(first)] == ["foto-1.jpg", "lampiran-2.pdf", "foto-3.jpg"]
    assert [name for name, _, _ in stored(second)] == ["foto-1.jpg"]
    assert dict(Attachment.objects.values_list("pk", "file")) == files
    for attachment in Attachment.objects.all():
        assert attachment.file.storage.exists(attachment.file.name)


def test_existing_public_files_of_reporters_become_private_and_follow_ups_stay_public(world):
    counter = a.submit_report(
        {"title": "Drainase tersumbat", "body": "Air meluap ke rumah warga setiap hujan."},
        actor=world.agency_admin,
        reporter=a.ReporterDetails(name="Ibu Rina", phone="081200000001"),
        files=[photo()],
    ).report
    report = world.report_in("in_progress", files=[photo()])
    a.post_follow_up(report, "Sudah ditambal.", actor=world.officer, files=[photo()])
    # As rows stood before: a submission's files were public, and the counter's were not
    # marked as the reporter's.
    Attachment.objects.filter(event__type=EventType.SUBMITTED).update(visibility="public")
    Attachment.objects.filter(report=counter).update(uploaded_by_reporter=False)

    migration("0012_reporter_files_private").hide_reporter_files(django_apps, None)

    assert stored(counter) == [("foto-1.jpg", "parties", True)]
    assert stored(report) == [("foto-1.jpg", "parties", True), ("foto-2.jpg", "public", False)]
