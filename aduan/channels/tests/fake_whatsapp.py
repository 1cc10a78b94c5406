"""A local HTTP server that answers like Meta's Graph API for WhatsApp, for tests.

It imitates what Aduan uses, as Meta documents it:

- `POST /{version}/{phone-number-id}/messages` with `Authorization: Bearer <token>` and a
  JSON body with `messaging_product: "whatsapp"`, `to`, `type`
  (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages). Success is
  200 `{"messaging_product": "whatsapp", "contacts": [{"input", "wa_id"}], "messages":
  [{"id": "wamid.…"}]}`. A wrong token is 401 with error 190 (an OAuthException); a
  free-form message (text, interactive) to a number whose customer service window is
  closed is 400 with error 131047 "Re-engagement message"; a template that is not
  approved is 404 with error 132001 "Template name does not exist in the translation"; an
  interactive message with more than 3 buttons, a title over 20 characters or a body over
  1024 is 400 with error 131009 "Parameter value is not valid"
  (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes). Errors
  have Meta's shape: `{"error": {"message", "type", "code", "error_data": {"details"},
  "fbtrace_id"}}`.
- `GET /{version}/{media-id}` with the bearer token answers `{"messaging_product",
  "url", "mime_type", "sha256", "file_size", "id"}`, and `GET` on that URL with the same
  token answers the bytes (https://developers.facebook.com/docs/whatsapp/cloud-api/
  reference/media); an unknown id is 400 with error 100.
- `fail_next` answers the next calls 500 with error 131000 "Something went wrong" (Meta's
  temporary trouble, to be retried).

Meta sends the status webhooks (sent, delivered, read, failed) on its own; tests post them
themselves, signed as Meta signs them."""

import hashlib
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VERSION = "v21.0"


def _error(code: int, message: str, details: str = "") -> dict:
    return {
        "error": {
            "message": f"(#{code}) {message}",
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": details or message},
            "fbtrace_id": uuid.uuid4().hex[:20],
        }
    }


class FakeGraph:
    def __init__(self, access_token: str, phone_number_id: str):
        self.token, self.phone_number_id = access_token, phone_number_id
        self.requests: list[dict] = []
        self.media: dict[str, tuple[bytes, str]] = {}
        self.templates = {"aduan_pemberitahuan"}
        self.window_closed: set[str] = set()
        self.fail_next = 0
        # The media ids whose file was downloaded.
        self.fetched: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, body, content_type="application/json"):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                self._answer(*owner.post(self.path, dict(self.headers), self.rfile.read(length)))

            def do_GET(self):
                self._answer(*owner.get(self.path, dict(self.headers)))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.base = f"{self.url}/{VERSION}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def sent(self) -> list[dict]:
        return [r for r in self.requests if r.get("accepted")]

    def add_media(self, content: bytes, mime_type: str = "image/jpeg") -> str:
        media_id = str(10**15 + len(self.media))
        self.media[media_id] = (content, mime_type)
        return media_id

    def _authorised(self, headers) -> bool:
        return headers.get("Authorization") == f"Bearer {self.token}"

    def get(self, path, headers):
        if not self._authorised(headers):
            return 401, _error(190, "Invalid OAuth access token.")
        if path.startswith("/download/"):
            media_id = path.removeprefix("/download/")
            if media_id not in self.media:
                return 404, _error(100, "Invalid parameter")
            content, mime_type = self.media[media_id]
            self.fetched.append(media_id)
            return 200, content, mime_type
        media_id = path.removeprefix(f"/{VERSION}/")
        if media_id not in self.media:
            return 400, _error(100, "Invalid parameter")
        content, mime_type = self.media[media_id]
        return 200, {
            "messaging_product": "whatsapp",
            "url": f"{self.url}/download/{media_id}",
            "mime_type": mime_type,
            "sha256": hashlib.sha256(content).hexdigest(),
            "file_size": len(content),
            "id": media_id,
        }

    def post(self, path, headers, body):
        record = {"path": path}
        self.requests.append(record)
        if path != f"/{VERSION}/{self.phone_number_id}/messages":
            return 400, _error(100, "Unsupported post request")
        if not self._authorised(headers):
            return 401, _error(190, "Invalid OAuth access token.")
        if self.fail_next:
            self.fail_next -= 1
            return 500, _error(131000, "Something went wrong")
        data = json.loads(body)
        to, kind = data.get("to", ""), data.get("type")
        if data.get("messaging_product") != "whatsapp" or not str(to).isdigit():
            return 400, _error(100, "Invalid parameter")
        record |= {"to": "+" + to, "type": kind}
        if kind == "template":
            template = data["template"]
            if template["name"] not in self.templates:
                return 404, _error(132001, "Template name does not exist in the translation")
            record["text"] = template["components"][0]["parameters"][0]["text"]
        elif to in self.window_closed or "+" + to in self.window_closed:
            return 400, _error(
                131047,
                "Re-engagement message",
                "Message failed to send because more than 24 hours have passed since the "
                "customer last replied to this number.",
            )
        elif kind == "interactive":
            interactive = data["interactive"]
            buttons = interactive["action"]["buttons"]
            text = interactive["body"]["text"]
            if (
                len(buttons) > 3
                or any(len(b["reply"]["title"]) > 20 for b in buttons)
                or len(text) > 1024
            ):
                return 400, _error(131009, "Parameter value is not valid")
            record |= {"text": text, "buttons": [b["reply"]["id"] for b in buttons]}
        elif kind == "text":
            record["text"] = data["text"]["body"]
        else:
            return 400, _error(100, "Invalid parameter")
        message_id = "wamid." + uuid.uuid4().hex
        record |= {"accepted": True, "id": message_id}
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": message_id}],
        }
