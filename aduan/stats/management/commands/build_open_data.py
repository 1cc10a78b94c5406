"""Write the anonymised open dataset (CSV and JSON) in the file storage (opendata/) now."""

from django.core.management.base import BaseCommand

from aduan.stats import opendata


class Command(BaseCommand):
    help = "Build the open dataset (published, anonymised reports) as CSV and JSON."

    def handle(self, *args, **options):
        result = opendata.build()
        self.stdout.write(
            self.style.SUCCESS(
                f"Data terbuka dibuat / open data built: {result.rows} reports in "
                f"{opendata.storage_name('')}"
            )
        )
