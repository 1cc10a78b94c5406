"""The generic SMS format: JSON over HTTPS signed with a shared secret, which any SMS
gateway (a hosted Indonesian provider's forwarding URL, an Android phone running an SMS
gateway app, a modem with Gammu SMSD and a small script) can be configured to speak.
The format is specified in docs/CHANNELS.md."""

import json

from django.conf import settings
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from . import http, signing
from .base import (
    DELIVERY_STATUSES,
    DeliveryReport,
    Gateway,
    Inbound,
    PermanentFailure,
    WebhookRefused,
)

MAX_BODY = 64 * 1024


def _json_body(request) -> dict:
    if len(request.body) > MAX_BODY:
        raise WebhookRefused(400, "body too large")
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise WebhookRefused(400, "body is not UTF-8 JSON") from None
    if not isinstance(data, dict):
        raise WebhookRefused(400, "body is not a JSON object")
    return data


def _string(data: dict, key: str, *, limit: int, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise WebhookRefused(400, f"'{key}' must be a string of at most {limit} characters")
    return value


class GenericSMSGateway(Gateway):
    channel = "sms"
    name = "generic"

    def configured(self) -> bool:
        return bool(settings.SMS_GENERIC_SECRET)

    def verify(self, request) -> None:
        problem = signing.check(
            settings.SMS_GENERIC_SECRET,
            request.headers.get(signing.TIMESTAMP_HEADER, ""),
            request.headers.get(signing.SIGNATURE_HEADER, ""),
            request.body,
        )
        if problem:
            raise WebhookRefused(403, problem)

    def parse_inbound(self, request) -> Inbound:
        data = _json_body(request)
        try:
            sent_at = (
                parse_datetime(data["sent_at"]) if isinstance(data.get("sent_at"), str) else None
            )
        except ValueError:  # well formed but impossible (month 13): not worth refusing
            sent_at = None
        return Inbound(
            channel=self.channel,
            gateway=self.name,
            provider_id=_string(data, "id", limit=100),
            sender=_string(data, "from", limit=40),
            text=_string(data, "text", limit=40_000, required=False),
            sent_at=sent_at,
        )

    def parse_delivery_report(self, request) -> DeliveryReport:
        data = _json_body(request)
        status = _string(data, "status", limit=20)
        if status not in DELIVERY_STATUSES:
            raise WebhookRefused(400, "unknown status")
        return DeliveryReport(
            provider_id=_string(data, "id", limit=100),
            status=status,
            reference=_string(data, "reference", limit=100, required=False),
            error=_string(data, "error", limit=200, required=False),
        )

    def send(self, phone: str, text: str, reference: str | None = None) -> str:
        body = json.dumps(
            {
                "to": phone,
                "text": text,
                "reference": reference or "",
                "status_url": settings.SITE_URL
                + reverse("channels-delivery-report", args=[self.channel, self.name]),
            }
        ).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        headers |= signing.signed_headers(settings.SMS_GENERIC_SECRET, body)
        answer = http.post(settings.SMS_GENERIC_SEND_URL, body, headers)
        data = answer.json() if isinstance(answer.json(), dict) else {}
        if answer.status in (400, 422):
            raise PermanentFailure(f"gateway refused the message: {str(data.get('error'))[:150]}")
        if not 200 <= answer.status < 300 or not isinstance(data.get("id"), str):
            raise OSError(f"gateway answered HTTP {answer.status}")
        return data["id"][:100]
