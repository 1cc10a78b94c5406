"""One intake path for messages from every channel (docs/CHANNELS.md).

An adapter hands over an `Inbound` message; `receive` stores it, applies the safety rules
(blocklist, rate limit per sender, repeats) and turns it into the same domain actions the
web pages call: a new report, the reporter's reply or added information, accepting or
contesting the answer. Actions on a report go through `federation.dispatch.perform`, so a
report owned by another node becomes a command to that node.

Answers to the sender are rows of the notifications outbox, written in the same
transaction: the domain's own notifications (the tracking number after a new report, the
closing after an acceptance) where the action sends one, otherwise a `channel_reply`.
Either way they are delivered, retried and reported like every other message."""

import dataclasses
import logging
import re
import string
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from aduan.accounts.crypto import lookup_hash
from aduan.accounts.identity import clean_email, clean_phone
from aduan.accounts.models import normalise_phone
from aduan.core import clock
from aduan.federation.dispatch import perform
from aduan.federation.messages import Pending
from aduan.notifications import service as notifications
from aduan.notifications.models import Notification
from aduan.reports import tracking
from aduan.reports.actions import ReporterDetails, submit_report
from aduan.reports.actors import Actor
from aduan.reports.errors import DomainError, InvalidTransition, ValidationFailed
from aduan.reports.models import Channel, Report, Status

from . import gsm
from .gateways.base import Inbound
from .keywords import WITH_NUMBER, Command, parse
from .models import BlockKind, Message, MessageStatus, SenderBlock

logger = logging.getLogger(__name__)

# The longest text kept: a report's body limit (`validation.BODY_MAX`).
TEXT_MAX = 20_000
TITLE_MAX = 80
# A repeat of a message that changes something (a new report, a reply, an appeal) within
# this time is not acted on again: phones resend on a weak signal, people press twice.
REPEAT_WINDOW = timedelta(hours=24)
# Other control characters than line breaks and tabs are junk in a text message.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


class ChannelBusy(Exception):
    """More messages on the channel than `CHANNEL_RATE_PER_MINUTE`: the provider is told
    to try again later (HTTP 429) and nothing is stored."""


@dataclass
class Received:
    status: str
    message: Message | None = None
    report: Report | None = None
    replies: list[str] = field(default_factory=list)


# Lone UTF-16 surrogates: valid in a JSON string ("\udc80"), not encodable as UTF-8.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _valid(value: str) -> str:
    return _SURROGATE.sub("\ufffd", value)


def _clean_text(text: str) -> str:
    text = unicodedata.normalize("NFC", _SURROGATE.sub("", text))
    return _CONTROL.sub("", text).strip()


def sender_key(inbound: Inbound) -> tuple[str, str]:
    """The sender's address as stored and its lookup key; ("", raw key) if invalid."""
    return address_key(inbound.channel, inbound.sender)


def address_key(channel: str, sender: str) -> tuple[str, str]:
    """An address on `channel` as stored and its lookup key; ("", raw key) if invalid.
    The same key whichever way a number or an address is spelled, so that a sender typed
    into the blocklist by hand matches the messages it sends."""
    # A WhatsApp sender is a phone number too (digits with the country code).
    if channel in ("sms", "whatsapp"):
        try:
            phone = clean_phone(sender)
        except ValidationError:
            return "", lookup_hash(sender)
        return phone, lookup_hash(normalise_phone(phone))
    if channel == "email":
        try:
            address = clean_email(sender).lower()
        except ValidationError:
            return "", lookup_hash(sender)
        return address, lookup_hash(address)
    address = sender.strip()
    return address, lookup_hash(address)


