"""The report workspace's files: generated names, who sees them, and the buttons with
which an admin publishes a reporter's file or withdraws it from the public."""

from django.urls import reverse

from aduan.reports.models import EventType, Visibility

from .helpers import page_text, png, report_url


def visibility_url(report, attachment) -> str:
    return reverse(
        "workspace:attachment-visibility", args=[report.tracking_number, attachment.uuid]
    )


def test_the_page_lists_a_reporter_s_photo_under_its_generated_name_with_a_publish_button(
    signed_in, world
):
    report = world.report_in("dispositioned", files=[png("Siti_081234567890.png")])
    attachment = report.attachments.get()

    page = page_text(signed_in(world.national_admin).get(report_url(report)))

    assert "foto-1.png" in page
    assert "Siti_081234567890" not in page
    assert "Pelapor dan petugas" in page
    assert visibility_url(report, attachment) in page


def test_an_admin_publishes_a_photo_from_the_report_page(signed_in, world):
    report = world.report_in("dispositioned", files=[png()])
    attachment = report.attachments.get()
    client = signed_in(world.agency_admin)

    response = client.post(visibility_url(report, attachment), {"publish": "1"})

    assert response.status_code == 302
    assert response["Location"] == f"{report_url(report)}#lampiran-{attachment.uuid}"
    attachment.refresh_from_db()
    assert attachment.visibility == Visibility.PUBLIC
    event = report.events.order_by("-seq").first()
    assert (event.type, event.actor) == (EventType.ATTACHMENT_PUBLISHED, world.agency_admin)
    page = page_text(client.get(response["Location"]))
    assert "Lampiran foto-1.png kini tampil di halaman publik." in page
    assert "Sembunyikan dari publik" in page


def test_an_admin_withdraws_a_published_photo(signed_in, world):
    report = world.report_in("in_progress", files=[png()])
    attachment = report.attachments.get()
    client = signed_in(world.national_admin)
    client.post(visibility_url(report, attachment), {"publish": "1"})

    response = client.post(visibility_url(report, attachment), {"publish": "0"})

    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.visibility == Visibility.PARTIES


def test_a_unit_officer_sees_the_file_but_no_button_and_is_refused(signed_in, world):
    report = world.report_in("in_progress", files=[png()])
    attachment = report.attachments.get()
    client = signed_in(world.officer)

    page = page_text(client.get(report_url(report)))
    response = client.post(visibility_url(report, attachment), {"publish": "1"})

    assert "foto-1.png" in page
    assert visibility_url(report, attachment) not in page
    assert response.status_code == 403
    assert "publish_attachment" in page_text(response)
    attachment.refresh_from_db()
    assert attachment.visibility == Visibility.PARTIES


def test_a_confidential_report_offers_no_publish_button_and_refuses_with_a_message(
    signed_in, world
):
    report = world.report_in("in_progress", is_confidential=True, files=[png()])
    attachment = report.attachments.get()
    client = signed_in(world.national_admin)

    page = page_text(client.get(report_url(report)))
    response = client.post(visibility_url(report, attachment), {"publish": "1"})

    assert visibility_url(report, attachment) not in page
    assert response.status_code == 400
    assert "Lampiran laporan rahasia tidak dapat dipublikasikan." in page_text(response)
    attachment.refresh_from_db()
    assert attachment.visibility == Visibility.PARTIES


def test_staff_outside_the_report_s_scope_get_a_404(signed_in, world):
    report = world.report_in("in_progress", files=[png()])
    attachment = report.attachments.get()

    response = signed_in(world.other_admin).post(
        visibility_url(report, attachment), {"publish": "1"}
    )

    assert response.status_code == 404
    attachment.refresh_from_db()
    assert attachment.visibility == Visibility.PARTIES


def test_a_staff_download_carries_the_generated_name(signed_in, world):
    report = world.report_in("in_progress", files=[png("Siti_081234567890.png")])
    attachment = report.attachments.get()

    response = signed_in(world.officer).get(
        reverse("workspace:attachment", args=[report.tracking_number, attachment.uuid])
    )

    assert response.status_code == 200
    assert 'filename="foto-1.png"' in response["Content-Disposition"]
