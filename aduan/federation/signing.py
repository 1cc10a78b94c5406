"""Signed requests and answers between nodes.

Every request carries the sender's node id, the receiver's node id, a timestamp, a random
nonce and an Ed25519 signature over those and the SHA-256 of the body. The receiver checks
the signature against the paired peer's public key, refuses a timestamp outside the replay
window and a nonce it has already seen. Every answer is signed too, over its status, the
request's nonce and its body, so a proxy in between can neither forge nor replay an
acknowledgement.
"""

import hashlib
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import keys
from .models import Peer, SeenNonce

FROM = "X-Aduan-From"
TO = "X-Aduan-To"
TIMESTAMP = "X-Aduan-Timestamp"
NONCE = "X-Aduan-Nonce"
SIGNATURE = "X-Aduan-Signature"


class SignatureError(Exception):
    """A request or answer that must not be trusted; `code` is stable for callers."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(detail or code)
        self.code = code


def _request_message(
    method: str, path: str, timestamp: str, nonce: str, body: bytes, sender: str, receiver: str
) -> bytes:
    return "\n".join(
        [
            "aduan-request-v1",
            method.upper(),
            path,
            timestamp,
            nonce,
            hashlib.sha256(body).hexdigest(),
            sender,
            receiver,
        ]
    ).encode("utf-8")


def _response_message(status: int, nonce: str, body: bytes, sender: str) -> bytes:
    return "\n".join(
        ["aduan-response-v1", str(status), nonce, hashlib.sha256(body).hexdigest(), sender]
    ).encode("utf-8")


def request_headers(method: str, path: str, body: bytes, receiver: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    nonce = secrets.token_hex(16)
    message = _request_message(method, path, timestamp, nonce, body, settings.NODE_ID, receiver)
    return {
        FROM: settings.NODE_ID,
        TO: receiver,
        TIMESTAMP: timestamp,
        NONCE: nonce,
        SIGNATURE: keys.sign(message),
    }


def verify_request(request) -> Peer:
    """The paired, active peer that signed this request, or SignatureError."""
    sender = request.headers.get(FROM, "")
    receiver = request.headers.get(TO, "")
    timestamp = request.headers.get(TIMESTAMP, "")
    nonce = request.headers.get(NONCE, "")
    signature = request.headers.get(SIGNATURE, "")
    if not (sender and timestamp and nonce and signature):
        raise SignatureError("unsigned", "missing signature headers")
    if receiver != settings.NODE_ID:
        raise SignatureError("wrong_receiver", f"addressed to {receiver!r}")
    peer = Peer.objects.filter(node_id=sender, is_active=True).first()
    if peer is None:
        raise SignatureError("unknown_peer", f"no active peer {sender!r}")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise SignatureError("bad_timestamp", "timestamp is not a number")
    if abs(time.time() - sent_at) > settings.FEDERATION_REPLAY_WINDOW:
        raise SignatureError("stale", "timestamp outside the replay window")
    if len(nonce) > 64:
        raise SignatureError("bad_nonce", "nonce too long")
    message = _request_message(
        request.method, request.get_full_path(), timestamp, nonce, request.body, sender, receiver
    )
    if not keys.verify(peer.public_key, message, signature):
        raise SignatureError("bad_signature", "signature does not match the peer's key")
    try:
        with transaction.atomic():
            SeenNonce.objects.create(node=sender, nonce=nonce, at=timezone.now())
    except IntegrityError:
        raise SignatureError("replay", "nonce already used")
    return peer


def sign_response(response, nonce: str):
    response[FROM] = settings.NODE_ID
    response[SIGNATURE] = keys.sign(
        _response_message(response.status_code, nonce, response.content, settings.NODE_ID)
    )
    return response


def verify_response(peer: Peer, status: int, nonce: str, body: bytes, headers) -> None:
    signature = headers.get(SIGNATURE, "")
    if headers.get(FROM, "") != peer.node_id or not signature:
        raise SignatureError("unsigned_answer", "the answer is not signed by the peer")
    if not keys.verify(
        peer.public_key, _response_message(status, nonce, body, peer.node_id), signature
    ):
        raise SignatureError("bad_answer_signature", "the answer's signature does not match")


def purge_nonces(now=None) -> int:
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=2 * settings.FEDERATION_REPLAY_WINDOW)
    deleted, _ = SeenNonce.objects.filter(at__lt=cutoff).delete()
    return deleted