def receive(inbound: Inbound) -> Received:
    """Store and act on one message; see the module's docstring. Safe to call again with
    the same message: the provider's id makes the second call a no-op."""
    now = clock.now()
    recent = Message.objects.filter(
        channel=inbound.channel, received_at__gte=now - timedelta(minutes=1)
    )
    if recent.count() >= settings.CHANNEL_RATE_PER_MINUTE:
        raise ChannelBusy
    inbound = dataclasses.replace(
        inbound, provider_id=_valid(inbound.provider_id), sender=_valid(inbound.sender)
    )
    address, sender_lookup = sender_key(inbound)
    text = _clean_text(inbound.text)
    # What staff read as the original message: an e-mail's subject is part of it; a chat
    # message without text is described (a shared location).
    subject = _clean_text(inbound.subject)
    stored = f"{subject}\n\n{text}" if subject else (text or _describe(inbound))
    with transaction.atomic(), translation.override("id"):
        try:
            with transaction.atomic():
                message = Message.objects.create(
                    channel=inbound.channel,
                    gateway=inbound.gateway,
                    provider_id=inbound.provider_id,
                    sender=address or inbound.sender[:40],
                    sender_lookup=sender_lookup,
                    text=stored[:TEXT_MAX],
                    kind=inbound.kind,
                )
        except IntegrityError:
            # The provider retried, or someone replays a captured webhook.
            return Received(MessageStatus.DUPLICATE)
        received = _handle(message, address, text, now, inbound)
        message.status = received.status
        message.report = received.report
        message.save(update_fields=["status", "report", "command", "outcome"])
        received.message = message
        return received


def _describe(inbound: Inbound) -> str:
    """What staff read for a message without text: a shared location's point and name."""
    if inbound.latitude is not None:
        place = f" ({_clean_text(inbound.place)})" if inbound.place else ""
        return f"{inbound.latitude:.6f}, {inbound.longitude:.6f}{place}"
    return ""


def _answered_report(inbound: Inbound) -> Report | None:
    """The report of our WhatsApp message that `inbound` replies to (swipe to reply)."""
    if not inbound.reply_to:
        return None
    answered = (
        Notification.objects.filter(channel="whatsapp", provider_id=inbound.reply_to)
        .exclude(report=None)
        .select_related("report")
        .first()
    )
    return answered.report if answered is not None else None


def _handle(message: Message, address: str, text: str, now, inbound: Inbound) -> Received:
    if not address:
        # Not a number we can answer (a sender name, a foreign number): kept, not answered.
        message.outcome = (
            "sender is not a valid e-mail address"
            if message.channel == "email"
            else "sender is not an Indonesian mobile number"
        )
        return Received(MessageStatus.INVALID_SENDER)
    blocks = set(
        SenderBlock.objects.filter(
            channel=message.channel, address_lookup=message.sender_lookup
        ).values_list("kind", flat=True)
    )
    if BlockKind.BLOCKED in blocks:
        message.outcome = "sender is on the blocklist"
        return Received(MessageStatus.BLOCKED)
    earlier = Message.objects.filter(
        channel=message.channel, sender_lookup=message.sender_lookup
    ).exclude(pk=message.pk)
    window = now - timedelta(minutes=settings.CHANNEL_SENDER_WINDOW_MINUTES)
    if earlier.filter(received_at__gte=window).count() >= settings.CHANNEL_SENDER_LIMIT:
        message.outcome = "too many messages from this sender"
        already_told = earlier.filter(
            received_at__gte=window, status=MessageStatus.RATE_LIMITED
        ).exists()
        replies = (
            []
            if already_told
            else [
                _reply(
                    message,
                    address,
                    _(
                        "Terlalu banyak pesan dari nomor Anda. Pesan berikutnya kami proses "
                        "setelah %(minutes)s menit."
                    )
                    % {"minutes": settings.CHANNEL_SENDER_WINDOW_MINUTES},
                )
            ]
        )
        return Received(MessageStatus.RATE_LIMITED, replies=replies)

    command = _email_command(inbound, text) if message.channel == "email" else parse(text)
    chat = message.channel == "whatsapp"
    if chat and command.keyword == "lapor" and (text or inbound.files):
        # A reply to our message about a report is the reporter's answer on it (BALAS).
        answered = _answered_report(inbound)
        if answered is not None:
            command = Command("balas", number=answered.tracking_number, text=text or "[foto]")
    if chat and command.keyword in ("balas", "banding"):
        command = dataclasses.replace(command, files=inbound.files)
    message.command = command.keyword
    # A chat's new report is a conversation: its repeats are checked when it is sent.
    conversing = chat and command.keyword == "lapor"
    if command.keyword in ("lapor", "balas", "banding") and text and not conversing:
        message.text_lookup = lookup_hash(text)
        message.save(update_fields=["text_lookup"])
        repeat = (
            earlier.filter(
                text_lookup=message.text_lookup,
                received_at__gte=now - REPEAT_WINDOW,
                status__in=[MessageStatus.PROCESSED, MessageStatus.DUPLICATE],
            )
            .order_by("-received_at")
            .first()
        )
        if repeat is not None:
            message.outcome = "the same text was received earlier"
            return answer_repeat(message, address, repeat)
    if len(text) > TEXT_MAX:
        message.outcome = "text too long"
        return _refuse(
            message,
            address,
            _("Pesan terlalu panjang (maks. %(limit)s karakter).") % {"limit": TEXT_MAX},
        )
    if conversing:
        from .conversation import converse

        return converse(message, address, inbound, command.text, now)
    handler = HANDLERS[command.keyword]
    return handler(message, address, command, now)


