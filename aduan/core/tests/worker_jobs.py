"""A job kind for the many-workers test (`test_many_workers.py`): each run leaves one
counted row keyed by the job's number, so a job run twice shows as two rows."""

import time

from django.utils import timezone
from django_tasks import task

from aduan.core.models import LimitHit

SCOPE = "worker-test"


@task(queue_name="default")
def record_run(number: int, pause: float = 0.0) -> int:
    LimitHit.objects.create(scope=SCOPE, key_hash=str(number), at=timezone.now())
    if pause:
        time.sleep(pause)
    return number
