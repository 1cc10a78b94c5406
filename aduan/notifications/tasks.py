from django_tasks import task

from . import service


@task(queue_name="notifications")
def deliver_notification(notification_id: int) -> str:
    return service.deliver(notification_id)


@task(queue_name="notifications")
def deliver_notifications(notification_ids: list[int]) -> dict:
    """The notifications created by one change, each delivered (and retried) on its own."""
    results: dict[str, int] = {}
    for notification_id in notification_ids:
        outcome = service.deliver(notification_id)
        results[outcome] = results.get(outcome, 0) + 1
    return results


@task(queue_name="schedule")
def sweep_notifications() -> int:
    return service.sweep()
