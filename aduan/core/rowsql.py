"""Rows written and read with statements built once per process, for the paths that do
so on every request (intake), without the ORM's statement compilation.

`Model.save()` and `bulk_create()` build their INSERT anew on every call: a query object,
a compiler, every field's SQL, then psycopg quoting every value into the SQL text. For a
report submission that was about a third of the web process's CPU (docs/PERFORMANCE.md,
"Intake"). `insert_new` builds each model's statement once per process and row count, and
on PostgreSQL sends the values apart from the text (server-side binding), so psycopg
prepares the statement on the connection after a few uses (`prepare_threshold`, never
behind PgBouncer: see settings) and the server neither parses nor plans it again.

What a row holds is what `save()` would write: every concrete field's `pre_save` (the
clock's `auto_now_add`, a model's defaults) and `get_db_prep_save` (encryption, JSON, UUID),
foreign keys taken from related objects saved since they were assigned, and the primary key
read back, with the `pre_save` and `post_save` signals sent as `save()` sends them. It
calls no overridden `save()`: callers use it only for models whose `save()` adds nothing
they do not do themselves (`Reporter.set_lookups` is called by the caller). Queries are
logged as usual (`CaptureQueriesContext`, DEBUG)."""

import contextlib
import datetime as dt
import functools
import threading
import time
import uuid
from collections.abc import Iterator, Sequence

from django.db import connections, models, router
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import NOT_PROVIDED, Model
from django.db.models.signals import post_save, pre_save
from psycopg import _queries

