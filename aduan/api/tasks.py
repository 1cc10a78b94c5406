from django_tasks import task

from . import keys


@task(queue_name="schedule")
def purge_rate_counters() -> dict:
    """Delete API rate-limit counters of past minutes (enqueued with the periodic jobs)."""
    return {"deleted": keys.purge_rate_counters()}
