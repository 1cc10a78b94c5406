"""Counter and phone entry: staff record a report for a citizen who came to the counter or
phoned, and hand them the tracking number and the secret link."""

import re

import pytest
from django.db import connection

from aduan.accounts.models import Reporter
from aduan.notifications.models import Notification
from aduan.reports.access import reporter_actor_from_secret
from aduan.reports.models import Channel, Report, Status

from .helpers import page_text, png

NEW = "/petugas/laporan-baru/"
DONE = "/petugas/laporan-baru/selesai/"

COUNTER = {
    "channel": "phone",
    "report_type": "complaint",
    "title": "Lampu jalan padam di Jalan Yos Sudarso",
    "body": "Sudah dua minggu lampu jalan padam, rawan kecelakaan malam hari.",
    "category": "",
    "region": "64.08.04",
    "address": "Jl. Yos Sudarso, depan pasar",
    "incident_date": "",
    "reporter_name": "Pak Rahmat",
    "reporter_phone": "0812 5555 1234",
    "reporter_email": "",
    "reporter_nik": "6408 0417 0880 0012",
}


def test_the_form_is_offered_to_admins_and_unit_officers(signed_in, world):
    for user in (world.national_admin, world.agency_admin, world.officer):
        response = signed_in(user).get(NEW)
        assert response.status_code == 200
        assert "Catat laporan loket/telepon" in page_text(response)


def test_the_form_starts_in_the_agencys_own_region(signed_in, world):
    form = signed_in(world.officer).get(NEW).context["form"]
    assert form["region"].value() == "64.08"


def test_supervisors_citizens_and_visitors_are_refused(client, signed_in, world):
    assert client.get(NEW).status_code == 302
    assert signed_in(world.supervisor).get(NEW).status_code == 403
    assert signed_in(world.citizen).get(NEW).status_code == 403
    assert signed_in(world.citizen).post(NEW, COUNTER).status_code == 403
    assert not Report.objects.exists()


def test_a_phone_report_is_recorded_with_its_channel_and_encrypted_reporter(signed_in, world):
    client = signed_in(world.agency_admin)
    response = client.post(NEW, COUNTER | {"category": world.jalan.pk, "attachments": [png()]})
    assert response.status_code == 302
    assert response["Location"] == DONE
    report = Report.objects.get()
    assert (report.channel, report.status, report.region_id) == (
        Channel.PHONE,
        Status.SUBMITTED,
        "64.08.04",
    )
    assert report.category == world.jalan
    assert report.attachments.count() == 1
    reporter = report.reporter
    assert reporter.user is None
    assert (reporter.name, reporter.phone, reporter.nik) == (
        "Pak Rahmat",
        "+6281255551234",
        "6408041708800012",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, nik FROM accounts_reporter WHERE id = %s", [reporter.pk])
        raw_name, raw_nik = cursor.fetchone()
    assert "Rahmat" not in raw_name and "6408041708800012" not in raw_nik
    assert Notification.objects.filter(report=report, template="report_submitted").exists()


def test_the_receipt_shows_the_tracking_number_and_a_working_secret_link_once(signed_in, world):
    client = signed_in(world.officer)
    client.post(NEW, COUNTER | {"channel": "counter"})
    report = Report.objects.get()
    assert report.channel == Channel.COUNTER
    receipt = client.get(DONE)
    page = page_text(receipt)
    assert report.tracking_number in page
    link = re.search(r'data-testid="secret-link">([^<]+)<', page).group(1)
    assert link.startswith(f"http://127.0.0.1:8000/lacak/{report.tracking_number}/?kunci=")
    secret = link.split("kunci=")[1]
    found, actor = reporter_actor_from_secret(report.tracking_number, secret)
    assert found == report and actor.reporter_id == report.reporter_id
    assert receipt["Cache-Control"] == "no-store"
    # Shown once: reloading the receipt goes back to the form.
    assert client.get(DONE)["Location"] == NEW


def test_an_anonymous_confidential_counter_report_keeps_both_flags(signed_in, world):
    signed_in(world.national_admin).post(
        NEW, COUNTER | {"is_anonymous": "on", "is_confidential": "on"}
    )
    report = Report.objects.get()
    assert report.is_anonymous and report.is_confidential


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"body": "pendek"}, "body"),
        ({"reporter_phone": "", "reporter_email": ""}, "reporter_phone"),
        ({"reporter_nik": "12345"}, "reporter_nik"),
        ({"reporter_nik": "6408 0412 3456 7891"}, "reporter_nik"),
        ({"reporter_phone": "0549 21234"}, "reporter_phone"),
        ({"reporter_email": "bukan surel"}, "reporter_email"),
        ({"region": "99.99"}, "region"),
        ({"incident_date": "kemarin"}, "incident_date"),
        ({"incident_date": "2999-01-01"}, "incident_date"),
        ({"channel": "web"}, "channel"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_written(
    signed_in, world, change, field
):
    reporters_before = Reporter.objects.count()
    response = signed_in(world.agency_admin).post(NEW, COUNTER | change)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Report.objects.exists()
    assert Reporter.objects.count() == reporters_before


def test_a_point_the_reporter_shares_is_stored_and_one_abroad_is_refused(signed_in, world):
    client = signed_in(world.agency_admin)
    response = client.post(NEW, COUNTER | {"latitude": "51.5", "longitude": "-0.12"})

    assert response.status_code == 400
    assert response.context["form"].errors["latitude"] == [
        "Titik lokasi (51.5, -0.12) berada di luar Indonesia; periksa lintang dan bujurnya."
    ]
    assert not Report.objects.exists()

    response = client.post(NEW, COUNTER | {"latitude": "0.5012", "longitude": "117.5403"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (float(report.latitude), float(report.longitude)) == (0.5012, 117.5403)
