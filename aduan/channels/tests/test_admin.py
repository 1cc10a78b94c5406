"""The admin's dead-letter list and the blocklist action."""

from aduan.channels.models import BlockKind, Message, SenderBlock
from aduan.notifications.models import Notification
from conftest import run_tasks

from .conftest import CITIZEN_PHONE


def superuser(world):
    admin = world.national_admin
    admin.is_staff = admin.is_superuser = True
    admin.save()
    return admin


def test_dead_letters_are_listed_with_their_reason_and_can_be_sent_again(
    world, phone, twilio, client
):
    twilio.unsubscribed.add(CITIZEN_PHONE)
    phone.send("LAPOR Saluran air di depan pasar tersumbat sampah plastik")
    run_tasks()
    dead = Notification.objects.get(status="failed")
    client.force_login(superuser(world))
    page = client.get("/admin/notifications/deadletter/").content.decode()
    assert "Twilio error 21610" in page and CITIZEN_PHONE not in page
    twilio.unsubscribed.clear()
    client.post(
        "/admin/notifications/deadletter/",
        {"action": "send_again", "_selected_action": [dead.pk]},
    )
    run_tasks()
    dead.refresh_from_db()
    assert dead.status == "sent" and dead.provider_id.startswith("SM")


def test_staff_block_a_sender_from_a_received_message(world, phone, client):
    phone.send("iklan pinjaman online bunga rendah hubungi kami sekarang juga")
    message = Message.objects.get()
    client.force_login(superuser(world))
    page = client.get("/admin/channels/message/").content.decode()
    assert CITIZEN_PHONE not in page and "pinjaman" not in page
    client.post(
        "/admin/channels/message/",
        {"action": "block_senders", "_selected_action": [message.pk]},
    )
    block = SenderBlock.objects.get()
    assert block.kind == BlockKind.BLOCKED and block.address_lookup == message.sender_lookup


def test_staff_type_a_number_into_the_blocklist_and_its_messages_are_refused(world, phone, client):
    client.force_login(superuser(world))
    # Typed as people write it; the message comes from +62 8135 0001 111.
    response = client.post(
        "/admin/channels/senderblock/add/",
        {"channel": "sms", "kind": "blocked", "address": "0813-5000-1111", "reason": "spam"},
    )
    assert response.status_code == 302
    block = SenderBlock.objects.get()
    assert block.kind == BlockKind.BLOCKED and "1111" not in block.address_lookup
    page = client.get(f"/admin/channels/senderblock/{block.pk}/change/").content.decode()
    assert "0813" not in page and "1111" not in page
    phone.send("LAPOR Jalan berlubang di depan sekolah dasar negeri 3")
    message = Message.objects.get()
    assert message.sender_lookup == block.address_lookup
    assert message.report_id is None and message.status == "blocked"


def test_a_typed_block_that_is_not_an_address_or_already_listed_is_refused(world, client):
    client.force_login(superuser(world))
    bad = client.post(
        "/admin/channels/senderblock/add/",
        {"channel": "email", "kind": "blocked", "address": "bukan alamat", "reason": ""},
    )
    assert bad.status_code == 200 and "tidak sah" in bad.content.decode()
    for _ in range(2):
        response = client.post(
            "/admin/channels/senderblock/add/",
            {"channel": "email", "kind": "blocked", "address": "Spam@Contoh.ID", "reason": ""},
        )
    assert response.status_code == 200 and "sudah ada" in response.content.decode()
    assert SenderBlock.objects.count() == 1
