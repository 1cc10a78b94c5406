"""Recompute every statistics aggregate from the reports table (after a bulk load)."""

import time

from django.core.management.base import BaseCommand

from aduan.stats.maintenance import rebuild


class Command(BaseCommand):
    help = "Recompute the statistics aggregates from the reports table, one month at a time."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=2000)

    def handle(self, *args, **options):
        started = time.monotonic()
        result = rebuild(chunk_size=options["chunk_size"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Statistik dibangun ulang / rebuilt: {result.months} month(s), "
                f"cube {result.rows['cube']} rows, durations {result.rows['duration']} rows, "
                f"daily flow {result.rows['flow']} rows in {time.monotonic() - started:.1f}s"
            )
        )
