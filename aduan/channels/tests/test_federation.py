"""A reporter's SMS about a report that another node now owns becomes a command to that
node (`federation.dispatch.perform`), as the same action from the web would."""

from aduan.channels.models import Message
from aduan.federation import models as federation
from aduan.federation.tests.helpers import make_peer
from aduan.reports import actions as a
from aduan.reports.models import Report


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
