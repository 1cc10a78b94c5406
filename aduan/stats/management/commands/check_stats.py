"""Compare the statistics aggregates with a direct recount of the reports table."""

from django.core.management.base import BaseCommand, CommandError

from aduan.stats.maintenance import check


class Command(BaseCommand):
    help = "Compare the statistics aggregates with a recount; exit with an error on drift."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=50, help="Show at most this many.")

    def handle(self, *args, **options):
        mismatches = check(limit=options["limit"])
        if not mismatches:
            self.stdout.write(self.style.SUCCESS("Statistik sesuai / aggregates match a recount."))
            return
        for mismatch in mismatches:
            self.stderr.write(str(mismatch))
        raise CommandError(
            f"{len(mismatches)} selisih / mismatch(es) found: run `manage.py rebuild_stats`."
        )
