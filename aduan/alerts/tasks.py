from django_tasks import task

from . import digest


@task(queue_name="schedule")
def send_alerts() -> dict:
    return digest.send_alerts()
