from django.db import models


class WorkerHeartbeat(models.Model):
    """Written by each worker process every loop; /healthz reads the newest one."""

    worker_id = models.CharField(max_length=100, unique=True)
    seen_at = models.DateTimeField()
    started_at = models.DateTimeField()
    last_schedule_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.worker_id} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class ReferenceVersion(models.Model):
    """The version of the reference data that every process keeps in its local cache
    (`core.refcache`): a fresh random number whenever categories, regions, holidays or API
    keys change, written in the transaction that changes them."""

    name = models.CharField(max_length=50, primary_key=True)
    version = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.version}"


class LimitHit(models.Model):
    """One counted action (a code sent, a report filed) under one key of the hourly
    limits of `core.limits`, kept a day. Keys are keyed hashes ("contact:…",
    "session:…", "address:…"): the table holds no address, contact or session key."""

    scope = models.CharField(max_length=24)
    key_hash = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "key_hash", "at"], name="core_limithit_key_idx")]

    def __str__(self) -> str:
        return f"{self.scope} at {self.at:%Y-%m-%d %H:%M}"


class PeriodicJob(models.Model):
    """When one periodic job (by task path) is next due, shared by every worker process on
    every host: the worker that moves `due_at` forward by a conditional update is the one
    that queues the job (`core.scheduler.enqueue_periodic`), so several workers queue each
    job once per interval, not once each. A row named "lease:…" is a lease instead
    (`core.scheduler.hold_lease`): `held_by` the worker that holds it until `due_at`."""

    name = models.CharField(max_length=200, primary_key=True)
    due_at = models.DateTimeField()
    held_by = models.CharField(max_length=100, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.name} due {self.due_at:%Y-%m-%d %H:%M:%S}"
