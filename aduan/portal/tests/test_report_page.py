"""One report's page: what the public and the reporter see, the reporter's actions, the
attachments, and tracking by number."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from aduan.reports import actions as a
from aduan.reports import tracking
from aduan.reports.models import Attachment, EventType, Status, Visibility

from .conftest import png_upload

WITA = ZoneInfo("Asia/Makassar")


def detail(report) -> str:
    return reverse("portal:report-detail", args=[report.tracking_number])


def secret_of(world, **data):
    """A guest's report and the secret of its tracking link."""
    from aduan.reports.actions import ReporterDetails, submit_report

    payload = {
        "title": "Sampah menumpuk di pasar",
        "body": "Sampah tidak diangkut seminggu dan berbau busuk.",
        "region": "64.08.04",
        "category": "limbah",
    } | data
    result = submit_report(
        payload, actor=None, reporter=ReporterDetails(name="Tamu Rahasia", email="tamu@example.com")
    )
    return result.report, result.secret


def open_with_secret(client, report, secret):
    return client.get(detail(report) + f"?kunci={secret}", follow=True)


# ------------------------------------------------------------------------------ the public


def test_the_public_sees_a_published_report_with_its_public_history(client, world):
    report = world.report_in("in_progress")
    a.put_on_hold(report, "Mohon kirim foto lubang dari dekat.", actor=world.officer)
    a.add_information(report, "Foto menyusul, lubangnya dua meter.", actor=world.citizen)
    a.add_internal_note(report, "Cek anggaran pemeliharaan.", actor=world.officer)

    response = client.get(detail(report))
    html = response.content.decode()
    assert response.status_code == 200
    assert report.title in html
    assert "Didisposisikan ke instansi" in html
    assert "Dinas Pekerjaan Umum Kutai Timur" in html
    # Questions and answers between reporter and staff, and internal notes, stay private.
    assert "Mohon kirim foto" not in html
    assert "lubangnya dua meter" not in html
    assert "anggaran pemeliharaan" not in html
    # No identity, ever, on a public page.
    assert "Siti" not in html and "siti@example.com" not in html
    assert "Tindakan Anda" not in html


def test_deadlines_read_in_plain_words_in_the_agencys_time_zone(client, world):
    from aduan.portal.display import long_date

    report = world.report_in("dispositioned")
    html = client.get(detail(report)).content.decode()
    due = long_date(report.first_response_due_at, "Asia/Makassar")
    assert f"Dinas Pekerjaan Umum Kutai Timur wajib menanggapi paling lambat {due}." in html
    completion = long_date(report.completion_due_at, "Asia/Makassar")
    assert f"wajib menyelesaikan laporan ini paling lambat {completion}." in html


@pytest.mark.parametrize("status", ["submitted", "on_hold", "archived", "withdrawn"])
def test_unpublished_reports_are_not_found_for_the_public(client, world, status):
    report = world.report_in(status)
    assert client.get(detail(report)).status_code == 404
    client.force_login(world.outsider)
    assert client.get(detail(report)).status_code == 404


def test_a_confidential_report_is_not_found_for_the_public_but_opens_for_its_reporter(
    client, world
):
    report = world.report_in("in_progress", is_confidential=True)
    assert client.get(detail(report)).status_code == 404
    client.force_login(world.outsider)
    assert client.get(detail(report)).status_code == 404
    client.force_login(world.citizen)
    response = client.get(detail(report))
    assert response.status_code == 200
    assert "Laporan ini rahasia" in response.content.decode()


def test_a_mistyped_or_unknown_number_is_not_found(client, world):
    report = world.report_in("in_progress")
    wrong = report.tracking_number[:-1] + str((int(report.tracking_number[-1]) + 1) % 10)
    assert client.get(f"/lacak/{wrong}/").status_code == 404
    assert client.get(f"/lacak/{tracking.format_number('PST', 26, 9_999_999)}/").status_code == 404
    assert client.get("/lacak/bukan-nomor/").status_code == 404


def test_an_anonymous_report_shows_no_identity(client, world):
    report = world.report_in("closed", is_anonymous=True)
    html = client.get(detail(report)).content.decode()
    for personal in ("Siti", "Aminah", "siti@example.com", "081234567890", "6408041234567890"):
        assert personal not in html


