"""A report's owner node and its events as this node holds them, for operators comparing
nodes: python manage.py report_history PST-26-0000012-3 [--json]"""

import json

from django.core.management.base import BaseCommand, CommandError

from aduan.reports.access import find_report


class Command(BaseCommand):
    help = "Print a report's owner node and event history (sequence, type, origin, hash)."

    def add_arguments(self, parser):
        parser.add_argument("tracking_number")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, tracking_number, **options):
        from django.conf import settings

        report = find_report(tracking_number)
        if report is None:
            raise CommandError(
                f"Laporan {tracking_number} tidak ada di simpul ini. / "
                f"Report {tracking_number} is not on this node."
            )
        events = [
            {
                "seq": e.seq,
                "uuid": str(e.uuid),
                "type": e.type,
                "origin_node": e.origin_node,
                "received_from": e.received_from,
                "at": e.at.isoformat(),
                "prev_hash": e.prev_hash,
                "hash": e.hash,
            }
            for e in report.events.order_by("seq")
        ]
        data = {
            "node": settings.NODE_ID,
            "tracking_number": report.tracking_number,
            "uuid": str(report.uuid),
            "owner_node": report.owner_node,
            "origin_node": report.origin_node,
            "status": report.status,
            "last_event_seq": report.last_event_seq,
            "last_event_hash": report.last_event_hash,
            "events": events,
        }
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2))
            return
        self.stdout.write(
            f"{data['tracking_number']} on {data['node']}: owner {data['owner_node']}, "
            f"origin {data['origin_node']}, status {data['status']}"
        )
        for e in events:
            self.stdout.write(
                f"  #{e['seq']:<3} {e['type']:<18} origin {e['origin_node']:<6} "
                f"{e['hash'][:16]} {e['at']}"
            )
