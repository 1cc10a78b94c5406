"""Fold the pending statistics deltas into the aggregate tables (the worker does this every
STATS_FOLD_SECONDS; docs/STATISTICS.md, "Deferred upkeep").

    manage.py fold_stats            # once, until no delta is pending
    manage.py fold_stats --loop     # every STATS_FOLD_SECONDS until SIGTERM/SIGINT
"""

import signal

from django.core.management.base import BaseCommand

from aduan.stats import deltas


class Command(BaseCommand):
    help = "Fold the pending statistics deltas into the aggregates (once, or --loop)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Repeat until stopped.")
        parser.add_argument("--interval", type=float, default=None, help="Seconds between folds.")

    def handle(self, *args, **options):
        if not options["loop"]:
            result = deltas.fold()
            self.stdout.write(
                f"Delta dilipat / deltas folded: {result.deltas}; data hingga / as of "
                f"{result.as_of.isoformat() if result.as_of else '-'}"
            )
            return
        loop = deltas.FoldLoop(options["interval"])
        signal.signal(signal.SIGTERM, lambda *a: loop.stop())
        signal.signal(signal.SIGINT, lambda *a: loop.stop())
        loop.start()
        while loop.is_alive():
            loop.join(timeout=0.5)
        self.stdout.write(f"folds: {loop.folds}")