# ------------------------------------------------------------------------------ the secret link


def test_the_secret_link_opens_the_report_for_a_guest_and_leaves_the_address_bar(client, world):
    report, secret = secret_of(world, is_confidential=True)
    a.put_on_hold(report, "Di pasar yang mana?", actor=world.national_admin)

    first = client.get(detail(report) + f"?kunci={secret}")
    assert first.status_code == 302 and first["Location"] == detail(report)
    html = client.get(detail(report)).content.decode()
    assert "Ini laporan Anda." in html
    # The reporter sees the staff's question (visible to the parties only).
    assert "Di pasar yang mana?" in html
    assert "Hanya Anda dan petugas" in html
    assert "Kirim informasi yang diminta petugas" in html


def test_a_wrong_secret_opens_nothing(client, world):
    report, _secret = secret_of(world)
    assert client.get(detail(report) + "?kunci=tebakan").status_code == 404
    assert client.get(detail(report) + "?kunci=").status_code == 404
    # And gives no access to the report afterwards.
    assert client.get(detail(report)).status_code == 404


def test_a_session_key_for_one_report_opens_no_other(client, world):
    report, secret = secret_of(world)
    other, _ = secret_of(world, title="Laporan orang lain")
    open_with_secret(client, report, secret)
    assert client.get(detail(other)).status_code == 404
    # A known secret tried against another number opens nothing either.
    assert client.get(detail(other) + f"?kunci={secret}").status_code == 404


# ------------------------------------------------------------------------------ reporter actions


def post_action(client, report, name, data, files=None):
    url = reverse(f"portal:report-{name}", args=[report.tracking_number])
    prefix = {"add-information": "information"}.get(name, name)
    body = {f"{prefix}-{key}": value for key, value in data.items()}
    for value in files or []:
        body.setdefault(f"{prefix}-attachments", []).append(value)
    return client.post(url, body)