# psycopg remembers how it split a statement's placeholders only for statements of at most
# 50 parameters (longer ones are usually an ORM's one-off bulk INSERTs); a report's row has
# 55, and its statement is the same on every submission.
_queries.MAX_CACHED_STATEMENT_PARAMS = max(getattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", 0), 64)

# Fields whose value goes to the database as it is when it has one of the types given:
# their pre_save reads the attribute and their get_db_prep_save returns such a value
# unchanged. Exact classes only: a subclass (an encrypted field, the clock's timestamps)
# prepares its own values.
_PLAIN = (str, int, bool, type(None))
_PLAIN_FIELDS = {
    models.CharField: _PLAIN,
    models.TextField: _PLAIN,
    models.SlugField: _PLAIN,
    models.BooleanField: _PLAIN,
    models.IntegerField: _PLAIN,
    models.BigIntegerField: _PLAIN,
    models.SmallIntegerField: _PLAIN,
    models.PositiveIntegerField: _PLAIN,
    models.PositiveSmallIntegerField: _PLAIN,
    models.PositiveBigIntegerField: _PLAIN,
    models.AutoField: _PLAIN,
    models.BigAutoField: _PLAIN,
}
# On PostgreSQL psycopg adapts these itself (Django passes them through unchanged there;
# on SQLite it turns them into text). A naive datetime is left to Django, which warns.
_POSTGRESQL_FIELDS = {
    models.UUIDField: (uuid.UUID, type(None)),
    models.DateField: (dt.date, type(None)),
    models.DateTimeField: (type(None),),
}


def _plain_types(field, vendor: str) -> tuple | None:
    """The value types `field` passes through unchanged, or None."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return None  # its pre_save sets the value
    kind = type(field)
    if kind is models.ForeignKey:
        # Its value is the related row's key.
        return _plain_types(field.target_field, vendor)
    if kind in _PLAIN_FIELDS:
        return _PLAIN_FIELDS[kind]
    if vendor == "postgresql" and kind in _POSTGRESQL_FIELDS:
        return _POSTGRESQL_FIELDS[kind]
    return None


@functools.lru_cache(maxsize=256)
def _statement(model: type[Model], vendor: str, rows: int, with_pk: bool) -> tuple[str, tuple]:
    """The statement, and per column: the field, its attribute, the value types it passes
    through unchanged (`_plain_types`) and whether an aware datetime does too."""
    meta = model._meta
    quote = connections["default"].ops.quote_name
    fields = tuple(
        f
        for f in meta.local_concrete_fields
        if not getattr(f, "generated", False) and (with_pk or f is not meta.auto_field)
    )
    for field in fields:
        if field.db_default is not NOT_PROVIDED:
            raise ValueError(f"{model.__name__}.{field.name}: insert_new cannot send db_default")
    columns = ", ".join(quote(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([one] * rows)}"
    if not with_pk:
        sql += f" RETURNING {quote(meta.pk.column)}"
    plan = tuple(
        (
            f,
            f.attname,
            _plain_types(f, vendor) or (),
            # An aware datetime passes unchanged into a timestamp column on PostgreSQL.
            vendor == "postgresql"
            and type(f) is models.DateTimeField
            and _plain_types(f, vendor) is not None,
        )
        for f in fields
    )
    return sql, plan


def _cursor(connection):
    """A cursor of Django's (logged, errors wrapped) that binds on the server on
    PostgreSQL with psycopg 3, where Django's own binds on the client."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import is_psycopg3

    if not is_psycopg3:  # pragma: no cover - psycopg 3 is pinned
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = ServerBindingCursor(connection.connection)
    if connection.queries_logged:
        return _LoggedCursor(cursor, connection)
    return connection.make_cursor(cursor)


class _LoggedCursor(CursorDebugWrapper):
    """Logs the statement with its values in (Django asks a client-binding cursor for
    the text it sent, which a server-binding one does not have)."""

    def execute(self, sql, params=None):
        try:
            text = self.db.ops.compose_sql(sql, params)
        except Exception:  # logging must not fail the insert
            text = sql
        with self.debug_sql(text):
            return CursorWrapper.execute(self, sql, params)  # with the execute wrappers


def insert_new(objs: Sequence[Model], *, using: str = "default") -> None:
    """INSERT `objs` (unsaved instances of one model) in one statement; sets their primary
    keys and marks them saved. Either all primary keys are set beforehand or none (an
    auto-increment key, read back, or taken from the keys a `Batch` reserved).

    Inside `Batch.deferring()` a statement that returns nothing (every key known) is held
    and sent with the batch's others."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[using]
    batch = _active_batch(connection)
    if batch is not None and objs[0].pk is None:
        batch.assign_keys(model, objs)
    with_pk = objs[0].pk is not None
    sql, plan = _statement(model, connection.vendor, len(objs), with_pk)
    aware = dt.datetime
    values = []
    for obj in objs:
        if type(obj) is not model or (obj.pk is not None) != with_pk:
            raise ValueError("insert_new: one model, and primary keys all set or all unset")
        obj._prepare_related_fields_for_save(operation_name="insert_new")
        pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
        for field, attname, plain, timestamp in plan:
            if plain:
                value = getattr(obj, attname)
                kind = type(value)
                if kind in plain or (timestamp and kind is aware and value.tzinfo is not None):
                    values.append(value)
                    continue
            values.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
    if with_pk and batch is not None:
        batch.pending.append((sql, values))
        rows = None
    else:
        with _cursor(connection) as cursor:
            cursor.execute(sql, values)
            rows = None if with_pk else cursor.fetchall()
    for i, obj in enumerate(objs):
        if rows is not None:
            obj.pk = rows[i][0]
        obj._state.adding = False
        obj._state.db = using
        post_save.send(
            sender=model, instance=obj, created=True, raw=False, using=using, update_fields=None
        )


@functools.lru_cache(maxsize=64)
def _select_by_key(model: type[Model]) -> tuple[str, list[str]]:
    meta = model._meta
    for field in meta.concrete_fields:
        # Only fields whose column reads back as their value on every database (no
        # converter: not a boolean, which SQLite keeps as 0/1, nor JSON, dates, encryption).
        if _plain_types(field, "") is None or type(field) is models.BooleanField:
            raise ValueError(f"{model.__name__}.{field.name}: by_key reads plain columns only")
    quote = connections["default"].ops.quote_name
    names = [f.attname for f in meta.concrete_fields]
    columns = ", ".join(quote(f.column) for f in meta.concrete_fields)
    sql = f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = %s"
    return sql, names


def by_key(model: type[Model], key) -> Model | None:
    """The row of `model` with primary key `key` (a plain value: str or int), or None;
    `objects.filter(pk=key).first()` without building the query, from the database the
    routers choose for reading."""
    sql, names = _select_by_key(model)
    using = router.db_for_read(model)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    return model.from_db(using, names, row) if row is not None else None


# ------------------------------------------------------------------ batched writes
#
# A transaction that writes several rows, each depending on the one before (the reporter,
# the report with the reporter's key, its events and notifications with the report's key,
# the delivery job with the notifications' keys), costs a round trip to the database per
# statement when every key is read back with RETURNING: the client sends, waits, reads,
# and PostgreSQL answers each one on its own. A `Batch` takes that wait out on PostgreSQL:
#
# 1. `Batch.reserve` draws, in one statement before the transaction, the keys the rows will
#    need from their tables' own sequences (and any other sequence asked for, such as the
#    tracking numbers'). Drawing from a sequence is what an INSERT does anyway; a key drawn
#    and not used is a gap, as a rolled-back INSERT leaves one.
# 2. Inside `deferring()`, `insert_new` gives each row a reserved key and holds its INSERT
#    (which now returns nothing) instead of sending it; `execute_later` holds any other
#    statement whose result nobody reads.
# 3. The held statements go to the server together, in psycopg's pipeline mode: the
#    transaction's BEGIN and every INSERT in one network round trip. They are sent when
#    the block ends, and before any other statement on the connection (a read, a savepoint,
#    an INSERT that must return its key), so every statement sees the rows written before
#    it, in order, as if each had been sent at once. An error (a constraint) is raised from
#    that point, as the database's error Django would raise, and the caller's transaction
#    rolls back as usual.
#
# Elsewhere (SQLite, no reservation) a Batch does nothing and the statements run at once.

_batches = threading.local()


def _active_batch(connection) -> "Batch | None":
    batch = getattr(_batches, "current", None)
    return batch if batch is not None and batch.connection is connection else None


@functools.lru_cache(maxsize=64)
def _key_sequence(model: type[Model], using: str) -> str | None:
    """The sequence that feeds `model`'s auto-incrementing key on PostgreSQL (a name safe
    to put between quotes), or None."""
    meta = model._meta
    if meta.auto_field is None or meta.pk is not meta.auto_field:
        return None
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
        row = cursor.fetchone()
    name = row[0] if row else None
    return name if name and "'" not in name else None


@functools.lru_cache(maxsize=64)
def _draw_statement(names: tuple[str, ...]) -> str:
    return "SELECT " + ", ".join(f"nextval('{name}')" for name in names)


class Batch:
    """Keys reserved for one transaction's rows and the statements held until they are
    sent together (see above). Create with `Batch.reserve`."""

    def __init__(self, connection, keys: dict, values: dict[str, int]):
        self.connection = connection
        self._keys = keys
        self._values = values
        self.pending: list[tuple[str, list]] = []

    @classmethod
    def reserve(
        cls,
        rows: dict[type[Model], int],
        *,
        sequences: Sequence[str] = (),
        using: str = "default",
    ) -> "Batch | None":
        """Draw `rows[model]` keys for each model and one value of each named sequence
        (names of existing sequences), in one statement; None where batching does not
        apply (not PostgreSQL, or already inside a transaction's batch)."""
        connection = connections[using]
        if connection.vendor != "postgresql" or getattr(_batches, "current", None):
            return None
        plan: list[tuple[object, str]] = []
        for model, count in rows.items():
            name = _key_sequence(model, using)
            if name is not None:
                plan.extend((model, name) for _ in range(count))
        plan.extend((sequence, sequence) for sequence in sequences)
        if not plan:
            return None
        with _cursor(connection) as cursor:
            cursor.execute(_draw_statement(tuple(name for _, name in plan)))
            drawn = cursor.fetchone()
        keys: dict = {}
        values: dict[str, int] = {}
        for (what, _), value in zip(plan, drawn, strict=True):
            if isinstance(what, str):
                values[what] = value
            else:
                keys.setdefault(what, []).append(value)
        return cls(connection, keys, values)

    def sequence_value(self, name: str) -> int | None:
        """The value drawn from sequence `name` (once), or None."""
        return self._values.pop(name, None)

    def assign_keys(self, model: type[Model], objs: Sequence[Model]) -> None:
        """Give `objs` reserved keys if there are enough for all of them."""
        keys = self._keys.get(model)
        if keys and len(keys) >= len(objs):
            for obj in objs:
                obj.pk = keys.pop(0)

    @contextlib.contextmanager
    def deferring(self) -> Iterator["Batch"]:
        """Hold `insert_new`'s and `execute_later`'s statements in this block and send
        them together: when it ends, or before the first other statement on the
        connection. Use inside the transaction they belong to."""
        if getattr(_batches, "current", None) is not None:
            raise RuntimeError("a batch is already deferring statements in this thread")

        def send_held_first(execute, sql, params, many, context):
            self.flush()
            return execute(sql, params, many, context)

        _batches.current = self
        try:
            with self.connection.execute_wrapper(send_held_first):
                yield self
                self.flush()
        finally:
            _batches.current = None
            self.pending = []

    def flush(self) -> None:
        """Send the held statements, in order, in one round trip."""
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        connection = self.connection
        from django.db.backends.postgresql.base import ServerBindingCursor

        started = time.monotonic()
        with connection.wrap_database_errors:
            raw = connection.connection
            with raw.pipeline(), ServerBindingCursor(raw) as cursor:
                for sql, params in pending:
                    cursor.execute(sql, params)
        if connection.queries_logged:
            each = (time.monotonic() - started) / len(pending)
            for sql, params in pending:
                try:
                    text = connection.ops.compose_sql(sql, params)
                except Exception:  # logging must not fail the write
                    text = sql
                connection.queries_log.append({"sql": text, "time": f"{each:.3f}"})


def execute_later(sql: str, params: Sequence, *, using: str = "default") -> None:
    """Execute a statement whose result nobody reads: held by the batch deferring on this
    connection, if one is, else at once."""
    connection = connections[using]
    batch = _active_batch(connection)
    if batch is not None:
        batch.pending.append((sql, list(params)))
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
