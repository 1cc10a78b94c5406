"""Send one message through a channel's real entry point of a running Aduan, as the
provider would, and print what the sender receives back.

    manage.py simulate_inbound sms --from 081350001111 --text "LAPOR Jalan rusak di KM 12"
    manage.py simulate_inbound sms --from 081350001111 --text "CEK PST-26-0000001-5" \\
        --url https://aduan.example.go.id

The SMS goes to the signed webhook of the generic format (the secret is this checkout's
SMS_GENERIC_SECRET, in development derived from its SECRET_KEY, like the server's), or of
Twilio with `--gateway twilio` (signed with TWILIO_AUTH_TOKEN over SITE_URL). The answers
are the texts the server queued for the sender; its worker sends them."""

import json
import time
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from aduan.channels.gateways import http, signing
from aduan.channels.gateways.twilio import signature


class Command(BaseCommand):
    help = "Send one message to a running Aduan through a channel's webhook; print the answer."

    def add_arguments(self, parser):
        parser.add_argument("channel", choices=["sms", "whatsapp", "email"])
        parser.add_argument("--from", dest="sender", required=True, help="the sender's number")
        parser.add_argument("--text", required=True)
        parser.add_argument("--file", help="an attachment (channels that carry files)")
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000", help="the Aduan to send to (make run's)"
        )
        parser.add_argument("--gateway", default="generic", choices=["generic", "twilio"])

    def handle(self, *args, channel, sender, text, file, url, gateway, **options):
        if channel != "sms":
            raise CommandError(
                f"The {channel} channel has no intake yet (docs/CHANNELS.md); only sms."
            )
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
        try:
            answer = http.post(base + path, body, headers)
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
