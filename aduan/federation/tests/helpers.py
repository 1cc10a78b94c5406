"""Playing two nodes in one test process.

A test acts as node PST (central) by default. `as_node("KTM", "regional")` switches the
settings (node id, role, signing key) for a block, so that what is built on one node can be
applied "on" another. `forget_reports()` empties the report tables as a node that has
never seen them would be; events are append-only, so it uses raw SQL."""

import contextlib
import json

from django.conf import settings
from django.db import connection
from django.test import override_settings

from aduan.federation import keys
from aduan.federation.models import Peer

NODES = {"PST": "central", "KTM": "regional", "PSR": "regional"}


@contextlib.contextmanager
def as_node(node_id: str, tmp_path):
    key_file = tmp_path / f"{node_id}.pem"
    if not key_file.exists():
        keys.generate_key_file(key_file)
    with override_settings(NODE_ID=node_id, NODE_ROLE=NODES[node_id], NODE_KEY_FILE=str(key_file)):
        keys.private_key.cache_clear()
        try:
            yield
        finally:
            keys.private_key.cache_clear()
    keys.private_key.cache_clear()


def public_key_of(node_id: str, tmp_path) -> str:
    with as_node(node_id, tmp_path):
        return keys.public_key_b64()


def make_peer(node_id: str, tmp_path, **extra) -> Peer:
    public = public_key_of(node_id, tmp_path)
    peer, _ = Peer.objects.update_or_create(
        node_id=node_id,
        defaults={
            "role": NODES[node_id],
            "url": f"http://{node_id.lower()}.example",
            "public_key": public,
            "fingerprint": keys.fingerprint(public),
        }
        | extra,
    )
    return peer


def roundtrip(data: dict) -> dict:
    """What arrives on the other side: JSON, not Python objects."""
    return json.loads(json.dumps(data))


def forget_reports() -> None:
    tables = [
        "federation_blobfetch",
        "federation_holding",
        "federation_message",
        "notifications_notification",
        "accounts_personaldataaccess",
        "reports_deadlinenotice",
        "reports_attachment",
        "reports_reportevent",
        "reports_report",
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
    from aduan.stats.maintenance import rebuild

    rebuild()


def local_node() -> str:
    return settings.NODE_ID
