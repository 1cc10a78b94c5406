"""Giving committed events their place in this node's outgoing stream.

Events are written by many transactions at once, and row ids are handed out before those
transactions commit, so "every event with an id above N" is not a safe cursor: an event
with a lower id may still be about to commit. Instead the sequencer, one step at a time
(under a lock on the single StreamState row), gives every committed event that has no
position yet the next positions, in id order. A reader that has seen position N can then
never later find an event below N, because positions are only ever handed out above the
last one given, and only to committed events.

The same step records which regional nodes hold the reports of those events."""

from django.db import connection, transaction

from aduan.reports.models import Report, ReportEvent

from .models import Holding, NodeRole, Peer, StreamState
from .relevance import Hosting


def _state_for_update() -> StreamState:
    state = StreamState.objects.select_for_update().filter(pk=1).first()
    if state is None:  # the node's first step
        StreamState.objects.get_or_create(pk=1)
        state = StreamState.objects.select_for_update().get(pk=1)
    return state


def sequence(limit: int = 5000) -> int:
    """Give up to `limit` unsequenced events their stream positions; return how many."""
    if not connection.in_atomic_block and not _waiting():
        # The common idle round: one indexed look, no lock taken, no transaction. An
        # event committed just after it is numbered by the next round.
        return 0
    with transaction.atomic():
        state = _state_for_update()
        rows = list(
            ReportEvent.objects.filter(position__isnull=True)
            .order_by("id")
            .values_list("id", "report_id")[:limit]
        )
        if not rows:
            return 0
        start = state.last_position
        top = rows[-1][0]
        table = ReportEvent._meta.db_table
        with connection.cursor() as cursor:
            # One statement for the whole step (PostgreSQL and SQLite >= 3.33).
            cursor.execute(
                f"""
                UPDATE {table} SET position = numbered.p
                FROM (
                    SELECT id, %s + ROW_NUMBER() OVER (ORDER BY id) AS p
                    FROM {table} WHERE position IS NULL AND id <= %s
                ) AS numbered
                WHERE {table}.id = numbered.id
                """,
                [start, top],
            )
            given = cursor.rowcount
        state.last_position = start + given
        state.save(update_fields=["last_position"])
        _record_holdings({report_id for _, report_id in rows})
        return given


def _waiting() -> bool:
    return ReportEvent.objects.filter(position__isnull=True).exists()


def _record_holdings(report_ids: set[int]) -> None:
    regional = set(
        Peer.objects.filter(role=NodeRole.REGIONAL, is_active=True).values_list(
            "node_id", flat=True
        )
    )
    if not regional or not report_ids:
        return
    hosting = Hosting.load()
    holdings = []
    for row in Report.objects.filter(pk__in=report_ids).values(
        "pk", "owner_node", "origin_node", "agency_id", "unit_id", "region_id"
    ):
        for node in hosting.nodes_for(row) & regional:
            holdings.append(Holding(report_id=row["pk"], node=node))
    Holding.objects.bulk_create(holdings, ignore_conflicts=True)


def head_position() -> int:
    state = StreamState.objects.filter(pk=1).values_list("last_position", flat=True).first()
    return state or 0


def skip_past(position: int) -> None:
    """After a restore from backup: never hand out a position a peer has already seen."""
    with transaction.atomic():
        state = _state_for_update()
        if state.last_position < position:
            state.last_position = position
            state.save(update_fields=["last_position"])
