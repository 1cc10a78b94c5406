"""Cursor (keyset) pagination.

A page is read with `WHERE (sort_value, tiebreak) < (last_value, last_tiebreak) ORDER BY
sort_value, tiebreak LIMIT n+1` (the tiebreak is a unique column: the tracking number for
reports, the primary key otherwise), so every page costs the same whatever its depth, rows inserted between two
page reads never shift a page (no duplicates, no gaps), and the existing indexes on the
sort columns serve the query. The cursor is opaque and signed: a tampered cursor, or one
used with other filters or another sort, is refused with 400 instead of returning a
wrong page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.core import signing
from django.db.models import Q, QuerySet

from .errors import ApiError, ApiErrorException

SALT = "aduan.api.cursor"
MAX_LIMIT = 100
DEFAULT_LIMIT = 20


def invalid_cursor() -> ApiError:
    return ApiError(
        400,
        "invalid_cursor",
        "Kursor halaman tidak valid atau tidak cocok dengan filter/urutan ini.",
        "The page cursor is invalid or does not match these filters and sort order.",
        {"cursor": [("Kursor tidak valid.", "Invalid cursor.")]},
    )


def fingerprint(params: dict) -> str:
    """A short digest of the filters a cursor belongs to."""
    text = json.dumps(params, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Keyset:
    field: str  # the model field sorted on ("submitted_at", "name", "code")
    descending: bool
    kind: str = "datetime"  # "datetime" | "str"
    # A unique column that orders rows with the same `field` value.
    tiebreak: str = "pk"

    def encode(self, value, pk, filters: str) -> str:
        raw = value.isoformat() if isinstance(value, dt.datetime) else str(value)
        return signing.dumps(
            {"k": self.field, "d": self.descending, "v": raw, "i": pk, "f": filters},
            salt=SALT,
            compress=True,
        )

    def decode(self, cursor: str, filters: str):
        try:
            data = signing.loads(cursor, salt=SALT)
        except (signing.BadSignature, ValueError, TypeError, UnicodeError):
            raise ApiErrorException(invalid_cursor()) from None
        if (
            not isinstance(data, dict)
            or data.get("k") != self.field
            or data.get("d") != self.descending
            or data.get("f") != filters
        ):
            raise ApiErrorException(invalid_cursor())
        value, pk = data.get("v"), data.get("i")
        if self.kind == "datetime":
            try:
                value = dt.datetime.fromisoformat(value)
            except (TypeError, ValueError):
                raise ApiErrorException(invalid_cursor()) from None
        if not isinstance(value, (str, dt.datetime)) or not isinstance(pk, (int, str)):
            raise ApiErrorException(invalid_cursor())
        return value, pk

    def page(self, qs: QuerySet, *, cursor: str | None, limit: int, filters: str):
        """(rows, next_cursor) for one page of `qs`."""
        if self.descending:
            order = (f"-{self.field}", f"-{self.tiebreak}")
            before, tie = "lt", f"{self.tiebreak}__lt"
        else:
            order = (self.field, self.tiebreak)
            before, tie = "gt", f"{self.tiebreak}__gt"
        if cursor:
            value, pk = self.decode(cursor, filters)
            qs = qs.filter(
                Q(**{f"{self.field}__{before}": value}) | Q(**{self.field: value, tie: pk})
            )
        rows = list(qs.order_by(*order)[: limit + 1])
        next_cursor = None
        if len(rows) > limit:
            rows = rows[:limit]
            last = rows[-1]
            next_cursor = self.encode(
                getattr(last, self.field), getattr(last, self.tiebreak), filters
            )
        return rows, next_cursor
