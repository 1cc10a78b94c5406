"""Twilio Programmable Messaging (SMS), from Twilio's public documentation:

- inbound messages and status callbacks are form-encoded POSTs signed with
  `X-Twilio-Signature`: base64 of HMAC-SHA1, keyed with the account's Auth Token, over the
  webhook URL as configured followed by every POST parameter, sorted by name, as name and
  value (https://www.twilio.com/docs/usage/webhooks/webhooks-security);
- a message is sent by creating a Message resource, `POST /2010-04-01/Accounts/{AccountSid}
  /Messages.json` with HTTP basic authentication (Account SID, Auth Token) and the form
  fields `To`, `From` (or `MessagingServiceSid`), `Body`, `StatusCallback`; Twilio answers
  201 with the resource, whose `sid` identifies it, in status `queued`
  (https://www.twilio.com/docs/messaging/api/message-resource);
- the status callback carries `MessageSid`, `MessageStatus` (`queued`, `sent`,
  `delivered`, `undelivered`, `failed`, ...) and, on failure, `ErrorCode`
  (https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks);
- the answer to an inbound webhook is TwiML; an empty `<Response/>` sends nothing (our
  answers go through the outbox, where they are tracked and retried)."""

import base64
import hashlib
import hmac
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse

from . import http
from .base import DeliveryReport, Gateway, Inbound, PermanentFailure, WebhookRefused

SIGNATURE_HEADER = "X-Twilio-Signature"
# Twilio's statuses that Aduan records; others (accepted, scheduled, sending, read) are
# steps it does not need to track.
STATUSES = {"queued", "sent", "delivered", "undelivered", "failed"}


def signature(auth_token: str, url: str, params) -> str:
    """Twilio's request signature of `url` with the POST `params` (a QueryDict or dict)."""
    getlist = params.getlist if hasattr(params, "getlist") else lambda key: [params[key]]
    payload = url + "".join(key + value for key in sorted(params) for value in getlist(key))
    mac = hmac.new(auth_token.encode("utf-8"), payload.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


def _param(request, key: str, *, limit: int, required: bool = True) -> str:
    value = request.POST.get(key, "")
    if (required and not value.strip()) or len(value) > limit:
        raise WebhookRefused(400, f"'{key}' missing or too long")
    return value


class TwilioSMSGateway(Gateway):
    channel = "sms"
    name = "twilio"

    def configured(self) -> bool:
        return bool(settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN)

    def verify(self, request) -> None:
        if request.content_type != "application/x-www-form-urlencoded":
            raise WebhookRefused(400, "not a form-encoded request")
        try:
            params = request.POST
        except Exception:  # noqa: BLE001 - any undecodable form is malformed
            raise WebhookRefused(400, "malformed form body") from None
        # The URL as Twilio was told it: this node's public address, whatever proxy the
        # request came through.
        url = settings.SITE_URL + request.get_full_path()
        expected = signature(settings.TWILIO_AUTH_TOKEN, url, params)
        given = request.headers.get(SIGNATURE_HEADER, "")
        if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
            raise WebhookRefused(403, "bad signature")
        if params.get("AccountSid", "") != settings.TWILIO_ACCOUNT_SID:
            raise WebhookRefused(403, "another account's message")

    def parse_inbound(self, request) -> Inbound:
        return Inbound(
            channel=self.channel,
            gateway=self.name,
            provider_id=_param(request, "MessageSid", limit=64),
            sender=_param(request, "From", limit=40),
            text=_param(request, "Body", limit=40_000, required=False),
        )

    def parse_delivery_report(self, request) -> DeliveryReport:
        status = _param(request, "MessageStatus", limit=20)
        if status not in STATUSES:
            status = ""
        error = request.POST.get("ErrorCode", "")[:20]
        return DeliveryReport(
            provider_id=_param(request, "MessageSid", limit=64),
            status=status,
            error=f"Twilio error {error}" if error else "",
        )

    def acknowledge(self, replies: list[str], outcome: dict) -> HttpResponse:
        return HttpResponse(
            '<?xml version="1.0" encoding="UTF-8"?><Response></Response>',
            content_type="text/xml",
        )

    def send(self, phone: str, text: str, reference: str | None = None) -> str:
        sid = settings.TWILIO_ACCOUNT_SID
        form = {
            "To": phone,
            "Body": text,
            "StatusCallback": settings.SITE_URL
            + reverse("channels-delivery-report", args=[self.channel, self.name]),
        }
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            form["MessagingServiceSid"] = settings.TWILIO_MESSAGING_SERVICE_SID
        else:
            form["From"] = settings.TWILIO_FROM_NUMBER
        credentials = base64.b64encode(f"{sid}:{settings.TWILIO_AUTH_TOKEN}".encode()).decode()
        answer = http.post(
            f"{settings.TWILIO_API_BASE}/2010-04-01/Accounts/{sid}/Messages.json",
            urlencode(form).encode("utf-8"),
            {
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        data = answer.json() if isinstance(answer.json(), dict) else {}
        if answer.status == 400:
            # A request Twilio will never accept: e.g. 21211 invalid 'To' number, 21610
            # the recipient replied STOP. Retrying cannot help.
            raise PermanentFailure(f"Twilio error {data.get('code')}: {data.get('message')}"[:200])
        if answer.status != 201 or not isinstance(data.get("sid"), str):
            raise OSError(f"Twilio answered HTTP {answer.status} (code {data.get('code')})")
        return data["sid"]
