"""Local HTTP servers that answer like the SMS providers, for tests.

`FakeTwilio` imitates the part of Twilio's REST API Aduan uses, as Twilio documents it:

- `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded, HTTP basic
  authentication with the Account SID and Auth Token; a wrong pair is answered 401 with
  error 20003 (https://www.twilio.com/docs/api/errors/20003);
- `To` and `Body` are required, and `From` or `MessagingServiceSid`; a `To` that is not a
  phone number in E.164 form is refused 400 with error 21211 "Invalid 'To' Phone Number"
  (https://www.twilio.com/docs/api/errors/21211), a recipient who replied STOP with 21610
  (https://www.twilio.com/docs/api/errors/21610);
- success is 201 with the Message resource in JSON: `sid` ("SM" and 32 hex digits),
  `status` "queued", `to`, `from`, `body`, `num_segments`
  (https://www.twilio.com/docs/messaging/api/message-resource);
- `fail_next` answers the next calls 503 (a provider outage, to be retried);
- Twilio sends no status callback for the initial status (`queued`)
  (https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks):
  tests post the later callbacks themselves, signed as Twilio signs them.

`FakeGenericGateway` answers the generic format of docs/CHANNELS.md: it checks the
signature and answers `{"id": ...}`."""

import base64
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from aduan.channels import gsm
from aduan.channels.gateways import signing


class _Server:
    def __init__(self):
        self.requests: list[dict] = []
        self.fail_next = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, answer = owner.answer(self.path, dict(self.headers), body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def sent(self) -> list[dict]:
        return [r for r in self.requests if r.get("accepted")]


class FakeTwilio(_Server):
    def __init__(self, account_sid: str, auth_token: str):
        self.account_sid, self.auth_token = account_sid, auth_token
        self.unsubscribed: set[str] = set()
        super().__init__()

    def answer(self, path, headers, body):
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        record = {"path": path, "form": form}
        self.requests.append(record)
        expected = (
            "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        )
        if path != f"/2010-04-01/Accounts/{self.account_sid}/Messages.json":
            return 404, {
                "code": 20404,
                "message": "The requested resource was not found",
                "status": 404,
            }
        if headers.get("Authorization") != expected:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        if self.fail_next:
            self.fail_next -= 1
            return 503, {"code": 20503, "message": "Service unavailable", "status": 503}
        to = form.get("To", "")
        if not (to.startswith("+") and to[1:].isdigit()):
            return 400, {
                "code": 21211,
                "message": f"Invalid 'To' Phone Number: {to}",
                "status": 400,
            }
        if to in self.unsubscribed:
            return 400, {
                "code": 21610,
                "message": "Attempt to send to unsubscribed recipient",
                "status": 400,
            }
        if not form.get("Body") or not (form.get("From") or form.get("MessagingServiceSid")):
            return 400, {"code": 21602, "message": "Message body is required.", "status": 400}
        sid = "SM" + uuid.uuid4().hex
        record |= {"accepted": True, "sid": sid, "to": to, "text": form["Body"]}
        return 201, {
            "sid": sid,
            "status": "queued",
            "to": to,
            "from": form.get("From"),
            "body": form["Body"],
            "num_segments": str(gsm.segments(form["Body"]).count),
        }


class FakeGenericGateway(_Server):
    def __init__(self, secret: str):
        self.secret = secret
        super().__init__()

    def answer(self, path, headers, body):
        record = {"path": path, "body": body}
        self.requests.append(record)
        problem = signing.check(
            self.secret,
            headers.get(signing.TIMESTAMP_HEADER, ""),
            headers.get(signing.SIGNATURE_HEADER, ""),
            body,
        )
        if problem:
            return 403, {"error": problem}
        if self.fail_next:
            self.fail_next -= 1
            return 503, {"error": "busy"}
        data = json.loads(body)
        if not str(data.get("to", "")).startswith("+62"):
            return 400, {"error": "invalid number"}
        record |= {"accepted": True, "id": uuid.uuid4().hex, "to": data["to"], "text": data["text"]}
        return 200, {"id": record["id"]}
