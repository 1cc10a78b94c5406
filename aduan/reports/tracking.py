"""Tracking numbers people can read over the phone.

Format: ``PST-26-0001234-7`` — the issuing node's code, the two-digit year, a per-node
sequence and a Damm check digit. The node code makes numbers unique across nodes without
coordination; the Damm check digit catches every single-digit typo and every swap of two
adjacent digits, so a mistyped number is rejected instead of matching someone else's
report.
"""

import re
import unicodedata

from django.conf import settings
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.db.models import F
from stdnum import damm

from .models import Report, TrackingCounter

_PATTERN = re.compile(r"^([A-Z]{2,6})(\d{2})(\d{7,9})(\d)$", re.ASCII)


def _digits(node: str, year: str, seq: str) -> str:
    # Letters become two-digit numbers (A=10 ... Z=35) so the node code is checked too.
    return "".join(str(ord(ch) - 55) for ch in node) + year + seq


def format_number(node: str, year: int, seq: int) -> str:
    yy, sq = f"{year % 100:02d}", f"{seq:07d}"
    check = damm.calc_check_digit(_digits(node, yy, sq))
    return f"{node}-{yy}-{sq}-{check}"


def _compact(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "")
    # Digits from any script (Arabic-Indic keyboards, full-width input) become ASCII.
    text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)
    return re.sub(r"[\s.\-_/]", "", text).upper()


def normalise(raw: str) -> str | None:
    """Canonical form of a typed tracking number, or None when it is not valid.

    Spaces, dots and dashes are ignored and case does not matter; the check digit must
    match."""
    match = _PATTERN.match(_compact(raw))
    if not match:
        return None
    node, yy, seq, check = match.groups()
    if not damm.is_valid(_digits(node, yy, seq) + check):
        return None
    return f"{node}-{yy}-{seq}-{check}"


def sequence_name(node: str) -> str:
    """The PostgreSQL sequence of a node's tracking numbers."""
    return f"report_tracking_{node.lower()}_seq"


# Sequences this process has already drawn from and did not create itself: they exist
# (a migration or an earlier, committed first submission made them), so nextval needs no
# savepoint to survive their absence.
_known_sequences: set[str] = set()


def next_sequence(node: str) -> int:
    if connection.vendor == "postgresql":
        # A sequence is not transactional: concurrent submissions never wait on each other.
        name = sequence_name(node)
        if name in _known_sequences:
            with connection.cursor() as cursor:
                cursor.execute("SELECT nextval(%s)", [name])
                return cursor.fetchone()[0]
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT nextval(%s)", [name])
                value = cursor.fetchone()[0]
            _known_sequences.add(name)
            return value
        except ProgrammingError:
            # First number of a new node code. CREATE SEQUENCE IF NOT EXISTS itself can
            # collide when several first submissions race; the loser just uses it. Not
            # remembered: a rolled-back transaction takes the new sequence with it.
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}"')
            except IntegrityError:
                pass
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT nextval(%s)", [name])
                return cursor.fetchone()[0]
    with transaction.atomic():
        counter, _ = TrackingCounter.objects.get_or_create(node=node)
        TrackingCounter.objects.filter(node=node).update(value=F("value") + 1)
        counter.refresh_from_db(fields=["value"])
        return counter.value


def drawn_sequence(node: str) -> str | None:
    """The name of the node's number sequence when this process knows it exists (so a
    value can be drawn from it with the transaction's other keys: `rowsql.Batch`)."""
    if connection.vendor != "postgresql":
        return None
    name = sequence_name(node)
    return name if name in _known_sequences else None


def new_tracking_number(year: int, *, drawn: int | None = None) -> str:
    """The next tracking number of this node; `drawn` is a value already drawn from the
    node's sequence (`drawn_sequence`)."""
    node = settings.NODE_ID.upper()
    return format_number(node, year, drawn if drawn is not None else next_sequence(node))


def sequence_of(number: str) -> tuple[str, int] | None:
    """(node, sequence) of a canonical tracking number, or None."""
    match = _PATTERN.match(number.replace("-", ""))
    if not match:
        return None
    node, _, seq, _ = match.groups()
    return node, int(seq)


def advance_sequence(node: str, value: int) -> None:
    """Make sure the node's next number is above `value` (a report with this number came
    back from a peer after this node was restored from an older backup)."""
    if connection.vendor == "postgresql":
        name = sequence_name(node)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}"')
            cursor.execute(f'SELECT last_value, is_called FROM "{name}"')
            last, called = cursor.fetchone()
            if (last if called else last - 1) < value:
                cursor.execute("SELECT setval(%s, %s, true)", [name, value])
        return
    with transaction.atomic():
        TrackingCounter.objects.get_or_create(node=node)
        TrackingCounter.objects.filter(node=node, value__lt=value).update(value=value)


def last_issued(node: str) -> int:
    """The last sequence number the node handed out (0 if none)."""
    if connection.vendor == "postgresql":
        name = sequence_name(node)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f'SELECT last_value, is_called FROM "{name}"')
                last, called = cursor.fetchone()
        except ProgrammingError:
            return 0
        return last if called else last - 1
    counter = TrackingCounter.objects.filter(node=node).values_list("value", flat=True).first()
    return counter or 0


def missing_numbers(node: str) -> list[str]:
    """The node's own tracking numbers, up to the last one it handed out, that no report
    holds: a report deleted from the database, or (rarely) a submission that failed after
    taking its number. Each run of missing numbers is one line."""
    node = node.upper()
    expected, runs = 1, []

    def missing(first: int, last: int) -> None:
        # The year in a number is only its prefix; the sequence runs on across years.
        text = f"{node} #{first}" if first == last else f"{node} #{first}-#{last}"
        runs.append(f"{text} ({last - first + 1})")

    numbers = (
        Report.objects.filter(tracking_number__startswith=f"{node}-")
        .order_by("tracking_number")
        .values_list("tracking_number", flat=True)
    )
    for number in numbers.iterator(chunk_size=5000):
        parsed = sequence_of(number)
        if parsed is None:
            continue
        seq = parsed[1]
        if seq > expected:
            missing(expected, seq - 1)
        expected = max(expected, seq + 1)
    last = last_issued(node)
    if last >= expected:
        missing(expected, last)
    return runs


def looks_like_number(raw: str) -> bool:
    """Whether the text has the shape of a tracking number (node code, year, sequence and
    check digit), whatever its check digit: a mistyped number, to be told so."""
    return bool(_PATTERN.match(_compact(raw)))