# ------------------------------------------------------------------------- answers


def answer_repeat(message: Message, address: str, repeat: Message) -> Received:
    """A message already received (and acted on) earlier: say so, with its report."""
    number = f" ({repeat.report.tracking_number})" if repeat.report_id else ""
    return Received(
        MessageStatus.DUPLICATE,
        report=repeat.report,
        replies=[
            _reply(
                message,
                address,
                _("Pesan yang sama sudah kami terima%(number)s.") % {"number": number},
                report=repeat.report,
            )
        ],
    )


def _reply(message: Message, address: str, text: str, *, report=None, **extra) -> str:
    """Queue `text` to the sender on the channel they used; returns the text as sent."""
    if message.channel == "sms":
        text = gsm.fit(text, settings.CHANNEL_REPLY_MAX_SEGMENTS)
    if message.channel == "email" and message.provider_id.startswith("<"):
        # Threads the answer under the citizen's message in their mail program.
        extra["in_reply_to"] = message.provider_id
    notifications.notify_address(
        message.channel, address, "channel_reply", report=report, extra={"text": text} | extra
    )
    return text


def _refuse(message: Message, address: str, text: str, report=None) -> Received:
    return Received(
        MessageStatus.REFUSED,
        report=report,
        replies=[_reply(message, address, text, report=report)],
    )


def _domain_error_text(error: DomainError) -> str:
    if isinstance(error, InvalidTransition):
        # The domain's wording names the action's code; the sender knows the keyword.
        label = Status(error.status).label if error.status in Status.values else error.status
        return _("laporan berstatus %(status)s; perintah ini tidak dapat dilakukan sekarang.") % {
            "status": label
        }
    if isinstance(error, ValidationFailed):
        return " ".join(str(m) for messages in error.errors.values() for m in messages)
    return str(error.message)


def _queued_to_sender(report: Report, channel: str, since) -> list[str]:
    """The texts the domain's own notifications send the reporter on this channel."""
    replies = []
    for notification in Notification.objects.filter(
        report=report, audience="reporter", channel=channel, created_at__gte=since
    ).order_by("pk"):
        replies.append(notifications.render(notification)[1])
    return replies


