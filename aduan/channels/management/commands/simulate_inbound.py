"""Send one message through a channel's real entry point of a running Aduan, as the
provider would, and print what the sender receives back.

    manage.py simulate_inbound sms --from 081350001111 --text "LAPOR Jalan rusak di KM 12"
    manage.py simulate_inbound sms --from 081350001111 --text "CEK PST-26-0000001-5" \\
        --url https://aduan.example.go.id

An e-mail goes by SMTP to the listener (`run_mail_listener`) at `--url smtp://host:port`
(default smtp://127.0.0.1:8025), addressed to EMAIL_INTAKE_ADDRESS, with `--file` as an
attachment; the answers printed are the ones the server queued for the sender, read from
the database when this checkout shares it (as `make run` does).

The SMS goes to the signed webhook of the generic format (the secret is this checkout's
SMS_GENERIC_SECRET, in development derived from its SECRET_KEY, like the server's), or of
Twilio with `--gateway twilio` (signed with TWILIO_AUTH_TOKEN over SITE_URL). The answers
are the texts the server queued for the sender; its worker sends them.

    manage.py simulate_inbound whatsapp --from 081350001111 --text "Jalan rusak di KM 12"
    manage.py simulate_inbound whatsapp --from 081350001111 --text "" --location 0.5065,117.5449
    manage.py simulate_inbound whatsapp --from 081350001111 --text "Foto" --file foto.jpg

WhatsApp messages go to the webhook Meta calls, in Meta's payload, signed with
WHATSAPP_APP_SECRET as Meta signs them. A file is fetched by the server from the Graph
API's media endpoints (WHATSAPP_API_BASE): for `--file`, that setting must be the same
local address for the server and this command (http://127.0.0.1:<port>/v21.0), where the
command answers the media requests as Meta would while the server takes the message."""

import json
import mimetypes
import smtplib
import threading
import time
import uuid
from email.message import EmailMessage
from email.utils import make_msgid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from aduan.accounts.identity import clean_phone
from aduan.channels.gateways import http, signing
from aduan.channels.gateways.twilio import signature


