import datetime as dt

from django_tasks import task

from . import sla


@task(queue_name="schedule")
def scan_deadlines() -> dict:
    result = sla.scan_deadlines()
    return {
        "auto_closed": result.auto_closed,
        "reminders": result.reminders,
        "overdue": result.overdue,
        "escalations": result.escalations,
        "errors": result.errors[:20],
        "stopped": result.stopped,
    }


# A client retrying a report after this long is not retrying: its key may be forgotten.
KEEP_SUBMISSION_KEYS_FOR = dt.timedelta(days=30)


@task(queue_name="schedule")
def purge_submission_keys() -> dict:
    """Forget idempotency keys of reports filed long ago (enqueued with the periodic jobs)."""
    from aduan.core import clock

    from .models import SubmissionKey

    before = clock.now() - KEEP_SUBMISSION_KEYS_FOR
    deleted, _ = SubmissionKey.objects.filter(created_at__lt=before).delete()
    return {"deleted": deleted}
