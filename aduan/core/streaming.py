"""Reading a large query in chunks whatever sits between us and PostgreSQL.

`QuerySet.iterator()` reads through a server-side cursor, so memory stays flat. In
autocommit mode Django declares it WITH HOLD, which outlives the transaction: behind
PgBouncer in transaction mode the next chunk may be asked of another server connection,
where the cursor does not exist. DATABASE_POOLER=pgbouncer therefore sets
DISABLE_SERVER_SIDE_CURSORS, and `iterator()` then reads the whole result into memory.
`chunks()` keeps memory flat there too: it reads through an ordinary server-side cursor
inside a transaction of its own, which PgBouncer keeps on one server connection until the
last row is read (docs/REPLICAS.md: a streamed export holds one pooled connection while
it streams).
"""

from django.db import connections, transaction


def chunks(queryset, chunk_size: int):
    """Like `queryset.iterator(chunk_size=chunk_size)`, memory flat behind a pooler."""
    alias = queryset.db
    connection = connections[alias]
    if connection.vendor != "postgresql" or not connection.settings_dict.get(
        "DISABLE_SERVER_SIDE_CURSORS"
    ):
        yield from queryset.iterator(chunk_size=chunk_size)
        return
    with transaction.atomic(using=alias):
        # QuerySet._iterator(use_chunked_fetch, chunk_size): iterator() without the
        # setting's veto; inside the transaction Django declares the cursor WITHOUT HOLD.
        yield from queryset._iterator(True, chunk_size)
