"""WhatsApp through Meta's WhatsApp Business Cloud API, as Meta documents it:

- Webhooks (https://developers.facebook.com/docs/graph-api/webhooks/getting-started):
  subscribing the callback URL is a GET with `hub.mode=subscribe`, `hub.verify_token` (the
  token typed into the app's settings) and `hub.challenge`, answered 200 with the challenge;
  every event is a POST whose `X-Hub-Signature-256` header is `sha256=` and the hex
  HMAC-SHA256 of the raw body keyed with the app secret. Meta retries a call that was not
  answered 200, so the same message may arrive again: its id (`wamid.…`) makes it a
  duplicate.
- The payload (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components
  and .../webhooks/payload-examples): `{"object": "whatsapp_business_account", "entry":
  [{"id", "changes": [{"field": "messages", "value": {"metadata": {"phone_number_id"},
  "contacts", "messages": [...], "statuses": [...]}}]}]}`. A message has `from` (the
  sender's number, digits with country code), `id`, `timestamp`, `type` and an object of
  that type: `text.body`; `image` / `document` with `id`, `mime_type`, `caption`;
  `location` with `latitude`, `longitude`, `name`, `address`; `interactive` with
  `button_reply` or `list_reply` (`id`, `title`); `button` (`payload`, `text`) for a
  template's quick reply; `context.id` when it answers one of our messages. A status has
  `id` (our message's wamid), `status` (`sent`, `delivered`, `read`, `failed`),
  `recipient_id` and, on failure, `errors` with `code` and `title`.
- Media (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media):
  `GET /{media-id}` with the bearer token answers `{"url", "mime_type", "sha256",
  "file_size", "id"}`; the URL is fetched with the same bearer token and is only valid for
  a few minutes, so files are downloaded when the message arrives.
- Sending (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages):
  `POST /{phone-number-id}/messages` with the bearer token and `messaging_product:
  "whatsapp"`, `to`, `type` `text` / `interactive` (reply buttons: at most 3, titles of
  at most 20 characters, a body of at most 1024) / `template` (name, language, body
  parameters); success is 200 with `messages[0].id`. Errors are `{"error": {"code",
  "message", "error_data": {"details"}}}`
  (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
- Free-form messages may only be sent within 24 hours of the person's last message (the
  customer service window, https://developers.facebook.com/docs/whatsapp/pricing);
  outside it only an approved template, otherwise error 131047 "Re-engagement message".
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import string

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from . import http
from .base import DeliveryReport, Gateway, Inbound, PermanentFailure, WebhookRefused

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_BODY = 256 * 1024
MAX_MEDIA_BYTES = 16 * 1024 * 1024
# Meta's limits on an interactive message with reply buttons.
MAX_BUTTONS = 3
BUTTON_TITLE_MAX = 20
INTERACTIVE_BODY_MAX = 1024
TEXT_MAX = 4096
# A template's body parameter: Meta refuses new lines, tabs and more than four spaces in
# a row in one; the text is made one line and cut short.
TEMPLATE_PARAMETER_MAX = 1000
STATUSES = {"sent": "sent", "delivered": "delivered", "read": "read", "failed": "failed"}
# Outside the customer service window: only a template may be sent.
WINDOW_CLOSED = 131047
# Errors worth trying again later (rate limits, throughput, Meta's temporary trouble);
# any other 4xx answer is a refusal that retrying cannot fix.
RETRYABLE = {1, 2, 4, 80007, 130429, 131000, 131016, 131048, 131056, 133004}
# Template errors (1320xx): the template is missing, paused, disabled or its parameters do
# not match.
TEMPLATE_ERRORS = range(132000, 132100)
_CHALLENGE = re.compile(r"[A-Za-z0-9_\-]{1,200}")


class WindowClosed(Exception):
    """Meta refused a free-form message: the 24-hour window is closed."""


def signature(app_secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _refuse(reason: str) -> WebhookRefused:
    return WebhookRefused(400, reason)


def _dict(value, what: str) -> dict:
    if not isinstance(value, dict):
        raise _refuse(f"{what} is not an object")
    return value


def _list(value, what: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _refuse(f"{what} is not a list")
    return value


def _str(data: dict, key: str, *, limit: int, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise _refuse(f"'{key}' must be a string of at most {limit} characters")
    return value


def _coordinate(value, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _refuse("a location's coordinates are not numbers")
    try:
        number = float(value)
    except ValueError:
        raise _refuse("a location's coordinates are not numbers") from None
    if not low <= number <= high:
        raise _refuse("a location's coordinates are out of range")
    return number


def _message(data: dict) -> Inbound:
    """One entry of `value.messages`."""
    kind = _str(data, "type", limit=20)
    text, media_ids, latitude, longitude, place = "", (), None, None, ""
    if kind == "text":
        text = _str(_dict(data.get("text"), "text"), "body", limit=40_000, required=False)
    elif kind in ("image", "document"):
        media = _dict(data.get(kind), kind)
        media_ids = (_str(media, "id", limit=100),)
        text = _str(media, "caption", limit=40_000, required=False)
    elif kind == "location":
        location = _dict(data.get("location"), "location")
        latitude = _coordinate(location.get("latitude"), -90, 90)
        longitude = _coordinate(location.get("longitude"), -180, 180)
        name = _str(location, "name", limit=300, required=False)
        address = _str(location, "address", limit=300, required=False)
        place = ", ".join(part for part in (name, address) if part.strip())
    elif kind == "interactive":
        interactive = _dict(data.get("interactive"), "interactive")
        reply = interactive.get("button_reply") or interactive.get("list_reply")
        if isinstance(reply, dict):
            # Our buttons' ids are the text the choice stands for ("KIRIM", "TERIMA <n>").
            text = _str(reply, "id", limit=256)
        else:
            kind = "other"  # a reply to something Aduan never sends (a flow, a form)
    elif kind == "button":
        button = _dict(data.get("button"), "button")
        text = _str(button, "payload", limit=256, required=False) or _str(
            button, "text", limit=256, required=False
        )
    else:
        # Audio, video, stickers, reactions, contacts, "unsupported": kept, not read.
        kind = "other"
    context = data.get("context")
    reply_to = _str(context, "id", limit=100, required=False) if isinstance(context, dict) else ""
    timestamp = data.get("timestamp")
    sent_at = None
    if isinstance(timestamp, str) and timestamp.isdigit() and len(timestamp) <= 12:
        sent_at = dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC)
    return Inbound(
        channel="whatsapp",
        gateway="cloud",
        provider_id=_str(data, "id", limit=100),
        sender=_str(data, "from", limit=40),
        text=text,
        sent_at=sent_at,
        kind=kind,
        media_ids=media_ids,
        latitude=latitude,
        longitude=longitude,
        place=place,
        reply_to=reply_to,
    )


def _status(data: dict) -> DeliveryReport | None:
    status = STATUSES.get(_str(data, "status", limit=20))
    if status is None:
        return None
    error = ""
    errors = _list(data.get("errors"), "errors")
    if errors and isinstance(errors[0], dict):
        code = errors[0].get("code")
        title = errors[0].get("title")
        error = f"WhatsApp error {code}: {title}" if isinstance(title, str) else f"{code}"
    return DeliveryReport(provider_id=_str(data, "id", limit=100), status=status, error=error[:200])


def one_line(text: str) -> str:
    """A template parameter: one line, no runs of spaces, at most TEMPLATE_PARAMETER_MAX."""
    text = " ".join(text.split())
    if len(text) > TEMPLATE_PARAMETER_MAX:
        text = text[: TEMPLATE_PARAMETER_MAX - 3].rsplit(" ", 1)[0] + "..."
    return text


class WhatsAppCloudGateway(Gateway):
    channel = "whatsapp"
    name = "cloud"

    def configured(self) -> bool:
        return bool(settings.WHATSAPP_APP_SECRET)

    def subscribe(self, request) -> HttpResponse:
        token = request.GET.get("hub.verify_token", "")
        challenge = request.GET.get("hub.challenge", "")
        expected = settings.WHATSAPP_VERIFY_TOKEN
        if (
            request.GET.get("hub.mode") != "subscribe"
            or not expected
            or not hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8"))
        ):
            return JsonResponse({"status": "refused", "error": "bad verify token"}, status=403)
        # Echoed as plain text: only a harmless token, whatever the caller put there.
        if not _CHALLENGE.fullmatch(challenge):
            return JsonResponse({"status": "refused", "error": "bad challenge"}, status=400)
        return HttpResponse(challenge, content_type="text/plain")

    def verify(self, request) -> None:
        if len(request.body) > MAX_BODY:
            raise WebhookRefused(400, "body too large")
        given = request.headers.get(SIGNATURE_HEADER, "")
        expected = signature(settings.WHATSAPP_APP_SECRET, request.body)
        if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
            raise WebhookRefused(403, "bad signature")

    def parse_webhook(self, request) -> tuple[list[Inbound], list[DeliveryReport]]:
        try:
            data = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise _refuse("body is not UTF-8 JSON") from None
        data = _dict(data, "body")
        if data.get("object") != "whatsapp_business_account":
            raise _refuse("not a WhatsApp Business Account event")
        messages, reports = [], []
        for entry in _list(data.get("entry"), "entry"):
            for change in _list(_dict(entry, "entry").get("changes"), "changes"):
                change = _dict(change, "change")
                if change.get("field") != "messages":
                    continue  # other subscriptions (templates' status, account updates)
                value = _dict(change.get("value"), "value")
                metadata = value.get("metadata")
                number_id = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
                if settings.WHATSAPP_PHONE_NUMBER_ID and number_id != (
                    settings.WHATSAPP_PHONE_NUMBER_ID
                ):
                    continue  # another number of the same business account
                for message in _list(value.get("messages"), "messages"):
                    messages.append(_message(_dict(message, "message")))
                for status in _list(value.get("statuses"), "statuses"):
                    report = _status(_dict(status, "status"))
                    if report is not None:
                        reports.append(report)
        if len(messages) > 20:
            raise _refuse("too many messages in one call")
        return messages, reports

    def parse_inbound(self, request) -> Inbound:
        messages, _ = self.parse_webhook(request)
        if len(messages) != 1:
            raise _refuse("expected one message")
        return messages[0]

    def parse_delivery_report(self, request) -> DeliveryReport:
        # Meta posts statuses to the inbound callback URL; this answers the /status path
        # for a status sent there by hand.
        _, reports = self.parse_webhook(request)
        if len(reports) != 1:
            raise _refuse("expected one status")
        return reports[0]

    def acknowledge(self, replies: list[str], outcome: dict) -> HttpResponse:
        # Meta only needs a 200; the outcome helps `simulate_inbound` and operators.
        return JsonResponse(outcome | {"replies": replies})

    # ------------------------------------------------------------------ Graph API

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {settings.WHATSAPP_ACCESS_TOKEN}"}

    def fetch_media(self, media_id: str) -> bytes:
        """Download a file a sender attached: its URL first, then the bytes. Raises
        OSError when Meta cannot be reached or refuses, ValueError when it is too big."""
        if not media_id.isascii() or not media_id.replace("_", "").isalnum():
            raise ValueError("not a media id")
        answer = http.get(f"{settings.WHATSAPP_API_BASE}/{media_id}", self._headers())
        data = answer.json() if isinstance(answer.json(), dict) else {}
        if answer.status != 200 or not isinstance(data.get("url"), str):
            raise OSError(f"media {media_id}: HTTP {answer.status}")
        size = data.get("file_size")
        if isinstance(size, int) and size > MAX_MEDIA_BYTES:
            raise ValueError("file too large")
        content = http.get(data["url"], self._headers(), limit=MAX_MEDIA_BYTES)
        if content.status != 200:
            raise OSError(f"media {media_id} download: HTTP {content.status}")
        if len(content.body) > MAX_MEDIA_BYTES:
            raise ValueError("file too large")
        return content.body

    def send(self, phone: str, text: str, reference: str | None = None) -> str:
        return self.send_message(phone, text)

    def send_message(self, phone: str, text: str, *, buttons=(), window_open: bool = True) -> str:
        """Send `text` (with reply `buttons`, pairs of id and title, where they fit)
        within the customer service window, else as the approved template. Returns
        Meta's message id. Raises PermanentFailure for a refusal (a template refused
        included: the outbox then falls back to SMS), OSError to be retried."""
        if not settings.WHATSAPP_ACCESS_TOKEN:
            # Development: no account. The number is masked even here.
            print(f"[WhatsApp to ...{phone[-3:]}] {text}", flush=True)
            return ""
        if window_open:
            try:
                return self._post(self._free_form(phone, text, buttons))
            except WindowClosed:
                logger.info("WhatsApp window closed; sending the template instead")
        try:
            return self._post(self._template(phone, text))
        except WindowClosed:
            raise PermanentFailure("WhatsApp refused the template (131047)") from None

    def _free_form(self, phone: str, text: str, buttons) -> dict:
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual"}
        payload["to"] = phone.lstrip("+")
        buttons = list(buttons)[:MAX_BUTTONS]
        if buttons and len(text) <= INTERACTIVE_BODY_MAX:
            payload |= {
                "type": "interactive",
                "interactive": {
                    "type": "button",
                    "body": {"text": text},
                    "action": {
                        "buttons": [
                            {
                                "type": "reply",
                                "reply": {"id": str(key)[:256], "title": str(title)[:20]},
                            }
                            for key, title in buttons
                        ]
                    },
                },
            }
        else:
            payload |= {"type": "text", "text": {"preview_url": False, "body": text[:TEXT_MAX]}}
        return payload

    def _template(self, phone: str, text: str) -> dict:
        return {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": phone.lstrip("+"),
            "type": "template",
            "template": {
                "name": settings.WHATSAPP_TEMPLATE_NAME,
                "language": {"code": settings.WHATSAPP_TEMPLATE_LANGUAGE},
                "components": [
                    {"type": "body", "parameters": [{"type": "text", "text": one_line(text)}]}
                ],
            },
        }

    def _post(self, payload: dict) -> str:
        answer = http.post(
            f"{settings.WHATSAPP_API_BASE}/{settings.WHATSAPP_PHONE_NUMBER_ID}/messages",
            json.dumps(payload).encode("utf-8"),
            self._headers() | {"Content-Type": "application/json"},
        )
        data = answer.json() if isinstance(answer.json(), dict) else {}
        if answer.status == 200:
            sent = data.get("messages")
            if isinstance(sent, list) and sent and isinstance(sent[0], dict):
                message_id = sent[0].get("id")
                if isinstance(message_id, str) and message_id:
                    return message_id[:100]
            raise OSError("WhatsApp answered 200 without a message id")
        error = data.get("error") if isinstance(data.get("error"), dict) else {}
        code = error.get("code")
        message = str(error.get("message", ""))
        printable = "".join(c for c in message if c in string.printable)[:120]
        if code == WINDOW_CLOSED:
            raise WindowClosed
        # 401/403 (an expired token, a missing permission) are the operator's to fix:
        # retried, like Meta's trouble, until the outbox gives up.
        if answer.status in (400, 404, 422) and code not in RETRYABLE:
            what = "template refused" if code in TEMPLATE_ERRORS else "refused"
            raise PermanentFailure(f"WhatsApp {what}: error {code} {printable}"[:200])
        raise OSError(f"WhatsApp answered HTTP {answer.status} (error {code})")
