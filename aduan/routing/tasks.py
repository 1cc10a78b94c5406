from django_tasks import task

from . import learning


@task(queue_name="schedule")
def retrain_category_model() -> dict:
    """Retrain when due (docs/ROUTING.md); cheap when it is not (one count)."""
    result = learning.retrain()
    return {"trained": result.trained, "promoted": result.promoted, "reason": result.reason}
