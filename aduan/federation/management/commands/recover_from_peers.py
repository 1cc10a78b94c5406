"""Bring a node restored from a backup up to date before it takes new work.

    python manage.py recover_from_peers

Run it after restoring the database and before opening the node to traffic (the worker
would find out on its own, but reports submitted in between could take numbers the lost
reports already have). For each peer it asks how far that peer has received this node's
stream and never reuses those positions, then reconciles to pull back every event the
peers hold that this node lost, and moves the tracking-number sequence past every number
that came back."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max

from aduan.federation import client, reconcile, sequencer
from aduan.federation.alerts import raise_alert
from aduan.federation.models import AlertKind, Peer
from aduan.reports import tracking
from aduan.reports.models import Report


class Command(BaseCommand):
    help = "After a restore from backup: skip used stream positions and pull back lost events."

    def handle(self, *args, **options):
        peers = list(Peer.objects.filter(is_active=True))
        if not peers:
            raise CommandError("Belum ada simpul mitra. / No peers are paired.")
        head = sequencer.head_position()
        for peer in peers:
            try:
                status, data = client.call(peer, "GET", "/cursor")
            except client.PeerError as exc:
                raise CommandError(f"{peer.node_id}: {exc}")
            position = int(data.get("position", 0)) if status == 200 else 0
            if position > head:
                sequencer.skip_past(position)
                raise_alert(
                    AlertKind.RESTORED,
                    peer=peer.node_id,
                    detail=f"recover_from_peers: {peer.node_id} had received up to position "
                    f"{position} of our stream; ours ended at {head}.",
                )
            Peer.objects.filter(pk=peer.pk).update(acked_position=position)
            for result in reconcile.reconcile_deep(peer):
                self.stdout.write(f"{peer.node_id}: {result.as_dict()}")
        highest = Report.objects.filter(
            tracking_number__startswith=settings.NODE_ID + "-"
        ).aggregate(top=Max("tracking_number"))["top"]
        parsed = tracking.sequence_of(highest) if highest else None
        if parsed:
            tracking.advance_sequence(parsed[0], parsed[1])
        self.stdout.write(
            self.style.SUCCESS(
                f"Pulih / recovered: stream from {sequencer.head_position()}, "
                f"numbers after {highest or '-'}"
            )
        )
