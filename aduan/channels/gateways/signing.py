"""HMAC signatures of the generic webhook format (docs/CHANNELS.md, "The generic SMS
format"), used both to check what a gateway sends and to sign what Aduan sends it."""

import hmac
import time

TIMESTAMP_HEADER = "X-Aduan-Timestamp"
SIGNATURE_HEADER = "X-Aduan-Signature"
# How far a request's timestamp may be from our clock. A captured request replayed later
# than this is refused for its age; within it, the message id makes a replay a duplicate.
MAX_SKEW_SECONDS = 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, "sha256")
    return "v1=" + mac.hexdigest()


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(now if now is not None else time.time()))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body)}


def check(secret: str, timestamp: str, given: str, body: bytes, now: float | None = None) -> str:
    """ "" when the signature is valid and fresh, else the reason it is not."""
    if not timestamp.isascii() or not timestamp.isdigit():
        return "missing or malformed timestamp"
    if abs((now if now is not None else time.time()) - int(timestamp)) > MAX_SKEW_SECONDS:
        return "timestamp too old or in the future"
    if not hmac.compare_digest(signature(secret, timestamp, body).encode(), given.encode()):
        return "bad signature"
    return ""
