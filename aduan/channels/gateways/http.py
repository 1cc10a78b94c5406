"""A small HTTP client on the standard library, for calls to providers' APIs."""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings


@dataclass
class Response:
    status: int
    body: bytes

    def json(self):
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


def post(url: str, data: bytes, headers: dict[str, str]) -> Response:
    """POST and return the answer whatever its status; raise OSError when the provider
    cannot be reached (the outbox retries)."""
    if not url.startswith(("https://", "http://")):
        # A setting such as file:/// must never be opened.
        raise OSError(f"not an HTTP URL: {url[:40]!r}")
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310 - scheme checked above
    try:
        with urllib.request.urlopen(  # noqa: S310 - scheme checked above
            request, timeout=settings.CHANNEL_HTTP_TIMEOUT
        ) as answer:
            return Response(answer.status, answer.read(100_000))
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read(100_000))


def get(url: str, headers: dict[str, str], *, limit: int = 100_000) -> Response:
    """GET and return the answer (at most `limit` + 1 bytes of it, so that a caller can
    tell a body that is too long); raise OSError when the provider cannot be reached."""
    if not url.startswith(("https://", "http://")):
        raise OSError(f"not an HTTP URL: {url[:40]!r}")
    request = urllib.request.Request(url, headers=headers, method="GET")  # noqa: S310 - scheme checked above
    try:
        with urllib.request.urlopen(  # noqa: S310 - scheme checked above
            request, timeout=settings.CHANNEL_HTTP_TIMEOUT
        ) as answer:
            return Response(answer.status, answer.read(limit + 1))
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read(100_000))
