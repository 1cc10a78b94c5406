"""POST requests (form-encoded, multipart as an extension) and tokens."""

import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from aduan.accounts.models import Role, User
from aduan.api.keys import issue_key
from aduan.notifications.models import Notification
from aduan.reports import actions as a
from aduan.reports.actors import Actor
from aduan.reports.models import Attachment, Report, ReportEvent

from .conftest import BASE, body, post_form

pytestmark = pytest.mark.django_db
CONFIDENTIAL = "attribute[confidential]"


def photo(name="lubang.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (120, 90, 60)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_a_guest_report_posted_by_an_integrator_is_recorded_through_the_domain(
    client, world, integrator_key
):
    response = client.post(BASE + "requests.json", post_form(integrator_key, account_id="u-77"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    (entry,) = json.loads(response.content)
    report = Report.objects.get()
    # Not published yet, so no id that `requests/<id>` would answer 404: only the token.
    assert entry == {
        "token": str(report.uuid),
        "service_notice": entry["service_notice"],
        "account_id": "u-77",
    }
    assert report.tracking_number not in response.content.decode()
    assert entry["service_notice"].startswith(
        "Laporan diterima dan akan diverifikasi paling lambat"
    )
    assert "(3 hari kerja)" in entry["service_notice"]
    assert report.channel == "open311"
    assert report.status == "submitted"
    assert report.category.slug == "jalan-rusak"
    assert report.report_type == "complaint"
    assert report.body.startswith("Jalan di depan SDN 003")
    assert report.title == report.body  # short enough to serve as its own title
    assert (report.latitude, report.longitude) == (Decimal("0.512300"), Decimal("117.545600"))
    assert not report.is_anonymous and not report.is_confidential
    assert report.reporter.email == "warga.kutim@example.com"
    assert report.reporter.name == "Rahmat Hidayat"
    assert report.reporter.user is None
    event = ReportEvent.objects.get(report=report)
    assert (event.type, event.actor, event.actor_role) == ("submitted", None, "reporter")
    assert event.payload["channel"] == "open311"
    # The reporter gets the tracking number and secret link like any guest.
    assert Notification.objects.filter(
        report=report, template="report_submitted", channel="email"
    ).exists()


def test_the_xml_answer_has_the_same_fields(client, world, integrator_key):
    response = client.post(BASE + "requests.xml", post_form(integrator_key))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n')
    request = body(response).find("request")
    report = Report.objects.get()
    assert [child.tag for child in request] == ["token", "service_notice", "account_id"]
    assert request.findtext("token") == str(report.uuid)
    assert request.findtext("service_notice")
    assert request.find("account_id") is not None and request.findtext("account_id") == ""


def test_the_service_notice_follows_the_requested_language(client, world, integrator_key):
    response = client.post(
        BASE + "requests.json", post_form(integrator_key), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert json.loads(response.content)[0]["service_notice"].startswith(
        "Report received; it will be verified by"
    )


def test_attributes_set_type_title_anonymity_confidentiality_and_region(
    client, world, integrator_key
):
    form = post_form(
        integrator_key,
        lat=None,
        long=None,
        address_id="64.08.04",
        **{
            "attribute[title]": "Usul taman baca di Singa Gembara",
            "attribute[report_type]": "aspiration",
            "attribute[anonymous]": "true",
            "attribute[confidential]": "false",
            "attribute[region]": "64.08.04.1001",
            "description": "Mohon dibangun taman baca untuk anak-anak di desa kami.",
        },
    )

    response = client.post(BASE + "requests.json", form)

    assert response.status_code == 200
    report = Report.objects.get()
    assert report.title == "Usul taman baca di Singa Gembara"
    assert report.report_type == "aspiration"
    assert report.is_anonymous and not report.is_confidential
    # attribute[region] is more precise than address_id and wins.
    assert report.region_id == "64.08.04.1001"
    assert report.regency_code == "64.08"


def test_an_address_string_alone_is_a_location(client, world, integrator_key):
    form = post_form(integrator_key, lat=None, long=None, address_string="Jl. Yos Sudarso KM 3")

    assert client.post(BASE + "requests.json", form).status_code == 200
    report = Report.objects.get()
    assert report.address == "Jl. Yos Sudarso KM 3"
    assert report.latitude is None and report.region is None


def test_an_address_id_is_a_kemendagri_region_code(client, world, integrator_key):
    form = post_form(integrator_key, lat=None, long=None, address_id="64.08.05")

    assert client.post(BASE + "requests.json", form).status_code == 200
    assert Report.objects.get().region_id == "64.08.05"


def test_a_long_description_gives_a_title_cut_at_a_word(client, world, integrator_key):
    description = (
        "Drainase di sepanjang Jalan Pendidikan tersumbat sampah plastik sehingga setiap hujan "
        "deras air meluap ke rumah warga dan sekolah."
    )
    client.post(BASE + "requests.json", post_form(integrator_key, description=description))

    report = Report.objects.get()
    assert report.body == description
    assert report.title.endswith("…") and len(report.title) <= 81
    assert description.startswith(report.title[:-1])


def test_media_url_and_multipart_media_are_kept(client, world, integrator_key):
    form = post_form(integrator_key, media_url="https://foto.example.org/lubang.jpg")
    form["media"] = [photo("lubang-1.jpg"), photo("lubang-2.jpg")]

    response = client.post(BASE + "requests.json", form)

    assert response.status_code == 200
    report = Report.objects.get()
    assert report.media_url == "https://foto.example.org/lubang.jpg"
    stored = Attachment.objects.filter(report=report)
    # Under generated names, shared with the staff until staff publish them.
    assert sorted(s.name for s in stored) == ["foto-1.jpg", "foto-2.jpg"]
    assert all(s.kind == "image" and s.visibility == "parties" for s in stored)


def test_a_key_with_a_service_account_submits_as_that_account(client, world):
    service = User.objects.create_user(
        username="layanan_kutim", role=Role.AGENCY_ADMIN, agency=world.pemkab
    )
    key = issue_key("Aplikasi Pemkab", user=service, agency=world.pemkab).secret

    response = client.post(BASE + "requests.json", post_form(key))

    assert response.status_code == 200
    report = Report.objects.get()
    event = ReportEvent.objects.get(report=report)
    assert event.actor == service
    # Staff entry on behalf of a citizen: the reporter is the person named in the form.
    assert report.reporter.email == "warga.kutim@example.com"
    assert report.channel == "open311"


def test_a_key_of_a_citizen_account_reports_as_that_citizen_without_contact_fields(client, world):
    key = issue_key("Aplikasi pribadi", user=world.citizen).secret

    response = client.post(BASE + "requests.json", post_form(key, email=None, first_name=None))

    assert response.status_code == 200
    assert Report.objects.get().reporter.user == world.citizen


def test_a_phone_number_alone_is_enough_contact(client, world, integrator_key):
    response = client.post(
        BASE + "requests.json", post_form(integrator_key, email=None, phone="0812-3456-7890")
    )

    assert response.status_code == 200
    # Stored in the one form every channel uses.
    assert Report.objects.get().reporter.phone == "+6281234567890"


def test_a_posted_request_is_listed_once_verified_and_forwarded(client, world, integrator_key):
    (entry,) = json.loads(client.post(BASE + "requests.json", post_form(integrator_key)).content)
    report = Report.objects.get(uuid=entry["token"])
    a.dispose_report(report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin)

    (resolved,) = json.loads(client.get(f"{BASE}tokens/{entry['token']}.json").content)
    (listed,) = json.loads(
        client.get(f"{BASE}requests/{resolved['service_request_id']}.json").content
    )

    assert resolved["service_request_id"] == report.tracking_number
    assert listed["status"] == "open"
    assert listed["agency_responsible"] == "Dinas Pekerjaan Umum Kutai Timur"
    assert listed["description"] == report.body


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_token_answers_only_itself_until_the_request_is_published_then_its_id(
    client, world, integrator_key, fmt
):
    (entry,) = json.loads(client.post(BASE + "requests.json", post_form(integrator_key)).content)
    url = f"{BASE}tokens/{entry['token']}.{fmt}"
    report = Report.objects.get(uuid=entry["token"])

    waiting = client.get(url)

    assert waiting.status_code == 200
    if fmt == "json":
        assert json.loads(waiting.content) == [{"token": entry["token"]}]
    else:
        (request,) = body(waiting).findall("request")
        assert [child.tag for child in request] == ["token"]
        assert request.findtext("token") == entry["token"]
    assert report.tracking_number not in waiting.content.decode()

    a.dispose_report(report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin)
    published = client.get(url)

    assert published.status_code == 200
    if fmt == "json":
        assert json.loads(published.content) == [
            {"service_request_id": report.tracking_number, "token": entry["token"]}
        ]
    else:
        request = body(published).find("request")
        assert request.findtext("service_request_id") == report.tracking_number
        assert request.findtext("token") == entry["token"]
    # The id it gives is one that `requests/<id>` answers.
    assert client.get(f"{BASE}requests/{report.tracking_number}.{fmt}").status_code == 200


def test_a_token_never_tells_what_happened_to_a_request_that_is_not_published(
    client, world, integrator_key
):
    """Waiting, archived as spam, confidential, or withdrawn: the same answer, no id."""
    forms = [post_form(integrator_key, **extra) for extra in ({}, {}, {CONFIDENTIAL: "true"}, {})]
    tokens = [json.loads(client.post(BASE + "requests.json", f).content)[0]["token"] for f in forms]
    waiting, archived, confidential, withdrawn = (Report.objects.get(uuid=t) for t in tokens)
    a.archive_report(archived, "spam", actor=world.national_admin)
    a.dispose_report(confidential, world.pemkab, unit=world.dinas_pu, actor=world.national_admin)
    a.dispose_report(withdrawn, world.pemkab, unit=world.dinas_pu, actor=world.national_admin)
    a.withdraw_report(withdrawn, actor=Actor(reporter_id=withdrawn.reporter_id))

    answers = [json.loads(client.get(f"{BASE}tokens/{t}.json").content) for t in tokens]

    assert answers == [[{"token": t}] for t in tokens]
    for report in (waiting, archived, confidential, withdrawn):
        assert client.get(f"{BASE}requests/{report.tracking_number}.json").status_code == 404


def test_tokens_exist_only_for_requests_posted_through_open311(client, world):
    web_report = world.report_in("closed")

    for token in (str(web_report.uuid), "bukan-token", "00000000-0000-0000-0000-000000000000"):
        response = client.get(f"{BASE}tokens/{token}.json")
        assert response.status_code == 404
        assert json.loads(response.content)[0]["code"] == 404


def test_a_busy_key_is_slowed_down(client, world, start_of_a_minute):
    key = issue_key("Aplikasi sibuk", rate_limit_per_minute=1).secret

    assert client.post(BASE + "requests.json", post_form(key)).status_code == 200
    response = client.post(BASE + "requests.json", post_form(key))

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert json.loads(response.content)[0]["code"] == 429
    assert Report.objects.count() == 1


def test_a_posted_photo_becomes_the_media_url_once_staff_publish_it_on_a_public_report(
    client, world, integrator_key
):
    form = post_form(integrator_key)
    form["media"] = photo("lubang.jpg")
    client.post(BASE + "requests.json", form)
    report = Report.objects.get()
    a.dispose_report(report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin)
    address = f"{BASE}requests/{report.tracking_number}.json"
    attachment = Attachment.objects.get(report=report)

    (unpublished,) = json.loads(client.get(address).content)
    a.publish_attachment(attachment, actor=world.national_admin)
    (listed,) = json.loads(client.get(address).content)

    assert unpublished["media_url"] == ""
    assert listed["media_url"] == f"http://testserver/lampiran/{attachment.uuid}/"
    served = client.get(listed["media_url"])
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"


def test_reads_are_rate_limited_per_client_address_like_the_api(
    client, world, settings, start_of_a_minute
):
    """The attack: Open311 reads had no rate limit at all."""
    settings.API_ANONYMOUS_RATE_PER_MINUTE = 3
    answers = [client.get(BASE + "requests.json") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0]["X-RateLimit-Limit"] == "3"
    refused = answers[-1]
    assert int(refused["Retry-After"]) > 0
    assert json.loads(refused.content)[0]["code"] == 429
    # Another client address has its own budget; a key reads on the key's budget.
    assert client.get(BASE + "services.xml", REMOTE_ADDR="198.51.100.4").status_code == 200
    key = issue_key("Dasbor kota").secret
    assert client.get(BASE + "requests.json", {"api_key": key}).status_code == 200


def test_an_over_long_first_name_is_refused_not_cut(client, world, integrator_key):
    """The attack: Open311 silently cut a name the REST API refuses."""
    response = client.post(BASE + "requests.json", post_form(integrator_key, first_name="A" * 151))
    assert response.status_code == 400
    errors = json.loads(response.content)
    assert any("first_name" in error["description"] for error in errors)
    assert Report.objects.count() == 0
