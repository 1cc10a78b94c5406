from django.db import models


class WorkerHeartbeat(models.Model):
    """Written by each worker process every loop; /healthz reads the newest one."""

    worker_id = models.CharField(max_length=100, unique=True)
    seen_at = models.DateTimeField()
    started_at = models.DateTimeField()
    last_schedule_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.worker_id} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"