class Command(BaseCommand):
    help = "Send one message to a running Aduan through a channel's webhook; print the answer."

    def add_arguments(self, parser):
        parser.add_argument("channel", choices=["sms", "whatsapp", "email"])
        parser.add_argument(
            "--from", dest="sender", required=True, help="the sender's number or address"
        )
        parser.add_argument("--text", required=True)
        parser.add_argument("--file", help="an attachment (channels that carry files)")
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000", help="the Aduan to send to (make run's)"
        )
        parser.add_argument("--gateway", default="generic", choices=["generic", "twilio"])
        parser.add_argument("--location", help="WhatsApp: a shared location, LAT,LON")
        parser.add_argument("--subject", default="", help="e-mail: the subject")
        parser.add_argument("--in-reply-to", default="", help="e-mail: the Message-ID answered")

    def handle(self, *args, channel, sender, text, file, url, gateway, **options):
        if channel == "whatsapp":
            self._whatsapp(sender, text, file, url, options.get("location"))
            return
        if channel == "email":
            self.send_email(sender, text, file, url, options["subject"], options["in_reply_to"])
            return
        if file:
            raise CommandError("An SMS carries no file; send the text only.")
        base = url.rstrip("/")
        message_id = f"sim-{uuid.uuid4().hex}"
        if gateway == "generic":
            if not settings.SMS_GENERIC_SECRET:
                raise CommandError("Set SMS_GENERIC_SECRET to the server's secret.")
            body = json.dumps({"id": message_id, "from": sender, "to": "1708", "text": text})
            body = body.encode("utf-8")
            headers = {"Content-Type": "application/json"}
            headers |= signing.signed_headers(settings.SMS_GENERIC_SECRET, body, time.time())
            path = "/channels/sms/generic/inbound"
        else:
            if not (settings.TWILIO_AUTH_TOKEN and settings.TWILIO_ACCOUNT_SID):
                raise CommandError("Set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.")
            params = {
                "MessageSid": "SM" + uuid.uuid4().hex,
                "AccountSid": settings.TWILIO_ACCOUNT_SID,
                "From": sender,
                "To": "1708",
                "Body": text,
            }
            path = "/channels/sms/twilio/inbound"
            body = urlencode(params).encode("utf-8")
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                # Signed over the URL the server knows itself by (its SITE_URL).
                "X-Twilio-Signature": signature(
                    settings.TWILIO_AUTH_TOKEN, settings.SITE_URL + path, params
                ),
            }
        self._post(base + path, body, headers)

    def _post(self, address: str, body: bytes, headers: dict) -> None:
        base = address.split("/channels/")[0]
        try:
            answer = http.post(address, body, headers)
        except OSError as error:
            raise CommandError(f"{base} cannot be reached ({error}); is `make run` running?")
        if answer.status != 200:
            raise CommandError(
                f"HTTP {answer.status}: {answer.body[:300].decode(errors='replace')}"
            )
        data = answer.json()
        if not isinstance(data, dict):
            self.stdout.write("Accepted; the answer goes out through Twilio.")
            return
        self.stdout.write(f"status: {data.get('status')}")
        if data.get("report"):
            self.stdout.write(f"report: {data['report']}")
        replies = data.get("replies") or []
        if not replies:
            self.stdout.write("(no answer to the sender)")
        for reply in replies:
            self.stdout.write(f"< {reply}")

    def _whatsapp(self, sender, text, file, url, location) -> None:
        from aduan.channels.gateways.whatsapp import SIGNATURE_HEADER, signature

        if not settings.WHATSAPP_APP_SECRET:
            raise CommandError("Set WHATSAPP_APP_SECRET to the server's app secret.")
        try:
            number = clean_phone(sender).lstrip("+")
        except ValidationError:
            number = sender
        message = {
            "from": number,
            "id": f"wamid.sim{uuid.uuid4().hex}",
            "timestamp": str(int(time.time())),
        }
        media = None
        if location:
            try:
                latitude, longitude = (float(part) for part in location.split(","))
            except ValueError:
                raise CommandError("--location is LAT,LON, e.g. 0.5065,117.5449") from None
            message |= {
                "type": "location",
                "location": {"latitude": latitude, "longitude": longitude},
            }
        elif file:
            try:
                with open(file, "rb") as handle:
                    content = handle.read(20 * 1024 * 1024)
            except OSError as error:
                raise CommandError(f"{file}: {error}") from None
            kind = "document" if content.startswith(b"%PDF") else "image"
            media_id = str(int(time.time() * 1000))
            media = MediaServer(settings.WHATSAPP_API_BASE, media_id, content)
            message |= {"type": kind, kind: {"id": media_id, "mime_type": "", "caption": text}}
        else:
            message |= {"type": "text", "text": {"body": text}}
        payload = {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "0",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {
                                    "display_phone_number": "",
                                    "phone_number_id": settings.WHATSAPP_PHONE_NUMBER_ID,
                                },
                                "contacts": [{"profile": {"name": ""}, "wa_id": number}],
                                "messages": [message],
                            },
                        }
                    ],
                }
            ],
        }
        body = json.dumps(payload).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(settings.WHATSAPP_APP_SECRET, body),
        }
        try:
            self._post(url.rstrip("/") + "/channels/whatsapp/cloud/inbound", body, headers)
        finally:
            if media is not None:
                media.close()

    def send_email(self, sender, text, file, url, subject, in_reply_to):
        recipient = settings.EMAIL_INTAKE_ADDRESS or next(
            (a for a in settings.EMAIL_INTAKE_RECIPIENTS if not a.startswith("@")), ""
        )
        if not recipient:
            raise CommandError("Set EMAIL_INTAKE_ADDRESS to the listener's address.")
        if url.startswith(("http://", "https://")) and url != "http://127.0.0.1:8000":
            raise CommandError("E-mail goes to the listener: --url smtp://host:port.")
        target = urlsplit(url if url.startswith("smtp://") else "smtp://127.0.0.1:8025")
        message = EmailMessage()
        message["From"] = sender
        message["To"] = recipient
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain="simulate.invalid")
        if in_reply_to:
            message["In-Reply-To"] = message["References"] = in_reply_to
        message.set_content(text)
        if file:
            path = Path(file)
            try:
                data = path.read_bytes()
            except OSError as error:
                raise CommandError(f"Cannot read {file}: {error}") from None
            kind = (mimetypes.guess_type(path.name)[0] or "application/octet-stream").split("/")
            message.add_attachment(data, maintype=kind[0], subtype=kind[1], filename=path.name)
        try:
            with smtplib.SMTP(target.hostname, target.port or 25, timeout=30) as smtp:
                smtp.ehlo()
                code, answer = smtp.mail(sender)
                if code == 250:
                    code, answer = smtp.rcpt(recipient)
                if code == 250:
                    # CRLF line ends: smtplib converts those of a str only.
                    wire = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
                    code, answer = smtp.data(wire)
        except smtplib.SMTPDataError as error:
            code, answer = error.smtp_code, error.smtp_error
        except (OSError, smtplib.SMTPException) as error:
            raise CommandError(
                f"{target.netloc} cannot be reached ({error}); is run_mail_listener running?"
            ) from None
        answer = answer.decode(errors="replace")
        if code != 250:
            raise CommandError(f"SMTP {code}: {answer}")
        if "(" in answer:  # "2.0.0 OK (not answered)": a bounce, an automatic reply, a loop
            self.stdout.write(f"status: {answer.split('(', 1)[1].rstrip(')')}")
            return
        # "2.0.0 OK <status> <message uuid> <tracking number>"
        words = answer.split()
        self.stdout.write(f"status: {words[2] if len(words) > 2 else answer}")
        if len(words) > 4 and words[4] != "-":
            self.stdout.write(f"report: {words[4]}")
        self.print_emails_to(sender, words[3] if len(words) > 3 else "")

    def print_emails_to(self, sender, message_uuid):
        from aduan.channels.models import Message
        from aduan.notifications.models import Notification
        from aduan.notifications.service import render

        try:
            received = Message.objects.filter(uuid=uuid.UUID(message_uuid)).first()
        except ValueError:
            received = None
        if received is None:
            self.stdout.write("(the message is not in this checkout's database: see the server's)")
            return
        answers = [
            n
            for n in Notification.objects.filter(
                channel="email", created_at__gte=received.received_at
            ).order_by("pk")
            if n.address.lower() == sender.lower()
        ]
        if not answers:
            self.stdout.write("(no answer to the sender)")
        for notification in answers:
            subject, body = render(notification)
            self.stdout.write(f"< Subject: {subject}")
            for line in body.splitlines():
                self.stdout.write(f"< {line}")


class MediaServer:
    """Answers the server's media requests as Meta's Graph API does: `GET /{media-id}`
    gives the file's URL, `GET` on the URL the bytes (docs/CHANNELS.md)."""

    def __init__(self, api_base: str, media_id: str, content: bytes):
        parts = urlsplit(api_base)
        if parts.hostname not in ("127.0.0.1", "localhost") or not parts.port:
            raise CommandError(
                "--file needs WHATSAPP_API_BASE=http://127.0.0.1:<port>/v21.0 for both the "
                "server and this command: the command then answers the media requests."
            )
        prefix = parts.path.rstrip("/")
        download = f"http://127.0.0.1:{parts.port}/download/{media_id}"

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path == f"{prefix}/{media_id}":
                    data = json.dumps(
                        {"messaging_product": "whatsapp", "url": download, "id": media_id}
                    ).encode()
                    kind = "application/json"
                elif self.path == f"/download/{media_id}":
                    data, kind = content, "application/octet-stream"
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        try:
            self.server = ThreadingHTTPServer(("127.0.0.1", parts.port), Handler)
        except OSError as error:
            raise CommandError(f"port {parts.port}: {error}") from None
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