HELP = gettext_noop(
    "Aduan: kirim LAPOR <isi laporan>; CEK <nomor laporan>; BALAS <nomor> <isi>; "
    "TERIMA <nomor>; BANDING <nomor> <alasan>; BERHENTI untuk berhenti menerima SMS."
)
EMAIL_HELP = gettext_noop(
    "Aduan: tulis laporan Anda di surel ke alamat ini (judul di subjek, foto atau PDF "
    "sebagai lampiran). Untuk laporan yang sudah ada, balas surel kami tentang laporan itu, "
    "atau tulis CEK, TERIMA atau BANDING <alasan> dengan nomor laporan di subjek."
)


def _help(channel: str) -> str:
    return _(EMAIL_HELP) if channel == "email" else _(HELP)


def _readable(text: str) -> bool:
    """Whether a text looks like words rather than binary junk (a phone's garbled
    concatenated SMS, random bytes): at least half of its whitespace-separated tokens are
    words or numbers, trailing punctuation aside."""
    tokens = text.split()
    words = [t for t in tokens if t.strip(string.punctuation).isalnum()]
    return bool(tokens) and len(words) * 2 >= len(tokens)


def title_of(body: str) -> str:
    """A report's title from a text: its first line, 80 characters at most."""
    first_line = body.splitlines()[0]
    if len(first_line) <= TITLE_MAX:
        return first_line
    return first_line[:TITLE_MAX].rsplit(" ", 1)[0] + "..."


def _new_report(message: Message, address: str, command: Command, now) -> Received:
    body = command.text
    if not body:
        message.outcome = "empty report"
        return _refuse(message, address, _help(message.channel))
    if not _readable(body):
        message.outcome = "unreadable text"
        return _refuse(
            message, address, _("Pesan tidak dapat dibaca.") + " " + _help(message.channel)
        )
    title = title_of(command.title or body)
    if message.channel == "email":
        # A From address can be forged: unlike an operator's sender number it is not a
        # verified contact until the reporter answers a message sent to it, unless the
        # mail server in front of the listener proved its domain (`gateways.mail`).
        verified = now if command.sender_proven else None
        channel = Channel.EMAIL
        reporter = ReporterDetails(email=address, contact_verified_at=verified)
    else:
        channel, reporter = Channel.SMS, ReporterDetails(phone=address, contact_verified_at=now)
    try:
        with transaction.atomic():
            result = submit_report(
                {"title": title, "body": body, "channel": channel},
                actor=Actor(),
                reporter=reporter,
                files=command.files,
            )
    except DomainError as error:
        message.outcome = f"report refused: {error.code}"
        return _refuse(
            message,
            address,
            _("Laporan belum dapat kami terima: %(reason)s")
            % {"reason": _domain_error_text(error)},
        )
    message.outcome = "new report"
    return Received(
        MessageStatus.PROCESSED,
        report=result.report,
        replies=_queued_to_sender(result.report, message.channel, now),
    )


def _find_report(message: Message, command: Command) -> Report | None:
    """The sender's own report with the number typed; None for a number that is not
    valid, not known, or not the sender's (the three answer alike: a number is not a
    key to someone else's report)."""
    number = tracking.normalise(command.number) if command.number else None
    if number is None:
        return None
    report = Report.objects.select_related("reporter").filter(tracking_number=number).first()
    if report is None:
        return None
    if message.channel == "email":
        # Compared decrypted: an address typed on the web keeps its capitals (and so its
        # lookup hash), while mail systems treat it without them.
        return report if report.reporter.email.strip().lower() == message.sender else None
    if report.reporter.phone_lookup != message.sender_lookup:
        return None
    return report


USAGE = {
    "cek": "CEK <nomor laporan>",
    "balas": "BALAS <nomor laporan> <isi>",
    "terima": "TERIMA <nomor laporan>",
    "banding": "BANDING <nomor laporan> <alasan>",
}


