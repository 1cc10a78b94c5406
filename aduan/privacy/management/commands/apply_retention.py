"""Show what the retention schedule would erase now; erase one batch per kind with
--commit (what the worker does every RETENTION_EVERY_MINUTES)."""

from django.core.management.base import BaseCommand

from aduan.privacy import retention


class Command(BaseCommand):
    help = "Apply the personal data retention schedule (a dry run unless --commit)."

    def add_arguments(self, parser):
        parser.add_argument("--commit", action="store_true", help="erase one batch per kind")

    def handle(self, *args, commit=False, **options):
        due = retention.pending()
        for kind, days in retention.schedule():
            self.stdout.write(f"{kind.key}: {due[kind.key]} due (kept {days} days)")
        if not commit:
            self.stdout.write("Dry run: nothing changed. Run again with --commit to apply.")
            return
        done = retention.apply()
        for key, count in done.items():
            self.stdout.write(f"{key}: {count} done")
