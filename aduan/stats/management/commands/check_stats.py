"""Compare the statistics aggregates (plus the deltas the worker has not folded yet) with a
direct recount of the reports table; `--fold` folds the pending deltas first."""

from django.core.management.base import BaseCommand, CommandError

from aduan.stats import deltas
from aduan.stats.maintenance import check


class Command(BaseCommand):
    help = (
        "Compare the statistics aggregates plus pending deltas with a recount; exit with an "
        "error on drift."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=50, help="Show at most this many.")
        parser.add_argument(
            "--fold", action="store_true", help="Fold the pending deltas into the tables first."
        )

    def handle(self, *args, **options):
        if options["fold"]:
            folded = deltas.fold()
            self.stdout.write(f"Delta dilipat / deltas folded: {folded.deltas}")
        waiting = deltas.pending_count()
        mismatches = check(limit=options["limit"])
        if not mismatches:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Statistik sesuai / aggregates match a recount "
                    f"({waiting} delta menunggu / deltas pending)."
                )
            )
            return
        for mismatch in mismatches:
            self.stderr.write(str(mismatch))
        raise CommandError(
            f"{len(mismatches)} selisih / mismatch(es) found: run `manage.py rebuild_stats`."
        )
