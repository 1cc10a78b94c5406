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
    }
