from django.conf import settings
from django.core.cache import cache
from django_tasks import task

CHECKED_KEY = "routing:retrain-checked"


@task(queue_name="schedule")
def retrain_category_model() -> dict:
    """Retrain when due (docs/ROUTING.md). The check counts decisions on columns without an
    index of their own (verified_at, dispositioned_at), so it runs at most every
    ROUTING_CHECK_MINUTES, not on every tick of the worker's schedule."""
    if not cache.add(CHECKED_KEY, True, timeout=settings.ROUTING_CHECK_MINUTES * 60):
        return {"trained": None, "promoted": None, "reason": "checked recently"}
    from . import learning  # NumPy and scikit-learn: in the worker only

    result = learning.retrain()
    return {"trained": result.trained, "promoted": result.promoted, "reason": result.reason}


@task(queue_name="schedule")
def suggest_categories() -> dict:
    """Suggest a category for the reports waiting for verification that have none yet
    (docs/ROUTING.md); after retrain_category_model in the schedule, so a node's first
    model is trained before its first suggestions."""
    from . import suggest

    return {"suggested": suggest.make_suggestions()}


@task(queue_name="schedule")
def detect_duplicates_and_campaigns() -> dict:
    """Suggest duplicate clusters and flag campaigns among the reports stored since the
    last run (docs/ROUTING.md, Duplicate clusters and campaigns)."""
    from . import grouping

    return {"examined": grouping.run()}
