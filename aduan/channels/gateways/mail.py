"""E-mail as a channel: a message received by the SMTP listener (`listener.py`), read
into an `Inbound` message for the shared intake, or set aside as mail that must never be
answered.

What is set aside (RFC 3834, "Recommendations for Automatic Responses to Electronic
Mail", says an automatic responder must not answer these):

- bounces: a delivery status notification about one of our messages makes it a dead
  letter (`Bounce`); other bounces are dropped: an empty envelope sender (`MAIL FROM:<>`, RFC 5321 4.5.5), a
  `multipart/report` (delivery status notifications, RFC 3464, and read receipts), a
  `From` of MAILER-DAEMON or postmaster;
- automatic mail: `Auto-Submitted` other than `no`, `X-Autoreply`/`X-Autorespond`
  (common vacation responders), `Precedence: bulk | auto_reply | junk | list`;
- our own messages coming back (a loop): a Message-ID of one of our notifications, or a
  sender that is one of our own addresses;
- mail whose sender is not proven (`sender_unproven`): when the listener stands behind a
  mail server that checks SPF, DKIM and DMARC and writes what it found into an
  `Authentication-Results` header (RFC 8601) under its own name (`EMAIL_AUTHSERV_ID`),
  a message is read only if that server's header says the `From` domain passed DMARC, or
  passed DKIM or SPF for that same domain. Anyone can write any `From:`; the address is
  the reporter's verified contact only if its domain vouches for it. Such mail gets no
  answer: answering a forged `From` would write to someone who sent nothing.

The text is the message's text/plain part, or its text/html part turned into plain text
by the standard library's HTML parser (tags dropped, entities decoded: the result is a
plain string that templates escape like any other). Quoted lines of a reply (`> …`, and
everything after "On … wrote:" / "Pada … menulis:" or an "Original Message" line) are cut.
Files are handed over unchecked; the domain actions check them as they check the web's.

Like every adapter, this module knows MIME and nothing of Aduan's domain."""

import hashlib
import re
from dataclasses import dataclass
from email import message_from_bytes, message_from_string, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

import authres
import authres.dmarc

from .base import Attachment, Inbound

CHANNEL = "email"
GATEWAY = "smtp"
# More files than this in one message is not a report; the domain refuses more than its
# own limit (5) anyway, this only stops reading them.
MAX_FILES = 20
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")
_AUTOMATIC_PRECEDENCE = {"bulk", "auto_reply", "junk", "list"}
_ROBOTS = {"mailer-daemon", "postmaster"}


@dataclass(frozen=True)
class Ignored:
    """Mail accepted (so that the sending system does not retry or bounce it) and dropped:
    nothing is stored and nothing is answered."""

    reason: str


@dataclass(frozen=True)
class Bounce:
    """A delivery status notification (RFC 3464) saying that one of our messages could not
    be delivered: the message becomes a dead letter. Nothing else is done with it."""

    notification: str  # the UUID in our message's Message-ID
    reason: str


class Unreadable(Exception):
    """The message cannot be parsed at all: refused during the SMTP conversation."""


def provider_id(message_id: str, raw: bytes) -> str:
    """The message's key against repeats: its Message-ID, or a digest when it has none
    (or one longer than the column)."""
    message_id = message_id.strip()
    if message_id and len(message_id) <= 100 and message_id.isprintable():
        return message_id
    # Undecodable bytes in a header come back as lone surrogates: hashed as they came.
    key = message_id.encode("utf-8", "surrogatepass") if message_id else raw
    return "sha256:" + hashlib.sha256(key).hexdigest()


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001 - a header the parser chokes on counts as absent
        return ""
    return str(value or "").strip()


def _address(value: str) -> str:
    try:
        pairs = getaddresses([value])
    except Exception:  # noqa: BLE001 - a malformed address header gives no address
        pairs = [parseaddr(value)]
    address = pairs[0][1] if pairs else ""
    return address.strip().lower() if "@" in address else ""


