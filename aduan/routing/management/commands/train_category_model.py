"""Retrain the category model now and promote it if it beats the current one on the
held-back slice (docs/ROUTING.md). The worker does this by itself after
ROUTING_RETRAIN_AFTER new decisions or every ROUTING_RETRAIN_HOURS.

    python manage.py train_category_model           # retrain now
    python manage.py train_category_model --if-due  # only when the worker would
"""

from django.core.management.base import BaseCommand

from aduan.routing.learning import retrain


class Command(BaseCommand):
    help = "Retrain the category model; promote it only if it is more accurate."

    def add_arguments(self, parser):
        parser.add_argument("--if-due", action="store_true", help="only when due")

    def handle(self, *args, **options):
        result = retrain(force=not options["if_due"])
        if result.trained is None:
            self.stdout.write(f"not retrained: {result.reason}")
            return
        self.stdout.write(f"trained v{result.trained}: {result.reason}")
        self.stdout.write(f"  candidate on the held-back slice: {result.candidate.summary()}")
        if result.current is not None:
            self.stdout.write(f"  current model on the same slice:  {result.current.summary()}")
