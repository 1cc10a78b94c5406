import logging

from django_tasks import task

from . import checkpoints

logger = logging.getLogger(__name__)


@task(queue_name="schedule")
def take_checkpoint() -> dict:
    """Take a signed checkpoint when one is due (enqueued with the periodic jobs) and hand
    the newest one to every paired node that has not acknowledged it."""
    made = None
    if checkpoints.due():
        made = checkpoints.make_checkpoint().number
    return {"made": made, "delivered": deliver_to_peers()}


def deliver_to_peers() -> list[str]:
    """Send the newest checkpoint to each active peer that does not have it yet; a peer
    that cannot be reached gets it on a later run."""
    from aduan.federation import client
    from aduan.federation.models import Peer

    from .models import Checkpoint

    checkpoint = Checkpoint.objects.order_by("-number").first()
    if checkpoint is None:
        return []
    delivered = []
    peers = Peer.objects.filter(is_active=True).exclude(
        node_id__in=[*checkpoint.delivered_to, checkpoint.node]
    )
    for peer in peers:
        try:
            status, answer = client.call(
                peer, "POST", "/checkpoints", checkpoints.document(checkpoint), timeout=15
            )
        except client.PeerError as error:
            logger.info("checkpoint %s not delivered to %s: %s", checkpoint.number, peer, error)
            continue
        if status == 200 and isinstance(answer, dict) and answer.get("stored"):
            delivered.append(peer.node_id)
    if delivered:
        checkpoint.delivered_to = sorted({*checkpoint.delivered_to, *delivered})
        checkpoint.save(update_fields=["delivered_to"])
    return delivered