def ignored_reason(message: EmailMessage, *, mail_from: str, own: "OwnAddresses") -> str:
    """Why the message must not be acted on nor answered, or ""."""
    sender = _address(_header(message, "From"))
    if not mail_from.strip("<> "):
        return "bounce (empty envelope sender)"
    if message.get_content_type() == "multipart/report":
        return "bounce or receipt (multipart/report)"
    if sender.split("@")[0] in _ROBOTS:
        return "bounce (sent by a mail system)"
    if _header(message, "Auto-Submitted").lower().split(";")[0].strip() not in ("", "no"):
        return "automatic reply (Auto-Submitted)"
    if _header(message, "X-Autoreply") or _header(message, "X-Autorespond"):
        return "automatic reply (X-Autoreply)"
    if _header(message, "Precedence").lower() in _AUTOMATIC_PRECEDENCE:
        return "automatic or bulk mail (Precedence)"
    if own.is_ours(_header(message, "Message-ID")) or sender in own.addresses:
        return "our own message came back (mail loop)"
    return ""


@dataclass(frozen=True)
class OwnAddresses:
    """What identifies mail that Aduan sent itself."""

    addresses: frozenset[str]
    # The right-hand side of our notifications' Message-IDs (`service.message_id`).
    host: str

    def is_ours(self, message_id: str) -> bool:
        return message_id.startswith("<notification-") and message_id.endswith(f"@{self.host}>")

    def notification(self, message_id: str) -> str:
        """The notification's UUID in one of our Message-IDs, else ""."""
        if not self.is_ours(message_id):
            return ""
        return message_id.removeprefix("<notification-").rsplit("@", 1)[0]


def _bounce(message: EmailMessage, own: OwnAddresses) -> Bounce | None:
    """The failure a delivery status notification reports about one of our messages: the
    `message/delivery-status` part says `Action: failed`, and the returned message (or
    its headers) carries our Message-ID."""
    if message.get_content_type() != "multipart/report":
        return None
    failed, status, returned_id = False, "", ""
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            blocks = part.get_payload()
            for block in blocks if isinstance(blocks, list) else []:
                if str(block.get("Action", "")).strip().lower() == "failed":
                    failed = True
                    status = status or str(block.get("Status", "")).strip()[:20]
        elif kind == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                returned_id = returned_id or str(inner[0].get("Message-ID", "")).strip()
        elif kind == "text/rfc822-headers":
            headers = message_from_string(_decoded_text(part), policy=policy.default)
            returned_id = returned_id or str(headers.get("Message-ID", "")).strip()
    notification = own.notification(returned_id)
    if not failed or not notification:
        return None
    return Bounce(notification, f"bounced by the recipient's mail server (status {status or '?'})")


class _TextFromHTML(HTMLParser):
    """The readable text of an HTML mail: text nodes, line breaks for blocks, nothing of
    scripts and styles. Character references are decoded (`convert_charrefs`)."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
    SKIP = {"script", "style", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextFromHTML()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_ATTRIBUTION = re.compile(r"(wrote|menulis)\s*:\s*$", re.IGNORECASE)
_ATTRIBUTION_START = re.compile(r"^(on|pada)\s", re.IGNORECASE)
_ORIGINAL = re.compile(r"^-{2,}\s*(original message|pesan asli|forwarded message)", re.I)


def strip_quoted(text: str) -> str:
    """A reply's own text, without the message it quotes or the signature."""
    kept: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(">"):
            continue
        if _ORIGINAL.match(stripped) or line == "-- " or stripped.startswith("_" * 20):
            break
        if _ATTRIBUTION.search(stripped):
            # "On Mon, 3 Mar 2027, Aduan <noreply@…> wrote:" may have been wrapped.
            if kept and _ATTRIBUTION_START.match(kept[-1].strip()):
                kept.pop()
            break
        kept.append(line)
    return "\n".join(kept).strip()


