"""The webhooks of every channel adapter: /channels/<channel>/<gateway>/inbound for
messages and /status for delivery reports. The adapter verifies and parses; the intake
(`intake.receive`) and the outbox (`notifications.service.record_delivery_report`) act."""

import logging

from django.db import DatabaseError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from aduan.notifications.service import record_delivery_report

from .gateways import gateway
from .gateways.base import WebhookRefused
from .intake import ChannelBusy, receive

logger = logging.getLogger(__name__)


def _refused(error: WebhookRefused) -> JsonResponse:
    # The reason is the adapter's own wording, never a value from the request.
    return JsonResponse({"status": "refused", "error": error.reason}, status=error.status)


def _adapter(channel: str, name: str):
    adapter = gateway(channel, name)
    if adapter is None:
        raise Http404
    return adapter


@csrf_exempt
@require_POST
def inbound(request, channel: str, name: str):
    adapter = _adapter(channel, name)
    try:
        adapter.verify(request)
        message = adapter.parse_inbound(request)
    except WebhookRefused as error:
        logger.warning("%s/%s webhook refused: %s", channel, name, error.reason)
        return _refused(error)
    try:
        received = receive(message)
    except ChannelBusy:
        response = JsonResponse({"status": "busy"}, status=429)
        response["Retry-After"] = "60"
        return response
    except DatabaseError:
        # Nothing was written (one transaction); the provider retries the webhook.
        logger.exception("%s/%s message could not be stored", channel, name)
        return JsonResponse({"status": "unavailable"}, status=503)
    outcome = {
        "status": str(received.status),
        "message": str(received.message.uuid) if received.message else None,
        "report": received.report.tracking_number if received.report else None,
    }
    return adapter.acknowledge(received.replies, outcome)


@csrf_exempt
@require_POST
def delivery_report(request, channel: str, name: str):
    adapter = _adapter(channel, name)
    try:
        adapter.verify(request)
        report = adapter.parse_delivery_report(request)
    except WebhookRefused as error:
        logger.warning("%s/%s delivery report refused: %s", channel, name, error.reason)
        return _refused(error)
    notification = record_delivery_report(
        report.provider_id, report.status, reference=report.reference, error=report.error
    )
    # An unknown id is answered 200 too: the provider must not retry it forever.
    return JsonResponse({"status": "recorded" if notification else "unknown"})
