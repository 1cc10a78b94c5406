from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import WorkerHeartbeat


@require_GET
def favicon(request):
    """/favicon.ico, which browsers ask for on pages without an icon link (JSON, feeds):
    the PNG icon every HTML page links to."""
    return HttpResponsePermanentRedirect(static("img/favicon-32.png"))


@never_cache
@require_GET
def healthz(request):
    """Liveness for load balancers and monitors. 200 while the database answers (the web
    process can serve), with whether a worker wrote its heartbeat recently; 503 when the
    database does not answer."""
    database_ok = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        database_ok = False
    worker_ok = False
    last_seen = None
    if database_ok:
        try:
            beat = WorkerHeartbeat.objects.order_by("-seen_at").first()
        except Exception:  # noqa: BLE001 - e.g. migrations not applied yet
            beat = None
        if beat is not None:
            last_seen = beat.seen_at
            max_age = timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
            worker_ok = timezone.now() - beat.seen_at <= max_age
    sync = None
    if database_ok:
        try:
            from aduan.federation.status import health_summary

            sync = health_summary()
        except Exception:  # noqa: BLE001 - e.g. migrations not applied yet
            sync = None
    healthy = database_ok and worker_ok and (sync is None or sync["ok"])
    return JsonResponse(
        {
            "status": "ok" if healthy else "degraded",
            "database": {"ok": database_ok, "vendor": connection.vendor},
            "worker": {"ok": worker_ok, "last_seen": last_seen.isoformat() if last_seen else None},
            "node": {"id": settings.NODE_ID, "role": settings.NODE_ROLE},
            "sync": sync,
        },
        status=200 if database_ok else 503,
    )
