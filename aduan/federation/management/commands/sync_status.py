"""Where replication stands with every peer.

python manage.py sync_status          # a table
python manage.py sync_status --json   # the same, for monitors
"""

import json

from django.core.management.base import BaseCommand

from aduan.federation.status import node_status


class Command(BaseCommand):
    help = "Show replication lag, backlog and errors per peer."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        status = node_status()
        if options["json"]:
            self.stdout.write(json.dumps(status, indent=2, default=str))
            return
        self.stdout.write(
            f"Simpul / node {status['node']} ({status['role']}), "
            f"stream position {status['stream_position']}, unsequenced {status['unsequenced']}"
        )
        for peer in status["peers"]:
            self.stdout.write(
                f"- {peer['node']} ({peer['role']}) {peer['url']}\n"
                f"    out: acked {peer['acked_position']}, backlog {peer['backlog_events']} "
                f"events, lag {peer['lag_seconds']} s, last success {peer['last_success_at']}\n"
                f"    in:  received {peer['received_position']}, last {peer['last_received_at']}\n"
                f"    pending: {peer['pending_messages']} messages, {peer['pending_blobs']} files, "
                f"{peer['pending_events']} events waiting for a gap\n"
                f"    last error: {peer['last_error'] or '-'} ({peer['last_error_at'] or '-'})"
                + ("    STUCK\n" if peer["stuck"] else "")
            )
        for alert in status["alerts"]:
            self.stdout.write(f"! {alert['kind']} {alert['peer']}: {alert['detail']}")
