"""The interface every channel adapter implements.

An adapter knows its provider's formats and nothing of Aduan's domain: it verifies that a
webhook comes from the provider (signature or shared secret), turns the provider's payload
into an `Inbound` message or a `DeliveryReport`, answers the provider in the form it
expects, and sends a text. Everything else (the message store, keywords, rate limits,
duplicates, the blocklist, the domain actions, the outbox with its retries and fallback)
is shared and lives in `aduan.channels.intake` and `aduan.notifications.service`.

A WhatsApp or e-mail adapter subclasses `Gateway`, sets `channel` and `name`, and
registers itself in `aduan.channels.gateways.GATEWAYS`."""

import datetime as dt
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse

from aduan.notifications.sms import BaseSMSBackend


@dataclass(frozen=True)
class Attachment:
    """A file that came with a message, unchecked: the intake hands it to the domain
    actions, which put it through the same upload checks as the web's."""

    name: str
    content: bytes = field(repr=False)
    content_type: str = ""


@dataclass(frozen=True)
class Inbound:
    """One message as the provider delivered it, before any check of its content."""

    channel: str
    gateway: str
    provider_id: str
    sender: str
    text: str
    sent_at: dt.datetime | None = None
    # What a chat message carries besides text (WhatsApp): its type ("text", "image",
    # "document", "location", "interactive", or "other" for what Aduan does not read), the
    # provider's ids of its files, a shared location, and the id of the message it
    # answers (a reply to one of ours).
    kind: str = "text"
    media_ids: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    place: str = ""
    reply_to: str = ""
    # The files after download and the upload checks (`channels.media.fetch`), or why
    # one was refused, in the sender's language.
    files: tuple = ()
    file_problem: str = ""
    # E-mail: the subject, the ids of the messages it answers (In-Reply-To, References)
    # and its files.
    subject: str = ""
    thread: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    # The trusted mail server proved the From domain (SPF, DKIM or DMARC).
    sender_proven: bool = False


@dataclass(frozen=True)
class DeliveryReport:
    """The provider's news about a message Aduan sent: `status` is one of `queued`,
    `sent`, `delivered`, `undelivered`, `failed` (the last two are final failures)."""

    provider_id: str
    status: str
    reference: str = ""
    error: str = ""


FINAL_FAILURES = ("undelivered", "failed")
# "read" is WhatsApp's: the recipient opened the message.
DELIVERY_STATUSES = ("queued", "sent", "delivered", "read", *FINAL_FAILURES)


class WebhookRefused(Exception):
    """The request is not a valid webhook call: answered with `status` and no action."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


class PermanentFailure(Exception):
    """The provider refused the message for good (an invalid number, a recipient who
    unsubscribed): it goes to the dead letters at once, without retries."""


class Gateway(BaseSMSBackend):
    channel = ""
    name = ""

    def configured(self) -> bool:
        """Whether the settings this adapter needs are given; an adapter that is not
        configured answers its webhooks with 404."""
        raise NotImplementedError

    def verify(self, request: HttpRequest) -> None:
        """Raise WebhookRefused(403) unless the request carries the provider's valid
        signature, and WebhookRefused(400) when it is too old to be anything but a
        replay (where the provider's format allows telling)."""
        raise NotImplementedError

    def parse_inbound(self, request: HttpRequest) -> Inbound:
        """The message in a verified inbound webhook; WebhookRefused(400) if malformed."""
        raise NotImplementedError

    def parse_delivery_report(self, request: HttpRequest) -> DeliveryReport:
        raise NotImplementedError

    def parse_webhook(self, request: HttpRequest) -> tuple[list[Inbound], list[DeliveryReport]]:
        """The messages and delivery reports in a verified call to the inbound webhook.
        Most providers send one message per call; Meta sends messages and statuses to
        one callback URL, several at a time."""
        return [self.parse_inbound(request)], []

    def subscribe(self, request: HttpRequest) -> HttpResponse:
        """The answer to a GET on the inbound webhook: a provider's subscription check
        (Meta's hub.challenge), else "method not allowed"."""
        return HttpResponseNotAllowed(["POST"])

    def fetch_media(self, media_id: str) -> bytes:
        """The bytes of a file the sender attached, for providers that send ids."""
        raise NotImplementedError

    def acknowledge(self, replies: list[str], outcome: dict) -> HttpResponse:
        """What the provider gets back. `replies` were already queued in the outbox:
        the answer must never make the provider send them a second time."""
        return JsonResponse(outcome | {"replies": replies})

    def send(self, phone: str, text: str, reference: str | None = None) -> str:
        """Send `text`; return the provider's id for the message. Raise
        PermanentFailure when the provider refuses it for good, any other exception when
        it may succeed later (the outbox retries)."""
        raise NotImplementedError
