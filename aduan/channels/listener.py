"""The SMTP listener of the e-mail channel (`manage.py run_mail_listener`), on aiosmtpd.

It sits behind the organisation's mail server (MX, TLS, spam filtering: docs/CHANNELS.md)
and speaks plain SMTP to it:

- RCPT TO is accepted only for `EMAIL_INTAKE_RECIPIENTS` (550 for anything else: the
  listener is not a relay);
- a message larger than `EMAIL_INTAKE_MAX_BYTES` is refused by aiosmtpd (552);
- a message is answered 250 only once it is stored and acted on (`intake.receive`, one
  transaction), or once it was recognised as mail to drop (a bounce, an automatic reply,
  our own message coming back); 451 when the database is unavailable or the channel busy,
  so that the sending server tries again later; 554 when it cannot be parsed at all.

The database work runs in a worker thread, never in the event loop: Django's ORM is
synchronous."""

import asyncio
import logging
import socket
from email.utils import parseaddr
from urllib.parse import urlsplit

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections

from aduan.notifications.service import record_delivery_report

from .gateways.mail import Bounce, Ignored, OwnAddresses, Unreadable, parse_message
from .intake import ChannelBusy, receive

logger = logging.getLogger(__name__)


def accepts(recipient: str) -> bool:
    """Whether mail to `recipient` is ours (EMAIL_INTAKE_RECIPIENTS)."""
    recipient = recipient.strip().lower()
    for allowed in settings.EMAIL_INTAKE_RECIPIENTS:
        allowed = allowed.strip().lower()
        if allowed.startswith("@") and recipient.endswith(allowed):
            return True
        if recipient == allowed:
            return True
    return False


def own_addresses() -> OwnAddresses:
    addresses = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()}
    addresses |= {a.lower() for a in settings.EMAIL_INTAKE_RECIPIENTS if not a.startswith("@")}
    if settings.EMAIL_INTAKE_ADDRESS:
        addresses.add(settings.EMAIL_INTAKE_ADDRESS.lower())
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return OwnAddresses(frozenset(a for a in addresses if a), host)


def deliver(raw: bytes, mail_from: str) -> str:
    """Parse, store and act on one message; the SMTP answer."""
    close_old_connections()
    try:
        parsed = parse_message(
            raw,
            mail_from=mail_from,
            own=own_addresses(),
            authserv_id=settings.EMAIL_AUTHSERV_ID,
        )
        if isinstance(parsed, Bounce):
            # Our mail could not be delivered: a dead letter, with the reason.
            record_delivery_report("", "failed", reference=parsed.notification, error=parsed.reason)
            return "250 2.0.0 OK (bounce recorded)"
        if isinstance(parsed, Ignored):
            logger.info("e-mail dropped: %s", parsed.reason)
            return "250 2.0.0 OK (not answered)"
        received = receive(parsed)
        number = received.report.tracking_number if received.report else "-"
        message = received.message.uuid if received.message else "-"
        return f"250 2.0.0 OK {str(received.status)} {message} {number}"
    except Unreadable as error:
        logger.warning("e-mail refused: unreadable (%s)", error)
        return "554 5.6.0 Message could not be read"
    except ChannelBusy:
        return "451 4.7.1 Too many messages, try again later"
    except DatabaseError:
        logger.exception("e-mail could not be stored")
        return "451 4.3.0 Temporary failure, try again later"
    except Exception:
        # Nothing was written (one transaction); the sender's server retries.
        logger.exception("e-mail could not be handled")
        return "451 4.3.0 Temporary failure, try again later"
    finally:
        # The executor's threads outlive a message; they hold no connection between two.
        connections.close_all()


class MailHandler:
    """aiosmtpd's handler: the hooks are called for each SMTP command."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not accepts(address):
            return "550 5.1.1 Mailbox unavailable"
        if len(envelope.rcpt_tos) >= 10:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content or b""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, deliver, raw, envelope.mail_from or "")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def start(host: str, port: int) -> Controller:
    """Start the listener in a thread of its own; `.stop()` ends it."""
    controller = Controller(
        MailHandler(),
        hostname=host,
        port=port,
        data_size_limit=settings.EMAIL_INTAKE_MAX_BYTES,
        # Internationalised addresses (RFC 6531) pass through as UTF-8.
        enable_SMTPUTF8=True,
        server_hostname=urlsplit(settings.SITE_URL).hostname or "localhost",
    )
    controller.start()
    return controller
