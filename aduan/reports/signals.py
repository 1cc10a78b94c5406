"""A hook for read models (statistics, search indexes, sync) that must stay exactly in
step with reports: `report_changed` is sent synchronously inside the action's
transaction after every save of a report, with the values the report had before.

Receivers run in the same transaction, so a rolled-back action leaves their tables
untouched too. They must be fast and must not do I/O other than the database.
"""

from django.dispatch import Signal

# Sent with sender=Report, report=<Report after the change>, before=<dict or None (new report)>.
report_changed = Signal()

SNAPSHOT_FIELDS = (
    "status",
    "report_type",
    "channel",
    "category_id",
    "region_id",
    "province_code",
    "regency_code",
    "agency_id",
    "unit_id",
    "is_anonymous",
    "is_confidential",
    "needs_inspection",
    "is_overdue",
    "escalation_level",
    "submitted_at",
    "dispositioned_at",
    "first_response_at",
    "first_response_due_at",
    "completion_due_at",
    "closed_at",
    "rating",
)


def snapshot(report) -> dict:
    return {field: getattr(report, field) for field in SNAPSHOT_FIELDS}
