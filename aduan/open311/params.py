"""Reading Open311 query and form parameters.

An optional parameter sent empty (`?status=&start_date=`) is treated as absent, as many
clients send every field of their form. Every malformed value is refused with a 400 that
names the parameter, in Indonesian and English.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from .render import Open311Error

# The spec: "may not span more than 90 days. When not specified, the range defaults to
# the most recent 90 days."
MAX_WINDOW = dt.timedelta(days=90)
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 200
MAX_LIST_ITEMS = 200


def value(data, name: str) -> str | None:
    """The parameter stripped of surrounding whitespace, or None when absent or empty."""
    raw = data.get(name)
    if raw is None:
        return None
    raw = str(raw).strip()
    return raw or None


def comma_list(data, name: str) -> list[str]:
    """A comma-delimited parameter ("a,b, c"), empty items dropped, order kept."""
    raw = value(data, name)
    if raw is None:
        return []
    items = list(dict.fromkeys(item.strip() for item in raw.split(",") if item.strip()))
    if len(items) > MAX_LIST_ITEMS:
        raise Open311Error.one(
            400,
            f"Parameter {name} berisi lebih dari {MAX_LIST_ITEMS} nilai.",
            f"Parameter {name} holds more than {MAX_LIST_ITEMS} values.",
        )
    return items


# A "+" of a time zone offset arrives as a space when the client did not URL-encode it.
_UNENCODED_PLUS = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


def datetime_param(data, name: str) -> dt.datetime | None:
    """A W3C/ISO 8601 date-time ("2026-01-31T08:00:00+08:00", "...Z") or a date
    ("2026-01-31", midnight UTC). A date-time without an offset is read as UTC."""
    raw = value(data, name)
    if raw is None:
        return None
    text = _UNENCODED_PLUS.sub(r"\1+\2", raw)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise Open311Error.one(
            400,
            f"{name} bukan tanggal-waktu ISO 8601 yang valid (mis. 2026-01-31T00:00:00+08:00).",
            f"{name} is not a valid ISO 8601 date-time (e.g. 2026-01-31T00:00:00+08:00).",
        )
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    end: dt.datetime


def date_window(data, *, start_name="start_date", end_name="end_date") -> Window:
    """The requested period, at most 90 days long, defaulting to the most recent 90 days.
    With only one end given, the window reaches 90 days from it."""
    start = datetime_param(data, start_name)
    end = datetime_param(data, end_name)
    try:
        if start is None and end is None:
            end = timezone.now()
            start = end - MAX_WINDOW
        elif start is None:
            start = end - MAX_WINDOW
        elif end is None:
            end = start + MAX_WINDOW
    except OverflowError:
        raise Open311Error.one(
            400,
            f"{start_name}/{end_name} di luar rentang tanggal yang dapat diproses.",
            f"{start_name}/{end_name} is outside the range of dates that can be handled.",
        )
    if end < start:
        raise Open311Error.one(
            400,
            f"{end_name} lebih awal dari {start_name}.",
            f"{end_name} is earlier than {start_name}.",
        )
    if end - start > MAX_WINDOW:
        raise Open311Error.one(
            400,
            f"Rentang {start_name} sampai {end_name} tidak boleh lebih dari 90 hari.",
            f"The range from {start_name} to {end_name} may not span more than 90 days.",
        )
    return Window(start, end)


def positive_int(data, name: str, default: int, *, maximum: int | None = None) -> int:
    raw = value(data, name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise Open311Error.one(
            400,
            f"{name} harus bilangan bulat positif.",
            f"{name} must be a positive whole number.",
        )
    number = int(raw)
    if maximum is not None and number > maximum:
        raise Open311Error.one(
            400,
            f"{name} paling banyak {maximum}.",
            f"{name} may be at most {maximum}.",
        )
    return number


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def page_param(data) -> Page:
    """The `page`/`page_size` extension (as Austin, Chicago and others offer it)."""
    size = positive_int(data, "page_size", DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
    number = positive_int(data, "page", 1, maximum=1_000_000)
    return Page(number, size)


def boolean_param(data, name: str) -> bool:
    raw = value(data, name)
    if raw is None:
        return False
    lowered = raw.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise Open311Error.one(
        400,
        f"{name} harus true atau false.",
        f"{name} must be true or false.",
    )


def jurisdiction_id() -> str:
    """This node's jurisdiction: the OPEN311_JURISDICTION_ID setting, else the host name
    of SITE_URL (a node serves one jurisdiction)."""
    configured = getattr(settings, "OPEN311_JURISDICTION_ID", "")
    if configured:
        return configured
    from urllib.parse import urlsplit

    host = urlsplit(getattr(settings, "SITE_URL", "") or "").hostname
    return host or "aduan.go.id"


# What clients in the wild send when they have no jurisdiction to give: a template or a
# form filled from an unset variable ("None" from Python, "null"/"undefined" from
# JavaScript). The spec requires jurisdiction_id only where an endpoint serves several
# jurisdictions; this server serves one, so these mean "absent".
NO_JURISDICTION = frozenset({"none", "null", "nil", "undefined"})


def check_jurisdiction(data) -> None:
    """A single-jurisdiction server accepts requests without `jurisdiction_id` (also sent
    empty, blank or as a placeholder such as "null"), or with its own; another
    jurisdiction is "not found" (404), as the spec and FixMyStreet say."""
    given = value(data, "jurisdiction_id")
    if given is None or given.casefold() in NO_JURISDICTION:
        return
    if given.casefold() != jurisdiction_id().casefold():
        given = given[:100]
        raise Open311Error.one(
            404,
            f"jurisdiction_id '{given}' tidak ditemukan; server ini melayani '{jurisdiction_id()}'.",
            f"jurisdiction_id '{given}' was not found; this server serves '{jurisdiction_id()}'.",
        )
