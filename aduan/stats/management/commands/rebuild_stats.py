"""Recompute every statistics aggregate from the reports table (after a bulk load)."""

import time

from django.core.management.base import BaseCommand

from aduan.stats.maintenance import rebuild, rebuild_rollups


class Command(BaseCommand):
    help = "Recompute the statistics aggregates from the reports table, one month at a time."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=2000)
        parser.add_argument(
            "--rollups-only",
            action="store_true",
            help="Only re-sum the rollups from the base tables (fast; after adding a rollup).",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        if options["rollups_only"]:
            rows = rebuild_rollups()
            summary = ", ".join(f"{name} {count} rows" for name, count in rows.items())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Rollup statistik dibangun ulang / rollups rebuilt: {summary} "
                    f"in {time.monotonic() - started:.1f}s"
                )
            )
            return
        result = rebuild(chunk_size=options["chunk_size"])
        rollups = ", ".join(
            f"{name} {count}" for name, count in result.rows.items() if name not in BASE_NAMES
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Statistik dibangun ulang / rebuilt: {result.months} month(s), "
                f"cube {result.rows['cube']} rows, durations {result.rows['duration']} rows, "
                f"daily flow {result.rows['flow']} rows, rollups: {rollups or '-'} "
                f"in {time.monotonic() - started:.1f}s"
            )
        )


BASE_NAMES = ("cube", "duration", "flow")
