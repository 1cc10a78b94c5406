"""The webhooks of every channel adapter: /channels/<channel>/<gateway>/inbound for
messages and /status for delivery reports. The adapter verifies and parses; the intake
(`intake.receive`) and the outbox (`notifications.service.record_delivery_report`) act."""

import logging

from django.db import DatabaseError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from aduan.notifications.service import record_delivery_report

from .gateways import gateway
from .gateways.base import WebhookRefused
from .intake import ChannelBusy, receive
from .media import fetch_files

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
@require_http_methods(["GET", "POST"])
def inbound(request, channel: str, name: str):
    adapter = _adapter(channel, name)
    if request.method == "GET":
        return adapter.subscribe(request)
    try:
        adapter.verify(request)
        messages, reports = adapter.parse_webhook(request)
    except WebhookRefused as error:
        logger.warning("%s/%s webhook refused: %s", channel, name, error.reason)
        return _refused(error)
    for report in reports:
        # Meta sends delivery reports to the same callback URL as messages.
        record_delivery_report(
            report.provider_id, report.status, reference=report.reference, error=report.error
        )
    outcome: dict = {"status": "recorded", "message": None, "report": None}
    replies: list[str] = []
    for message in messages:
        # Files are downloaded and checked before the message's transaction opens.
        message = fetch_files(adapter, message)
        try:
            received = receive(message)
        except ChannelBusy:
            # Messages before this one are stored; a retry of the call finds them duplicates.
            response = JsonResponse({"status": "busy"}, status=429)
            response["Retry-After"] = "60"
            return response
        except DatabaseError:
            # Nothing of this message was written (one transaction); the provider retries.
            logger.exception("%s/%s message could not be stored", channel, name)
            return JsonResponse({"status": "unavailable"}, status=503)
        outcome = {
            "status": str(received.status),
            "message": str(received.message.uuid) if received.message else None,
            "report": received.report.tracking_number if received.report else None,
        }
        replies += received.replies
    return adapter.acknowledge(replies, outcome)


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
