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

import datetime as dt
import functools
import uuid
from collections.abc import Sequence

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
    auto-increment key, read back)."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[using]
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
