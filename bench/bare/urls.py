"""The bare reference's one view: what any Django intake must do at least.

Parse the JSON body, check two lengths (400 otherwise), and in one transaction take a
tracking number from a sequence, insert the report row and its first event row; answer
201 with the tracking number as JSON."""

import json

from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import BareEvent, BareReport


@csrf_exempt
@require_POST
def submit(request):
    try:
        data = json.loads(request.body)
        title, body = str(data["title"]), str(data["body"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"detail": "invalid JSON"}, status=400)
    if not 5 <= len(title) <= 200 or not 10 <= len(body) <= 10_000:
        return JsonResponse({"detail": "title or body length"}, status=400)
    now = timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('bench_bare_tracking_seq')")
            number = cursor.fetchone()[0]
        report = BareReport.objects.create(
            tracking_number=f"BARE-{now.year % 100:02d}-{number:07d}",
            title=title,
            body=body,
            region_code=str(data.get("region", ""))[:13],
            submitted_at=now,
        )
        BareEvent.objects.create(report=report, kind="submitted", at=now)
    return JsonResponse({"tracking_number": report.tracking_number}, status=201)


def healthz(request):
    return HttpResponse("ok")


urlpatterns = [path("api/v1/reports", submit), path("healthz", healthz)]
