from django_tasks import task

from . import service


@task(queue_name="notifications")
def deliver_notification(notification_id: int) -> str:
    return service.deliver(notification_id)


@task(queue_name="schedule")
def sweep_notifications() -> int:
    return service.sweep()