def _decoded_text(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except Exception:  # noqa: BLE001 - an unknown charset or a broken encoding
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace")
    return content if isinstance(content, str) else ""


def _body_and_files(message: EmailMessage) -> tuple[str, tuple[Attachment, ...]]:
    body_part = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body_part is not None:
        text = _decoded_text(body_part)
        if body_part.get_content_type() == "text/html":
            text = html_to_text(text)
    files: list[Attachment] = []
    for part in message.walk():
        if part is body_part or part.is_multipart() or len(files) >= MAX_FILES:
            continue
        disposition = part.get_content_disposition()
        if part.get_content_maintype() == "multipart":
            continue  # a container whose parts could not be read (no boundary)
        if part.get_content_maintype() in ("text", "message") and disposition != "attachment":
            continue  # the other alternative of the text, a quoted message
        content = part.get_payload(decode=True)
        if not isinstance(content, bytes):
            continue
        try:
            name = part.get_filename() or ""
        except Exception:  # noqa: BLE001 - a malformed file name is no file name
            name = ""
        # The name appears in answers (and so in JSON): no lone surrogates from bad bytes.
        name = name.encode("utf-8", "replace").decode("utf-8")[:150]
        files.append(Attachment(name, content, part.get_content_type()))
    return text, tuple(files)


_AUTHRES = authres.FeatureContext(authres.dmarc)


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower().rstrip(".")


def _aligned(domain: str, sender_domain: str) -> bool:
    """The same domain, or the sender's domain under it (relaxed alignment, RFC 7489)."""
    domain = domain.strip().lower().rstrip(".")
    return bool(domain) and (sender_domain == domain or sender_domain.endswith("." + domain))


def sender_unproven(message: EmailMessage, sender: str, authserv_id: str) -> str:
    """Why the `From` address of `message` is not proven by the results the trusted mail
    server (`authserv_id`) recorded, or "" when it is. Headers written under any other
    name are ignored: a sender can put any header into its own message."""
    sender_domain = _domain(sender)
    found = []
    for value in message.get_all("Authentication-Results") or ():
        try:
            header = _AUTHRES.parse_value(str(value))
        except Exception:  # noqa: BLE001, S112 - an unreadable header proves nothing
            continue
        if header.authserv_id.lower() != authserv_id.lower():
            continue
        for result in header.results:
            properties = {(p.type, p.name): str(p.value) for p in result.properties}
            if result.result != "pass":
                found.append(f"{result.method}={result.result}")
                continue
            if result.method == "dmarc":
                domain = properties.get(("header", "from"), "")
            elif result.method == "dkim":
                domain = properties.get(("header", "d"), "")
            elif result.method == "spf":
                domain = _domain(properties.get(("smtp", "mailfrom"), ""))
            else:
                continue
            if _aligned(domain, sender_domain):
                return ""
            found.append(f"{result.method}=pass for another domain")
    return "sender not proven (" + (", ".join(found) or f"no results from {authserv_id}") + ")"


def parse_message(
    raw: bytes, *, mail_from: str, own: OwnAddresses, authserv_id: str = ""
) -> Inbound | Ignored | Bounce:
    """Read one message as received; raise Unreadable when it cannot be parsed."""
    try:
        message = message_from_bytes(raw, policy=policy.default)
        bounce = _bounce(message, own)
        if bounce is not None:
            return bounce
        reason = ignored_reason(message, mail_from=mail_from, own=own)
        if reason:
            return Ignored(reason)
        sender = _address(_header(message, "From")) or _address(mail_from)
        text, files = _body_and_files(message)
        # Oldest first, the message answered (In-Reply-To) last.
        thread = tuple(
            _MESSAGE_ID.findall(
                _header(message, "References") + " " + _header(message, "In-Reply-To")
            )
        )
        subject = " ".join(_header(message, "Subject").split())
        unproven = sender_unproven(message, sender, authserv_id) if authserv_id and sender else ""
    except Exception as error:  # noqa: BLE001 - whatever the parser trips on
        raise Unreadable(f"{type(error).__name__}") from error
    if not sender:
        return Ignored("no sender address")
    if unproven:
        return Ignored(unproven)
    return Inbound(
        channel=CHANNEL,
        gateway=GATEWAY,
        provider_id=provider_id(_header(message, "Message-ID"), raw),
        sender=sender,
        text=strip_quoted(text),
        subject=subject[:300],
        thread=thread[-20:],
        attachments=files,
        sender_proven=bool(authserv_id),
    )
