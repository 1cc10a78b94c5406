"""A citizen's WhatsApp as Meta delivers its messages to Aduan: the webhook payloads of
Meta's documentation (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/
payload-examples), signed with the app secret as Meta signs them (X-Hub-Signature-256),
and what the phone received (the messages Aduan sent through the fake Graph API)."""

import json

from aduan.channels.gateways.whatsapp import signature
from conftest import run_tasks

APP_SECRET = "rahasia-aplikasi-meta-uji"
VERIFY_TOKEN = "token-verifikasi-uji"
ACCESS_TOKEN = "EAAG-token-akses-uji"
PHONE_NUMBER_ID = "106540352242922"
BUSINESS_ACCOUNT_ID = "102290129340398"
WA_CITIZEN = "6281350002222"
PATH = "/channels/whatsapp/cloud/inbound"


def envelope(value: dict) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": BUSINESS_ACCOUNT_ID,
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "6281100001708",
                                "phone_number_id": PHONE_NUMBER_ID,
                            },
                        }
                        | value,
                    }
                ],
            }
        ],
    }


def post_signed(client, body: bytes, *, secret=APP_SECRET, path=PATH):
    return client.post(
        path,
        body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=signature(secret, body),
    )


class WhatsAppPhone:
    def __init__(self, client, graph, number=WA_CITIZEN):
        self.client, self.graph, self.number = client, graph, number
        self.count = 0

    def message(self, kind: str, content: dict, *, wamid=None, reply_to=None) -> dict:
        self.count += 1
        message = {
            "from": self.number,
            "id": wamid or f"wamid.HBgNNjI4MTM1MDAwMjIyMhUCABIYFjNFQjA{self.count:08d}",
            "timestamp": "1773131400",
            "type": kind,
            kind: content,
        }
        if reply_to:
            message["context"] = {"from": "6281100001708", "id": reply_to}
        return message

    def deliver(self, *messages, statuses=(), secret=APP_SECRET):
        value = {
            "contacts": [{"profile": {"name": "Warga"}, "wa_id": self.number}],
            "messages": list(messages),
        }
        if statuses:
            value = {"statuses": list(statuses)}
        return post_signed(self.client, json.dumps(envelope(value)).encode(), secret=secret)

    def send(self, text, **kwargs):
        return self.deliver(self.message("text", {"body": text}, **kwargs))

    def send_photo(self, content: bytes, caption="", mime_type="image/jpeg", **kwargs):
        media_id = self.graph.add_media(content, mime_type)
        image = {"mime_type": mime_type, "sha256": "x", "id": media_id}
        if caption:
            image["caption"] = caption
        return self.deliver(self.message("image", image, **kwargs))

    def share_location(self, latitude, longitude, name="", address="", **kwargs):
        location = {"latitude": latitude, "longitude": longitude}
        if name:
            location |= {"name": name, "address": address}
        return self.deliver(self.message("location", location, **kwargs))

    def press(self, button_id, title="", **kwargs):
        interactive = {"type": "button_reply", "button_reply": {"id": button_id, "title": title}}
        return self.deliver(self.message("interactive", interactive, **kwargs))

    def status(self, wamid, status, error_code=None):
        item = {
            "id": wamid,
            "status": status,
            "timestamp": "1773131460",
            "recipient_id": self.number,
        }
        if status in ("sent", "delivered"):
            item["conversation"] = {"id": "c1", "origin": {"type": "service"}}
            item["pricing"] = {"billable": True, "pricing_model": "CBP", "category": "service"}
        if error_code:
            item["errors"] = [{"code": error_code, "title": "Message undeliverable"}]
        return self.deliver(statuses=[item])

    def received(self):
        """Every message Meta accepted for this phone, after the worker ran."""
        run_tasks()
        return [r for r in self.graph.sent if r["to"] == "+" + self.number]

    def inbox(self):
        return [r["text"] for r in self.received()]
