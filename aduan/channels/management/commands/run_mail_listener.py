"""Run the SMTP listener of the e-mail channel (docs/CHANNELS.md, "Setting up e-mail").

    manage.py run_mail_listener --host 127.0.0.1 --port 8025

The organisation's mail server delivers the mail for EMAIL_INTAKE_RECIPIENTS to it; it
accepts nothing else. Stop it with Ctrl-C or SIGTERM."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from aduan.channels import listener


class Command(BaseCommand):
    help = "Receive e-mail for the intake address by SMTP and hand it to the channel intake."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="the address to listen on")
        parser.add_argument("--port", type=int, default=8025)

    def handle(self, *args, host, port, **options):
        if not settings.EMAIL_INTAKE_RECIPIENTS:
            raise CommandError("Set EMAIL_INTAKE_ADDRESS (and EMAIL_INTAKE_RECIPIENTS).")
        try:
            controller = listener.start(host, port)
        except OSError as error:
            raise CommandError(f"Cannot listen on {host}:{port}: {error}") from None
        self.stdout.write(
            f"Listening on {host}:{port} for {', '.join(settings.EMAIL_INTAKE_RECIPIENTS)}"
        )
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        try:
            # In steps: the signal handler runs in this thread between two waits.
            while not stopped.wait(1):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
            self.stdout.write("Stopped.")
