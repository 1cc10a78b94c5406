"""Inserting a batch's new rows (reports, events, reporters) with little Python work.

`QuerySet.bulk_create` prepares every value of every row through the field's generic
pipeline (pre_save, get_db_prep_save, get_db_prep_value, get_prep_value ...) and then
psycopg quotes each column's array into the statement's text: for a batch of 60 new
reports that was most of central's CPU for the whole apply. On PostgreSQL, `insert` gives
the rows to the database as one JSON document instead (`json_populate_recordset` over the
table's own row type), each value converted by a plain function chosen once per field, so
the database parses the values as it would parse any literal of the column's type. The
rows, the transaction and the constraints are the same as with `bulk_create` (a
conflicting row raises IntegrityError just the same); the new ids are set on the objects.
Other databases use `bulk_create`."""

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Callable

from django.db import connection, models

# Fields whose database value is their Python value, as JSON can carry it (converted
# below for dates, uuids and decimals). Any other field class (an encrypted one, say)
# goes through its own get_db_prep_save.
PLAIN = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,  # and its small, big and positive kinds
    models.UUIDField,
    models.DateTimeField,
    models.DateField,
    models.DecimalField,
    models.JSONField,
    models.ForeignKey,  # and OneToOneField
)


def _json_value(value):
    if isinstance(value, dt.date | dt.datetime | dt.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    return value


def _converter(field: models.Field) -> Callable:
    """A function (obj -> the column's value as JSON) for `field`."""
    attname = field.attname
    own_prep = (
        type(field).__module__.split(".")[0] != "django"
        and not isinstance(field, models.DateTimeField)  # ClockDateTimeField: only pre_save
    ) or not isinstance(field, PLAIN)
    if own_prep:
        return lambda obj: _json_value(
            field.get_db_prep_save(field.pre_save(obj, True), connection)
        )
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: _json_value(field.pre_save(obj, True))
    if isinstance(field, models.JSONField):
        if field.encoder is not None:
            encoder = field.encoder
            return lambda obj: json.loads(json.dumps(getattr(obj, attname), cls=encoder))
        return lambda obj: getattr(obj, attname)
    if isinstance(field, models.CharField | models.TextField | models.BooleanField):
        return lambda obj: getattr(obj, attname)
    if isinstance(field, models.IntegerField | models.ForeignKey) and not isinstance(
        field.target_field if field.is_relation else field, models.UUIDField
    ):
        return lambda obj: getattr(obj, attname)
    return lambda obj: _json_value(getattr(obj, attname))


_plans: dict[type, tuple[list[str], list[Callable]]] = {}


def _plan(model: type[models.Model]) -> tuple[list[str], list[Callable]]:
    plan = _plans.get(model)
    if plan is None:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        plan = _plans[model] = ([f.column for f in fields], [_converter(f) for f in fields])
    return plan


def insert(model: type[models.Model], objs: list, batch_size: int = 1000) -> None:
    """Insert `objs` (new rows of `model`, whose primary key is an auto id) and set their
    ids, as `model.objects.bulk_create(objs)` would."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=batch_size)
        return
    columns, converters = _plan(model)
    meta = model._meta
    table = connection.ops.quote_name(meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    pk = connection.ops.quote_name(meta.pk.column)
    sql = (
        f"INSERT INTO {table} ({names}) SELECT {names} "  # noqa: S608 - model's own names
        f"FROM json_populate_recordset(NULL::{table}, %s) WITH ORDINALITY "
        f"ORDER BY ordinality RETURNING {pk}"
    )
    for start in range(0, len(objs), batch_size):
        chunk = objs[start : start + batch_size]
        rows = []
        for obj in chunk:
            # A related object saved after it was assigned: its id now (as bulk_create).
            obj._prepare_related_fields_for_save(operation_name="insert")
            rows.append(dict(zip(columns, [convert(obj) for convert in converters], strict=True)))
        with connection.cursor() as cursor:
            cursor.execute(sql, [json.dumps(rows, separators=(",", ":"))])
            ids = [row[0] for row in cursor.fetchall()]
        for obj, pk_value in zip(chunk, ids, strict=True):
            setattr(obj, meta.pk.attname, pk_value)
            obj._state.adding = False
            obj._state.db = connection.alias
