"""A reporter's SMS about a report that another node now owns becomes a command to that
node (`federation.dispatch.perform`), as the same action from the web would."""

import pytest

from aduan.channels.models import Message
from aduan.federation import models as federation
from aduan.federation.tests.helpers import make_peer
from aduan.reports import actions as a
from aduan.reports.models import Report

from .test_email import intake  # noqa: F401 - the SMTP listener fixture


def test_a_reply_to_a_report_handed_to_a_regional_node_is_sent_there(world, phone, tmp_path):
    world.pemkab.node = "KTM"
    world.pemkab.save()
    make_peer("KTM", tmp_path)
    phone.send("LAPOR Jembatan gantung di Desa Kandolo putus sebagian talinya")
    report = Report.objects.get()
    a.dispose_report(report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin)
    report.refresh_from_db()
    assert report.owner_node == "KTM"

    phone.send(f"BALAS {report.tracking_number} Talinya putus di sisi utara")
    command = federation.Message.objects.get(kind="command")
    assert (command.target, command.action) == ("KTM", "add_information")
    assert command.body["actor"] == {"kind": "reporter", "report": str(report.uuid)}
    assert command.body["args"] == ["Talinya putus di sisi utara"]
    message = Message.objects.get(command="balas")
    assert message.outcome == "add_information sent to KTM"
    assert "diteruskan ke petugas" in phone.inbox()[-1]
    # Nothing was applied here: the owner applies it.
    assert not report.events.filter(type="information_added").exists()


@pytest.mark.django_db(transaction=True)
def test_files_in_an_email_reply_travel_with_the_command_to_the_owner(intake, tmp_path):  # noqa: F811
    import base64

    from aduan.portal.tests.conftest import png_bytes
    from conftest import World

    from .test_email import Citizen

    world = World()
    citizen = Citizen(intake)
    world.pemkab.node = "KTM"
    world.pemkab.save()
    make_peer("KTM", tmp_path)
    citizen.send("Jembatan gantung di Desa Kandolo putus sebagian talinya.", subject="Jembatan")
    report = Report.objects.get()
    a.dispose_report(report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin)
    report.refresh_from_db()
    assert report.owner_node == "KTM"

    code, answer = citizen.send(
        "Talinya putus di sisi utara, fotonya terlampir.",
        subject=f"Re: [{report.tracking_number}] Jembatan",
        files=[("jembatan.png", png_bytes())],
    )
    assert code == 250 and "processed" in answer
    command = federation.Message.objects.get(kind="command")
    assert (command.target, command.action) == ("KTM", "add_information")
    [sent] = command.body["kwargs"]["files"]
    assert base64.b64decode(sent["$file"]["content"]) == png_bytes()
    reply = citizen.inbox()[-1].body
    assert "tidak ikut terkirim" not in reply
