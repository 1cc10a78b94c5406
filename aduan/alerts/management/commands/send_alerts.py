"""python manage.py send_alerts — run the alert digests now, whatever the time since the
last run (the worker runs them every ALERTS_DIGEST_MINUTES)."""

from django.core.management.base import BaseCommand

from aduan.alerts.digest import send_alerts


class Command(BaseCommand):
    help = "Send the e-mail alert digests now (read new events, queue one digest per subscriber)."

    def handle(self, *args, **options):
        summary = send_alerts(force=True)
        if not summary["ran"]:
            self.stdout.write(
                "Belum ada langganan yang dikonfirmasi / no confirmed subscription yet"
            )
            return
        self.stdout.write(
            f"{summary['events']} peristiwa, {summary['digests']} ringkasan / "
            f"{summary['events']} events, {summary['digests']} digests queued"
        )