def test_a_guest_answers_an_information_request_with_a_photo(client, world):
    report, secret = secret_of(world)
    a.put_on_hold(report, "Di pasar yang mana?", actor=world.national_admin)
    open_with_secret(client, report, secret)

    response = post_action(
        client, report, "add-information", {"text": "Pasar Induk Sangatta."}, [png_upload()]
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    event = report.events.get(type=EventType.INFORMATION_ADDED)
    assert event.payload["text"] == "Pasar Induk Sangatta." and event.actor_role == "reporter"
    attachment = Attachment.objects.get(event=event)
    assert attachment.visibility == Visibility.PARTIES
    follow = client.get(response["Location"]).content.decode()
    assert "Informasi tambahan Anda telah dikirim" in follow


def test_an_empty_answer_is_refused_and_changes_nothing(client, world):
    report, secret = secret_of(world)
    a.put_on_hold(report, "Di pasar yang mana?", actor=world.national_admin)
    open_with_secret(client, report, secret)
    response = post_action(client, report, "add-information", {"text": ""})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.ON_HOLD


def test_the_reporter_replies_to_a_follow_up(client, world):
    report = world.report_in("responded")
    client.force_login(world.citizen)
    response = post_action(client, report, "reply", {"text": "Lubang di KM 13 belum ditambal."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    assert report.events.filter(type=EventType.REPORTER_REPLIED).exists()


def test_the_reporter_accepts_with_a_rating(client, world):
    report = world.report_in("responded")
    client.force_login(world.citizen)
    response = post_action(client, report, "accept", {"rating": "4", "comment": "Cepat."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.CLOSED and report.rating == 4


def test_the_reporter_rates_a_closed_report_once(client, world):
    report = world.report_in("closed")
    client.force_login(world.citizen)
    assert post_action(client, report, "rate", {"rating": "5"}).status_code == 302
    again = post_action(client, report, "rate", {"rating": "1"})
    assert again.status_code == 400
    assert "sudah dinilai" in again.content.decode()
    report.refresh_from_db()
    assert report.rating == 5


def test_a_rating_outside_one_to_five_is_refused(client, world):
    report = world.report_in("closed")
    client.force_login(world.citizen)
    response = post_action(client, report, "rate", {"rating": "9"})
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.rating is None


def test_the_reporter_contests_once(client, world):
    report = world.report_in("responded")
    client.force_login(world.citizen)
    response = post_action(client, report, "contest", {"reason": "Hanya ditimbun tanah."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS and report.appeal_used
    a.post_follow_up(report, "Sudah diaspal.", actor=world.officer)
    page = client.get(detail(report)).content.decode()
    assert "Ajukan banding" not in page
    second = post_action(client, report, "contest", {"reason": "Lagi."})
    assert second.status_code == 400
    assert "Banding hanya dapat diajukan satu kali." in second.content.decode()


def test_the_appeal_form_is_offered_only_within_ten_working_days_of_closing(client, world):
    # Closed on Monday 6 July 2026: the window ends on Monday 20 July.
    with time_machine.travel(dt.datetime(2026, 7, 6, 10, tzinfo=WITA), tick=False):
        report = world.report_in("closed")
    client.force_login(world.citizen)
    with time_machine.travel(dt.datetime(2026, 7, 20, 10, tzinfo=WITA), tick=False):
        assert "Ajukan banding" in client.get(detail(report)).content.decode()
    with time_machine.travel(dt.datetime(2026, 7, 21, 10, tzinfo=WITA), tick=False):
        assert "Ajukan banding" not in client.get(detail(report)).content.decode()


def test_withdrawing_needs_a_confirmation(client, world):
    report = world.report_in("in_progress")
    client.force_login(world.citizen)
    refused = post_action(client, report, "withdraw", {"reason": "Sudah diperbaiki warga."})
    assert refused.status_code == 400
    assert "Centang kotak ini" in refused.content.decode()
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    done = post_action(client, report, "withdraw", {"reason": "Sudah diperbaiki.", "confirm": "on"})
    assert done.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.WITHDRAWN


def test_an_action_the_status_does_not_allow_is_explained(client, world):
    report = world.report_in("in_progress")
    client.force_login(world.citizen)
    response = post_action(client, report, "accept", {"rating": ""})
    assert response.status_code == 409
    assert "tidak dapat dilakukan pada laporan berstatus Diproses" in response.content.decode()


@pytest.mark.parametrize(
    "name,data",
    [
        ("add-information", {"text": "Saya bukan pelapornya."}),
        ("reply", {"text": "x"}),
        ("accept", {}),
        ("contest", {"reason": "x"}),
        ("rate", {"rating": "1"}),
        ("withdraw", {"confirm": "on"}),
    ],
)
def test_nobody_but_the_reporter_may_act(client, world, name, data):
    report = world.report_in("responded")
    events = report.events.count()
    assert post_action(client, report, name, data).status_code == 404
    client.force_login(world.outsider)
    assert post_action(client, report, name, data).status_code == 404
    client.force_login(world.officer)
    assert post_action(client, report, name, data).status_code == 404
    assert report.events.count() == events


def test_the_action_pages_do_not_answer_get(client, world):
    report = world.report_in("responded")
    client.force_login(world.citizen)
    assert (
        client.get(reverse("portal:report-accept", args=[report.tracking_number])).status_code
        == 405
    )


# ------------------------------------------------------------------------------ attachments


def attachment_url(attachment) -> str:
    return reverse("portal:attachment", args=[attachment.uuid])


def test_public_photos_of_a_published_report_are_served_safely(client, world):
    report = world.report_in("submitted")
    a.dispose_report(report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin)
    a.post_follow_up(
        report, "Sudah ditambal.", actor=world.officer, files=[png_upload("hasil.png")]
    )
    attachment = Attachment.objects.get()
    assert attachment_url(attachment) in client.get(detail(report)).content.decode()
    response = client.get(attachment_url(attachment))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]


def test_the_reporters_own_attachments_reach_only_the_reporter(client, world):
    report = world.report_in("in_progress")
    a.put_on_hold(report, "Foto?", actor=world.officer)
    a.add_information(report, "Ini fotonya.", actor=world.citizen, files=[png_upload()])
    attachment = Attachment.objects.get()
    assert attachment.visibility == Visibility.PARTIES
    assert client.get(attachment_url(attachment)).status_code == 404
    client.force_login(world.outsider)
    assert client.get(attachment_url(attachment)).status_code == 404
    client.force_login(world.citizen)
    response = client.get(attachment_url(attachment))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_internal_attachments_are_never_served_here(client, world):
    report = world.report_in("in_progress")
    a.add_internal_note(report, "Foto internal.", actor=world.officer, files=[png_upload()])
    attachment = Attachment.objects.get()
    client.force_login(world.citizen)
    assert client.get(attachment_url(attachment)).status_code == 404


def test_photos_of_an_unpublished_or_confidential_report_are_not_public(client, world):
    from aduan.reports.actions import submit_report

    submitted = submit_report(
        {"title": "Judul", "body": "Isi laporan yang cukup panjang."},
        actor=world.citizen,
        files=[png_upload()],
    ).report
    confidential = world.report_in("in_progress", is_confidential=True)
    a.post_follow_up(confidential, "Selesai.", actor=world.officer, files=[png_upload("b.png")])
    for attachment in Attachment.objects.filter(report__in=[submitted, confidential]):
        assert client.get(attachment_url(attachment)).status_code == 404
    client.force_login(world.citizen)
    for attachment in Attachment.objects.filter(report__in=[submitted, confidential]):
        assert client.get(attachment_url(attachment)).status_code == 200


def test_an_unknown_attachment_is_not_found(client, db):
    assert client.get("/lampiran/00000000-0000-0000-0000-000000000000/").status_code == 404


# ------------------------------------------------------------------------------ tracking by number


def test_tracking_a_public_report_by_number_goes_to_its_page(client, world):
    report = world.report_in("in_progress")
    typed = report.tracking_number.lower().replace("-", " ")
    response = client.get("/lacak/", {"nomor": typed})
    assert response.status_code == 302 and response["Location"] == detail(report)


def test_a_mistyped_number_is_caught_by_its_check_digit(client, world):
    report = world.report_in("in_progress")
    number = report.tracking_number
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    response = client.get("/lacak/", {"nomor": wrong})
    assert response.status_code == 400
    assert "Nomor laporan tidak valid" in response.content.decode()
    assert report.title not in response.content.decode()


def test_a_report_the_public_may_not_see_reads_as_not_found(client, world):
    hidden = world.report_in("in_progress", is_confidential=True)
    response = client.get("/lacak/", {"nomor": hidden.tracking_number})
    unused = tracking.format_number("PST", 26, 9_999_999)
    missing = client.get("/lacak/", {"nomor": unused})
    assert response.status_code == missing.status_code == 404
    page = response.content.decode()
    assert "tidak ditemukan atau tidak ditampilkan untuk publik" in page
    assert "tautan rahasia" in page
    assert hidden.title not in page

    # The same words for a report that does not exist at all.
    def main(html, number):
        return html[html.index("<main") : html.index("</main>")].replace(number, "")

    assert main(page, hidden.tracking_number) == main(missing.content.decode(), unused)


def test_the_reporter_tracks_their_own_hidden_report(client, world):
    report = world.report_in("submitted")
    client.force_login(world.citizen)
    response = client.get("/lacak/", {"nomor": report.tracking_number})
    assert response.status_code == 302


def test_the_track_page_asks_for_a_number(client, db):
    response = client.get("/lacak/")
    assert response.status_code == 200
    assert 'for="id_nomor"' in response.content.decode()


def test_the_report_page_costs_the_same_queries_however_long_its_history(
    client, world, django_assert_max_num_queries
):
    report = world.report_in("in_progress")
    client.force_login(world.citizen)
    client.get(detail(report))
    # 16 with the count of duplicates merged into the report (one indexed COUNT).
    with django_assert_max_num_queries(16) as short:
        client.get(detail(report))
    for i in range(6):
        a.put_on_hold(report, f"Pertanyaan {i}", actor=world.officer)
        a.add_information(
            report, f"Jawaban {i}", actor=world.citizen, files=[png_upload()] if i < 4 else []
        )
    with django_assert_max_num_queries(len(short.captured_queries)):
        html = client.get(detail(report)).content.decode()
    assert "Pertanyaan 5" in html and "Jawaban 5" in html
