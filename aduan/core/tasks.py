from django_tasks import task

from . import pruning


@task(queue_name="schedule")
def prune_finished_work() -> dict:
    return pruning.prune_finished_work()
