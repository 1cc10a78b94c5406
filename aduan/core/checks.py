"""Deployment checks (`manage.py check --deploy`) for what would give wrong or wasted
answers once there is more than one process: docs/SCALING.md, "Shared state"."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """A production node always has several processes (gunicorn workers and run_worker):
    with the per-process cache the worker warms statistics nobody reads, a new audit
    checkpoint reaches the pages of each process only when its copy expires, and each
    process computes every cached page part again."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("LocMemCache"):
        return [
            Warning(
                "CACHE_BACKEND is per process (locmem); with several processes set "
                "CACHE_BACKEND=database and run `manage.py createcachetable`.",
                hint="docs/SCALING.md, Shared state",
                id="aduan.W001",
            )
        ]
    return []


@register(deploy=True)
def shared_files(app_configs, **kwargs):
    """S3 storage needs its bucket; the filesystem needs nothing but a directory that
    every web host mounts when there are several (which no check can see)."""
    if settings.STORAGE_BACKEND not in ("filesystem", "s3"):
        return [
            Warning(
                f"STORAGE_BACKEND={settings.STORAGE_BACKEND!r} is neither 'filesystem' nor "
                "'s3'; files are kept on the filesystem.",
                id="aduan.W002",
            )
        ]
    return []
