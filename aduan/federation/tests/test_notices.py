"""Exactly one node tells the reporter: the one where the report was submitted, which holds
the contact. Staff are told by the node where they work."""

import pytest

from aduan.federation import messages
from aduan.federation.models import Message
from aduan.notifications.models import Notification
from aduan.reports import actions

from .helpers import as_node, make_peer


@pytest.fixture
def at_ktm(world, tmp_path):
    """A report submitted on central, disposed to Kutai Timur (node KTM), seen from KTM."""
    world.pemkab.node = "KTM"
    world.pemkab.save()
    world.tmp = tmp_path
    world.pst = make_peer("PST", tmp_path)
    world.report = actions.dispose_report(
        world.submit(), world.pemkab, unit=world.dinas_pu, actor=world.national_admin
    )
    Notification.objects.all().delete()
    Message.objects.all().delete()
    return world


def test_the_owner_asks_the_node_of_submission_to_tell_the_reporter(at_ktm):
    with as_node("KTM", at_ktm.tmp):
        report = actions.acknowledge_report(at_ktm.report, actor=at_ktm.officer)
        report = actions.post_follow_up(report, "Sudah ditambal.", actor=at_ktm.officer)
    # Nothing goes to the reporter from KTM, which does not hold the contact.
    assert not Notification.objects.filter(audience="reporter").exists()
    notices = Message.objects.filter(kind="notice", target="PST", body__audience="reporter")
    assert sorted(n.body["template"] for n in notices) == ["follow_up_posted", "status_changed"]
    follow_up = notices.get(body__template="follow_up_posted")
    assert follow_up.body["extra"]["text"] == "Sudah ditambal."
    assert follow_up.body["extra"]["status"] == "responded"
    assert "site_url" not in follow_up.body["extra"]  # the links are the other node's

    # On central the notice becomes the reporter's e-mail and SMS, once.
    body = {"v": 1, "uuid": str(follow_up.uuid), "kind": "notice"} | follow_up.body
    ktm = make_peer("KTM", at_ktm.tmp)
    first = messages.apply_message(ktm, body)
    again = messages.apply_message(ktm, body)
    assert first == again == {"status": "applied", "notifications": 2}
    sent = Notification.objects.filter(audience="reporter", template="follow_up_posted")
    assert sorted(n.address for n in sent) == ["081234567890", "siti@example.com"]


def test_the_national_admins_are_told_by_central(at_ktm):
    with as_node("KTM", at_ktm.tmp):
        actions.return_not_authority(at_ktm.report, "Wewenang provinsi.", actor=at_ktm.agency_admin)
    notice = Message.objects.get(kind="notice", body__audience="national")
    assert notice.target == "PST" and notice.body["template"] == "report_returned"
    assert not Notification.objects.filter(audience="national").exists()


def test_copies_of_other_nodes_accounts_are_never_notified(at_ktm):
    from aduan.accounts.models import Role, User
    from aduan.notifications.service import staff_recipients

    User.objects.create_user(
        "KTM~admin", email="copy@example.go.id", role=Role.NATIONAL_ADMIN, home_node="KTM"
    )
    emails = set(staff_recipients(at_ktm.report, "national").values_list("email", flat=True))
    assert "copy@example.go.id" not in emails and at_ktm.national_admin.email in emails