def _on_report(message: Message, address: str, command: Command, now) -> Received:
    if not command.number:
        message.outcome = "no tracking number"
        return _refuse(
            message,
            address,
            _("Tulis nomor laporan, mis. %(usage)s.") % {"usage": USAGE[command.keyword]},
        )
    report = _find_report(message, command)
    if report is None:
        message.outcome = "unknown tracking number"
        unknown = (
            _("Nomor laporan %(number)s tidak ditemukan untuk alamat surel ini. Periksa nomornya.")
            if message.channel == "email"
            else _("Nomor laporan %(number)s tidak ditemukan untuk nomor HP ini. Periksa nomornya.")
        )
        return _refuse(message, address, unknown % {"number": command.number[:30]})
    if command.keyword == "cek":
        message.outcome = "status sent"
        return Received(
            MessageStatus.PROCESSED,
            report=report,
            replies=[_reply(message, address, _status_text(report), report=report)],
        )
    actor = Actor(reporter_id=report.reporter_id)
    if command.keyword == "balas":
        if not command.text:
            return _refuse(
                message,
                address,
                _("Tulis isi balasan, mis. %(usage)s.") % {"usage": USAGE["balas"]},
                report,
            )
        action = "reporter_reply" if report.status == Status.RESPONDED else "add_information"
        args = (command.text,)
        done = _("Balasan Anda untuk laporan %(number)s sudah diteruskan ke petugas.")
    elif command.keyword == "terima":
        action, args = "accept", ()
        done = _("Terima kasih. Laporan %(number)s ditutup.")
    else:
        if not command.text:
            return _refuse(
                message,
                address,
                _("Tulis alasan banding, mis. %(usage)s.") % {"usage": USAGE["banding"]},
                report,
            )
        action, args = "contest", (command.text,)
        done = _("Banding Anda untuk laporan %(number)s diterima dan diteruskan.")
    extra = {}
    if command.files and action in ("reporter_reply", "add_information"):
        # Attached like a web upload (checked again by the action, here or at the node
        # that owns the report, where a command carries them): e-mail attachments come as
        # uploaded files, WhatsApp media as checked bytes.
        extra["files"] = [
            f if hasattr(f, "read") else ContentFile(f.content, name=f"foto{f.extension}")
            for f in command.files
        ]
    try:
        with transaction.atomic():
            outcome = perform(action, report, *args, actor=actor, **extra)
    except DomainError as error:
        message.outcome = f"{action} refused: {error.code}"
        return _refuse(
            message, address, f"{report.tracking_number}: {_domain_error_text(error)}", report
        )
    message.outcome = (
        action if not isinstance(outcome, Pending) else f"{action} sent to {report.owner_node}"
    )
    replies = _queued_to_sender(report, message.channel, now)
    if not replies:
        replies = [
            _reply(message, address, done % {"number": report.tracking_number}, report=report)
        ]
    return Received(MessageStatus.PROCESSED, report=report, replies=replies)


NEXT_STEP = {
    Status.RESPONDED: gettext_noop(
        "Balas: BALAS {n} <isi>. Setuju: TERIMA {n}. Tidak puas: BANDING {n} <alasan>."
    ),
    Status.ON_HOLD: gettext_noop("Petugas menunggu informasi Anda: BALAS {n} <isi>."),
}


def _status_text(report: Report) -> str:
    text = _("Laporan %(number)s: %(status)s.") % {
        "number": report.tracking_number,
        "status": report.get_status_display(),
    }
    step = NEXT_STEP.get(report.status)
    if step:
        text += " " + _(step).format(n=report.tracking_number)
    return text


def _stop(message: Message, address: str, command: Command, now) -> Received:
    SenderBlock.objects.get_or_create(
        channel=message.channel, kind=BlockKind.OPTED_OUT, address_lookup=message.sender_lookup
    )
    message.outcome = "opted out"
    text = _("Anda tidak akan menerima SMS dari Aduan lagi. Kirim MULAI untuk menerimanya kembali.")
    if message.channel == "whatsapp":
        text = _(
            "Anda tidak akan menerima pesan WhatsApp dari Aduan lagi. Kirim MULAI untuk "
            "menerimanya kembali."
        )
    # The one message a sender who opted out still receives: the confirmation.
    return Received(
        MessageStatus.PROCESSED, replies=[_reply(message, address, text, confirms_opt_out=True)]
    )


