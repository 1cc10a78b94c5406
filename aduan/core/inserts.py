"""New rows for the paths that insert on every request (intake), without the ORM's
statement compilation.

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

import functools
from collections.abc import Sequence

from django.db import connections
from django.db.models import NOT_PROVIDED, Model
from django.db.models.signals import post_save, pre_save


@functools.lru_cache(maxsize=256)
def _statement(model: type[Model], vendor: str, rows: int, with_pk: bool) -> tuple[str, tuple]:
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
    return sql, fields


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
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


def insert_new(objs: Sequence[Model], *, using: str = "default") -> None:
    """INSERT `objs` (unsaved instances of one model) in one statement; sets their primary
    keys and marks them saved. Either all primary keys are set beforehand or none (an
    auto-increment key, read back)."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[using]
    with_pk = objs[0].pk is not None
    sql, fields = _statement(model, connection.vendor, len(objs), with_pk)
    values = []
    for obj in objs:
        if type(obj) is not model or (obj.pk is not None) != with_pk:
            raise ValueError("insert_new: one model, and primary keys all set or all unset")
        obj._prepare_related_fields_for_save(operation_name="insert_new")
        pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
        values.extend(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
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
