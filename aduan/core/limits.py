"""Hourly limits on actions that cost someone else something: a verification code sent
by SMS or e-mail, a report filed by a guest or a citizen.

Each action is counted under several keys at once (the contact it is for, the browser
session, the client's address), each with its own ceiling per hour: a limit on the
contact alone lets one session send codes to a dozen numbers; a limit on the address
alone would stop a whole office behind one address. A refusal says, in the reader's
language, how many minutes to wait.

Counted in the database (`LimitHit`, one row per key and action, kept a day) so every
web process shares the count. The keys are stored as keyed hashes. `check()` then
`record()` is a count followed by an insert: requests arriving at the same instant can
overshoot a ceiling by their number, which does not matter for limits against floods.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Count, Min
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from aduan.accounts.crypto import lookup_hash

from .addresses import client_address, limit_key
from .models import LimitHit

WINDOW = dt.timedelta(hours=1)
KEEP_FOR = dt.timedelta(days=1)


@dataclass(frozen=True)
class Refusal:
    kind: str  # which key reached its ceiling: "contact", "session", "address"
    retry_after: dt.timedelta

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after.total_seconds() / 60))


def request_keys(request) -> dict[str, str]:
    """The session and client-address keys of a web request (a session is created when
    the visitor has none yet, so that it can be counted)."""
    session = request.session
    if not session.session_key:
        session.save()
    return {
        "session": session.session_key or "",
        "address": limit_key(client_address(request)),
    }


def _hashes(scope: str, keys: dict[str, str]) -> dict[str, str]:
    return {kind: lookup_hash(f"{scope}:{kind}:{value}") for kind, value in keys.items() if value}


def check(
    scope: str, keys: dict[str, str], ceilings: dict[str, int], *, now=None
) -> Refusal | None:
    """The first key that reached its hourly ceiling (with how long until it frees a
    place), or None. Counts nothing. One query."""
    now = now or timezone.now()
    hashes = _hashes(scope, keys)
    if not hashes:
        return None
    rows = (
        LimitHit.objects.filter(scope=scope, key_hash__in=hashes.values(), at__gte=now - WINDOW)
        .values("key_hash")
        .annotate(used=Count("pk"), oldest=Min("at"))
    )
    by_hash = {row["key_hash"]: row for row in rows}
    for kind, key_hash in hashes.items():
        row = by_hash.get(key_hash)
        ceiling = ceilings.get(kind)
        if row is None or ceiling is None or row["used"] < ceiling:
            continue
        # A ceiling reached: the oldest counted action leaves the window first. (With
        # more than `ceiling` rows after a race, waiting for the oldest is a lower bound.)
        return Refusal(kind, max(row["oldest"] + WINDOW - now, dt.timedelta(seconds=1)))
    return None


def record(scope: str, keys: dict[str, str], *, now=None) -> None:
    """Count one action under every key (one insert), and forget day-old rows."""
    now = now or timezone.now()
    hashes = _hashes(scope, keys)
    LimitHit.objects.bulk_create(
        [LimitHit(scope=scope, key_hash=key_hash, at=now) for key_hash in hashes.values()]
    )
    # Old rows serve no purpose; drop them as we go (indexed on `at`).
    LimitHit.objects.filter(at__lt=now - KEEP_FOR).delete()


def codes_refusal_message(refusal: Refusal):
    return format_lazy(
        _(
            "Terlalu banyak kode verifikasi diminta dari perangkat atau jaringan ini. "
            "Coba lagi dalam {minutes} menit."
        ),
        minutes=refusal.minutes,
    )


def reports_refusal_message(refusal: Refusal):
    return format_lazy(
        _(
            "Anda sudah mengirim banyak laporan dalam satu jam terakhir. Demi mencegah "
            "penyalahgunaan, kirim lagi dalam {minutes} menit; isian Anda tetap di formulir."
        ),
        minutes=refusal.minutes,
    )