def _start(message: Message, address: str, command: Command, now) -> Received:
    SenderBlock.objects.filter(
        channel=message.channel, kind=BlockKind.OPTED_OUT, address_lookup=message.sender_lookup
    ).delete()
    message.outcome = "opted in"
    return Received(
        MessageStatus.PROCESSED,
        replies=[
            _reply(
                message,
                address,
                _("Anda kembali menerima pesan WhatsApp dari Aduan.")
                if message.channel == "whatsapp"
                else _("Anda kembali menerima SMS dari Aduan."),
            )
        ],
    )


HANDLERS = {
    "lapor": _new_report,
    "cek": _on_report,
    "balas": _on_report,
    "terima": _on_report,
    "banding": _on_report,
    "berhenti": _stop,
    "mulai": _start,
}


# ------------------------------------------------------------------------- e-mail

# Our notifications' Message-IDs (`notifications.service.message_id`).
_NOTIFICATION_ID = re.compile(r"^<notification-([0-9a-fA-F-]{32,36})@")
# A tracking number as Aduan writes it in subjects ("Laporan PST-26-0000012-3 …",
# "[PST-26-0000012-3]").
_SUBJECT_NUMBER = re.compile(r"\b([A-Za-z]{2,6}-\d{2}-\d{7,9}-\d)\b")
_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|tr|balas|bls)\s*(\[\d+\])?\s*:\s*)+", re.I)


def _threaded_number(inbound: Inbound) -> str:
    """The tracking number of the report that one of our messages this mail answers was
    about (In-Reply-To first, then References from the newest)."""
    for message_id in reversed(inbound.thread):
        match = _NOTIFICATION_ID.match(message_id)
        if match is None:
            continue
        try:
            key = uuid.UUID(match.group(1))
        except ValueError:
            continue
        number = (
            Notification.objects.filter(uuid=key, report__isnull=False)
            .values_list("report__tracking_number", flat=True)
            .first()
        )
        if number:
            return number
    return ""


def _email_command(inbound: Inbound, text: str) -> Command:
    """What an e-mail asks. A reply to one of our messages about a report (In-Reply-To,
    References) or a mail naming a tracking number in its subject is about that report:
    its text is a BALAS unless it starts with another keyword. Anything else is a new
    report titled by its subject. Either way it acts only if the sender is the
    reporter (`_find_report`)."""
    files = tuple(
        SimpleUploadedFile(f.name or "lampiran", f.content, f.content_type)
        for f in inbound.attachments
    )
    subject = _REPLY_PREFIX.sub("", _clean_text(inbound.subject))
    match = _SUBJECT_NUMBER.search(subject)
    number = _threaded_number(inbound) or (match.group(1) if match else "")
    command = parse(text)
    in_subject = parse(subject)
    if command.keyword == "lapor" and in_subject.keyword in WITH_NUMBER and in_subject.number:
        # "TERIMA PST-26-0000012-3" or "BANDING PST-…" in the subject, the reason below.
        command = dataclasses.replace(
            in_subject, text=" ".join(part for part in (in_subject.text, text) if part)
        )
    if command.keyword in ("berhenti", "mulai"):
        # No opt-out by e-mail: the words are the text of a report or a reply.
        command = Command("lapor", text=text)
    if command.keyword in WITH_NUMBER and not command.number:
        if command.keyword in ("cek", "terima") and command.text:
            # "Terima kasih, …" is a sentence, not the keyword.
            command = Command("lapor", text=text)
        elif number:
            command = dataclasses.replace(command, number=number)
    if command.keyword == "lapor":
        if number:
            command = Command("balas", number=number, text=text)
        else:
            command = Command("lapor", text=text or subject, title=subject)
    return dataclasses.replace(command, files=files, sender_proven=inbound.sender_proven)
