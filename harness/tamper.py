"""An insider edits one report's history in this node's database, as a harness scenario.

    python -m harness.tamper in-place TRACKING     # change an event's text, hash left alone
    python -m harness.tamper rehash TRACKING       # change it and recompute the chain after it

Prints the report's UUID. Writes with raw SQL, as someone with database access would."""

import json
import sys

import django

django.setup()

from django.db import connection  # noqa: E402

from aduan.reports.events import event_digest  # noqa: E402
from aduan.reports.models import Report, ReportEvent  # noqa: E402


def main(mode: str, number: str) -> None:
    report = Report.objects.get(tracking_number=number)
    events = list(report.events.order_by("seq"))
    target = events[0]
    payload = dict(target.payload) | {"tampered": "diubah diam-diam"}
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reports_reportevent SET payload = %s WHERE id = %s",
            [json.dumps(payload), target.pk],
        )
        if mode == "rehash":
            prev = "0" * 64
            for event in ReportEvent.objects.filter(report=report).order_by("seq"):
                event.prev_hash = prev
                prev = event_digest(event, report.uuid)
                cursor.execute(
                    "UPDATE reports_reportevent SET prev_hash = %s, hash = %s WHERE id = %s",
                    [event.prev_hash, prev, event.pk],
                )
            cursor.execute(
                "UPDATE reports_report SET last_event_hash = %s WHERE id = %s", [prev, report.pk]
            )
    print(report.uuid)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
