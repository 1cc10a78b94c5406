"""What one node holds, as JSON on standard output, for the harness's final comparison."""

import json

import django

django.setup()

from django.conf import settings  # noqa: E402

from aduan.federation.models import AppliedMessage, Message, PendingEvent, SyncAlert  # noqa: E402
from aduan.federation.relevance import Hosting  # noqa: E402
from aduan.reports.events import verify_report_chain  # noqa: E402
from aduan.reports.models import Attachment, Report, ReportEvent  # noqa: E402


def _stored_sha(attachment) -> str | None:
    """The SHA-256 of the file as stored here, or None while it is still to be fetched."""
    import hashlib

    if not attachment.file:
        return None
    try:
        with attachment.file.open("rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


def main():
    hosting = Hosting.load()
    events: dict[int, list] = {}
    applied_in_history: dict[str, int] = {}
    rows = ReportEvent.objects.order_by("report_id", "seq").values_list(
        "report_id", "seq", "uuid", "hash", "payload"
    )
    for report_id, seq, key, digest, payload in rows:
        events.setdefault(report_id, []).append([seq, str(key), digest])
        command = (payload or {}).get("command")
        if command:
            applied_in_history[command] = applied_in_history.get(command, 0) + 1
    reports = {}
    broken = []
    for report in Report.objects.all():
        row = {
            "owner_node": report.owner_node,
            "origin_node": report.origin_node,
            "agency_id": report.agency_id,
            "unit_id": report.unit_id,
            "region_id": report.region_id,
        }
        reports[str(report.uuid)] = {
            "tracking_number": report.tracking_number,
            "owner": report.owner_node,
            "origin": report.origin_node,
            "status": report.status,
            "holders": sorted(hosting.nodes_for(row)),
            "head": [report.last_event_seq, report.last_event_hash],
            "events": events.get(report.pk, []),
        }
        if verify_report_chain(report):
            broken.append(report.tracking_number)
    print(
        json.dumps(
            {
                "node": settings.NODE_ID,
                "reports": reports,
                "broken_chains": broken,
                "messages": {
                    str(m.uuid): {"status": m.status, "kind": m.kind, "target": m.target}
                    for m in Message.objects.all()
                },
                "applied_messages": {
                    str(a.uuid): a.outcome.get("status") for a in AppliedMessage.objects.all()
                },
                "pending_events": PendingEvent.objects.count(),
                "commands_in_history": applied_in_history,
                "attachments": {
                    str(a.uuid): {"sha256": a.sha256, "stored": _stored_sha(a)}
                    for a in Attachment.objects.all()
                },
                "alerts": [[a.kind, a.peer, a.detail] for a in SyncAlert.objects.all()],
            }
        )
    )


if __name__ == "__main__":
    main()
