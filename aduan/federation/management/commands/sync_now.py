"""Run federation rounds now (the worker does this continuously).

python manage.py sync_now              # one round
python manage.py sync_now --until-idle # rounds until nothing is left to send
python manage.py sync_now --reconcile  # also reconcile with every peer now
python manage.py sync_now --reconcile --deep  # ... recomputing every history from its events
"""

import json

from django.core.management.base import BaseCommand

from aduan.federation import reconcile, reference, worker
from aduan.federation.models import Peer


class Command(BaseCommand):
    help = "Sequence, push, deliver and pull now."

    def add_arguments(self, parser):
        parser.add_argument("--until-idle", action="store_true")
        parser.add_argument("--reconcile", action="store_true")
        parser.add_argument("--reference", action="store_true")
        parser.add_argument(
            "--deep",
            action="store_true",
            help="With --reconcile: compare histories recomputed from their events.",
        )

    def handle(self, *args, **options):
        if options["reference"]:
            for peer in Peer.objects.filter(is_active=True):
                reference.sync_reference(peer, force=True)
        rounds = 0
        while True:
            Peer.objects.update(next_attempt_at=None)
            summary = worker.run_round(push_budget=30.0)
            rounds += 1
            self.stdout.write(json.dumps(summary))
            if not options["until_idle"] or not (summary["pushed"] or summary["sequenced"]):
                break
            if rounds > 10_000:
                break
        if options["reconcile"]:
            for peer in Peer.objects.filter(is_active=True):
                if options["deep"]:
                    for result in reconcile.reconcile_deep(peer):
                        self.stdout.write(json.dumps(result.as_dict()))
                else:
                    result = reconcile.reconcile(peer)
                    self.stdout.write(json.dumps(result.as_dict()))
