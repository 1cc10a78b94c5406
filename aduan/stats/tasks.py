from django_tasks import task

from . import opendata


@task(queue_name="schedule")
def refresh_open_data() -> dict:
    """Rebuild the open dataset when it is older than OPEN_DATA_MAX_AGE (the worker
    enqueues this with its periodic jobs; most runs do nothing)."""
    result = opendata.build_if_stale()
    if result is None:
        return {"built": False}
    return {"built": True, "rows": result.rows, "generated_at": result.generated_at.isoformat()}
