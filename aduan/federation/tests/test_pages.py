"""Pages and the API on a node that does not own the report: the action goes to the owner
as a command, the page says it waits for that node, and a refusal shows its reason."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from aduan.federation.models import Message, MessageStatus
from aduan.reports import actions as a
from aduan.reports.actors import SYSTEM
from aduan.reports.models import EventType


@pytest.fixture
def owned_by_ktm(world):
    """Builds a report in a given state here, then hands it to node KTM."""

    def build(status: str):
        report = world.report_in(status)
        return a.hand_over_report(report, "KTM", actor=SYSTEM)

    return build


def staff(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_reporter_replying_here_to_a_report_ktm_owns_waits_for_ktm(world, owned_by_ktm):
    report = owned_by_ktm("responded")
    client = Client()
    client.force_login(world.citizen)
    url = reverse("portal:report-reply", args=[report.tracking_number])
    response = client.post(url, {"reply-text": "Lubang di KM 13 belum ditambal."}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "ditangani server KTM" in page  # the notice after the action
    assert "menunggu server KTM" in page  # the waiting command on the page
    command = Message.objects.get(kind="command")
    assert (command.target, command.action, command.status) == ("KTM", "reporter_reply", "pending")
    assert command.body["actor"] == {"kind": "reporter", "report": str(report.uuid)}
    report.refresh_from_db()
    assert report.status == "responded"  # nothing changes here until KTM applies it
    assert not report.events.filter(type=EventType.REPORTER_REPLIED).exists()


def test_a_refused_command_shows_the_owners_reason_in_the_readers_language(world, owned_by_ktm):
    report = owned_by_ktm("responded")
    client = Client()
    client.force_login(world.citizen)
    url = reverse("portal:report-reply", args=[report.tracking_number])
    client.post(url, {"reply-text": "Belum beres."})
    command = Message.objects.get(kind="command")
    # KTM answered: the report had been closed there meanwhile.
    command.status = MessageStatus.REFUSED
    command.reason = (
        "Tindakan 'reporter_reply' tidak dapat dilakukan pada laporan berstatus Selesai."
    )
    command.result = {
        "status": "refused",
        "reason": command.reason,
        "reason_en": "Action 'reporter_reply' is not allowed on a report with status Closed.",
    }
    command.save()
    page = client.get(reverse("portal:report-detail", args=[report.tracking_number]))
    assert "ditolak oleh server KTM" in page.content.decode()
    assert "berstatus Selesai" in page.content.decode()
    world.citizen.language = "en"
    world.citizen.save(update_fields=["language"])
    english = client.get(reverse("portal:report-detail", args=[report.tracking_number]))
    assert "status Closed" in english.content.decode()
    assert "berstatus Selesai" not in english.content.decode()


def test_a_national_admins_note_on_a_report_ktm_owns_is_a_command(world, owned_by_ktm):
    report = owned_by_ktm("in_progress")
    client = staff(world.national_admin)
    url = f"/petugas/laporan/{report.tracking_number}/tindakan/add_internal_note/"
    response = client.post(url, {"add_internal_note-text": "Mohon dipercepat."})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "menunggu server KTM" in page
    command = Message.objects.get(kind="command")
    assert command.actor == world.national_admin
    assert command.body["args"] == ["Mohon dipercepat."]


def test_the_api_answers_202_with_the_command_to_wait_for(world, owned_by_ktm):
    report = owned_by_ktm("in_progress")
    client = staff(world.national_admin)
    response = client.post(
        f"/api/v1/reports/{report.tracking_number}/internal-notes",
        data=json.dumps({"text": "Mohon dipercepat."}),
        content_type="application/json",
    )
    assert response.status_code == 202
    body = response.json()
    command = Message.objects.get(kind="command")
    assert body["status"] == "pending" and body["node"] == "KTM"
    assert body["command"] == str(command.uuid)
    assert "KTM" in body["message_id"] and "KTM" in body["message_en"]


def test_an_action_this_node_can_refuse_is_refused_at_once(world, owned_by_ktm):
    report = owned_by_ktm("in_progress")
    client = staff(world.national_admin)
    url = f"/petugas/laporan/{report.tracking_number}/tindakan/archive/"
    response = client.post(url, {"archive-reason": "spam"})
    assert response.status_code in (403, 409)
    assert not Message.objects.filter(kind="command").exists()
