from django_tasks import task

from . import pending


@task(queue_name="schedule")
def purge_pending_uploads() -> dict:
    """Delete the report form's kept files whose time is up (enqueued with the periodic
    jobs): a citizen who never came back to the form leaves nothing behind."""
    return {"deleted": pending.purge_expired()}
