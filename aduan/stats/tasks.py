from django.conf import settings
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


@task(queue_name="schedule")
def warm_public_statistics() -> dict:
    """Refresh the public statistics page's default view in the shared cache (to be listed
    in the worker's periodic jobs). It lives one schedule period longer than the page's
    own minute, so it never expires between two runs; each run replaces it."""
    from .views.public import CACHE_SECONDS, warm_default_view

    key = warm_default_view(seconds=CACHE_SECONDS + settings.WORKER_SCHEDULE_SECONDS)
    return {"key": key}


@task(queue_name="schedule")
def warm_staff_dashboards() -> dict:
    """Refresh the national staff dashboards' default view (national admin and nationwide
    supervisor, each under its own scope's key) in the shared cache, for as long as the
    public page's warm entry; listed in the worker's periodic jobs."""
    from .views.dashboard import CACHE_SECONDS, warm_default_dashboards

    keys = warm_default_dashboards(seconds=CACHE_SECONDS + settings.WORKER_SCHEDULE_SECONDS)
    return {"keys": keys}
