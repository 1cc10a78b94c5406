"""Talking to a peer: signed JSON requests, signed answers checked."""

import json
import threading
from urllib.parse import urlencode

import requests
from django.conf import settings

from . import signing
from .models import Peer

API_PREFIX = "/federation/v1"
_local = threading.local()


class PeerError(Exception):
    """The peer could not be reached or gave an answer we cannot use."""

    def __init__(self, message: str, *, status: int | None = None, data: dict | None = None):
        super().__init__(message)
        self.status = status
        self.data = data or {}


def _session() -> requests.Session:
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


def call(
    peer: Peer,
    method: str,
    path: str,
    payload: dict | None = None,
    *,
    params: dict | None = None,
    raw: bool = False,
    timeout: float | None = None,
):
    """Send a signed request to `peer` and return (status, parsed JSON or raw bytes).

    Raises PeerError when the peer cannot be reached or its answer is not signed by it."""
    if not path.startswith("/"):
        # "checkpoints" would ask for /federation/v1checkpoints, which no node serves.
        raise ValueError(f"a federation path starts with '/': {path!r}")
    full_path = API_PREFIX + path
    if params:
        full_path += "?" + urlencode(params)
    body = b"" if payload is None else json.dumps(payload, separators=(",", ":")).encode()
    headers = signing.request_headers(method, full_path, body, peer.node_id)
    if payload is not None:
        headers["Content-Type"] = "application/json"
    try:
        response = _session().request(
            method,
            peer.url.rstrip("/") + full_path,
            data=body or None,
            headers=headers,
            timeout=timeout or settings.FEDERATION_TIMEOUT,
        )
    except requests.RequestException as exc:
        raise PeerError(f"{type(exc).__name__}: {exc}") from exc
    content = response.content
    try:
        signing.verify_response(
            peer, response.status_code, headers[signing.NONCE], content, response.headers
        )
    except signing.SignatureError as exc:
        raise PeerError(f"HTTP {response.status_code}: {exc}", status=response.status_code)
    if raw:
        return response.status_code, content
    try:
        data = json.loads(content or b"{}")
    except ValueError as exc:
        raise PeerError("the answer is not JSON", status=response.status_code) from exc
    return response.status_code, data


def hello(url: str, timeout: float = 15) -> dict:
    """The unsigned self-description a node publishes for pairing."""
    try:
        response = requests.get(url.rstrip("/") + API_PREFIX + "/hello", timeout=timeout)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as exc:
        raise PeerError(f"{url}: {exc}") from exc
