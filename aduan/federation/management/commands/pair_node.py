"""Pair this node with another one.

Each operator reads their node's fingerprint (`manage.py node_key`) and tells the other
out of band (telephone, signed letter). Then, on each node:

    python manage.py pair_node https://other.node.go.id --fingerprint "ABCD 1234 ..."

The command fetches the other node's self-description, refuses unless its key matches the
fingerprint typed in, and records the peer. Pairing again with the same node updates its
address; a changed key needs --replace-key (after the other side replaced it).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from aduan.federation import client, keys
from aduan.federation.models import NodeRole, Peer


def _norm(fingerprint: str) -> str:
    return "".join(fingerprint.split()).upper()


class Command(BaseCommand):
    help = "Pair with another node after checking its key's fingerprint."

    def add_arguments(self, parser):
        parser.add_argument("url")
        parser.add_argument("--fingerprint", required=True)
        parser.add_argument("--name", default="")
        parser.add_argument("--replace-key", action="store_true")

    def handle(self, *args, url, fingerprint, name, replace_key, **options):
        from django.conf import settings

        try:
            info = client.hello(url)
        except client.PeerError as exc:
            raise CommandError(f"Simpul tidak dapat dihubungi / node unreachable: {exc}")
        try:
            node_id, role, public_key = info["node_id"], info["role"], info["public_key"]
            keys.load_public_key(public_key)
        except (KeyError, ValueError, TypeError) as exc:
            raise CommandError(f"Jawaban tidak sah / invalid answer: {exc}")
        actual = keys.fingerprint(public_key)
        if _norm(actual) != _norm(fingerprint):
            raise CommandError(
                f"Sidik jari tidak cocok: simpul {node_id} menunjukkan {actual}. Jangan "
                f"pasangkan. / Fingerprint mismatch: node {node_id} shows {actual}. Do not pair."
            )
        if node_id == settings.NODE_ID:
            raise CommandError(
                "Tidak dapat berpasangan dengan diri sendiri / cannot pair with itself"
            )
        if role not in NodeRole.values:
            raise CommandError(f"Peran tidak dikenal / unknown role {role!r}")
        if NodeRole.REGIONAL == settings.NODE_ROLE == role:
            raise CommandError(
                "Simpul daerah hanya berpasangan dengan pusat. / "
                "A regional node pairs only with the central node."
            )
        with transaction.atomic():
            peer = Peer.objects.select_for_update().filter(node_id=node_id).first()
            if peer is not None and peer.public_key != public_key and not replace_key:
                raise CommandError(
                    f"{node_id} kini memakai kunci lain; pakai --replace-key bila disengaja. / "
                    f"{node_id} now uses another key; use --replace-key if intended."
                )
            if peer is None:
                peer = Peer(node_id=node_id)
            peer.role = role
            peer.url = url.rstrip("/")
            peer.public_key = public_key
            peer.fingerprint = actual
            peer.name = name or peer.name
            peer.is_active = True
            peer.save()
        self.stdout.write(
            f"Berpasangan dengan / paired with {node_id} ({role}) at {peer.url}, "
            f"fingerprint {actual}"
        )
