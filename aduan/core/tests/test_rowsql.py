"""`insert_new` writes what `save()` writes, `by_key` reads what a queryset reads, and the
job queue's backend writes what the library's writes (the intake goes through them;
docs/PERFORMANCE.md, "Intake")."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from aduan.accounts.models import Reporter, User
from aduan.core.rowsql import Batch, by_key, execute_later, insert_new
from aduan.core.tasks_backend import QueueBackend
from aduan.notifications.models import Notification
from aduan.notifications.tasks import deliver_notifications
from aduan.reports.actions import ReporterDetails, submit_report

WHEN = dt.datetime(2027, 3, 9, 2, 0, tzinfo=dt.UTC)


def row(model, pk, leave_out=("id", "uuid")):
    values = model.objects.filter(pk=pk).values().get()
    return {k: v for k, v in values.items() if k not in leave_out}


def reporter(**extra):
    person = Reporter(
        name="Siti Rahayu",
        nik="6408010101900001",
        phone="+6281234567890",
        email="siti@example.id",
        contact_verified_at=WHEN,
        **extra,
    )
    person.set_lookups()
    return person


@pytest.mark.django_db
def test_a_reporter_written_by_insert_new_equals_one_saved():
    saved, inserted = reporter(), reporter()
    saved.save()
    insert_new([inserted])
    assert inserted.pk is not None and inserted.pk != saved.pk
    assert not inserted._state.adding and inserted._state.db == "default"
    assert row(Reporter, inserted.pk, ("id", "uuid", "created_at")) == row(
        Reporter, saved.pk, ("id", "uuid", "created_at")
    )
    # Encrypted at rest like a saved one: the stored text is not the phone number.
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, email FROM accounts_reporter WHERE id = %s", [inserted.pk])
        phone, email = cursor.fetchone()
    assert "81234567890" not in phone and "siti" not in email
    assert Reporter.objects.get(pk=inserted.pk).phone == "+6281234567890"


@pytest.mark.django_db
def test_several_rows_in_one_statement_each_get_its_own_key_in_order(world):
    report = submit_report(
        {
            "report_type": "complaint",
            "title": "Jalan rusak di Sangatta",
            "body": "Lubang besar di jalan poros sejak dua minggu.",
            "region": "64.08.04.1001",
            "category": "limbah",
        },
        actor=None,
        reporter=ReporterDetails(name="Budi", email="budi@example.id"),
    ).report
    rows = [
        Notification(report=report, audience="reporter", channel="email", address=f"{n}@x.id")
        for n in ("satu", "dua", "tiga")
    ]
    with CaptureQueriesContext(connection) as queries:
        insert_new(rows)
    assert len(queries) == 1
    assert [Notification.objects.get(pk=n.pk).address for n in rows] == [
        "satu@x.id",
        "dua@x.id",
        "tiga@x.id",
    ]


@pytest.mark.django_db
def test_a_foreign_key_takes_the_related_row_saved_after_it_was_assigned():
    officer = User(username="petugas.baru", email="petugas@example.id")
    notification = Notification(recipient_user=officer, audience="unit", channel="email")
    # Not saved yet: refused as save() refuses it, nothing written.
    with pytest.raises(ValueError):
        insert_new([notification])
    assert Notification.objects.count() == 0
    officer.save()
    insert_new([notification])
    assert Notification.objects.get(pk=notification.pk).recipient_user_id == officer.pk


@pytest.mark.django_db
def test_signals_are_sent_as_save_sends_them_and_mixed_keys_are_refused():
    seen = []

    def before(sender, instance, **kwargs):
        seen.append(("pre", instance.pk))

    def after(sender, instance, created, **kwargs):
        seen.append(("post", instance.pk, created))

    pre_save.connect(before, sender=Reporter, dispatch_uid="test-inserts-pre")
    post_save.connect(after, sender=Reporter, dispatch_uid="test-inserts-post")
    try:
        person = reporter()
        insert_new([person])
    finally:
        pre_save.disconnect(dispatch_uid="test-inserts-pre", sender=Reporter)
        post_save.disconnect(dispatch_uid="test-inserts-post", sender=Reporter)
    assert seen == [("pre", None), ("post", person.pk, True)]
    with pytest.raises(ValueError):
        insert_new([reporter(), Reporter(pk=person.pk + 100, name="x")])
    assert Reporter.objects.count() == 1


@pytest.mark.django_db
def test_the_queue_backend_writes_the_job_row_the_library_writes(settings):
    ours = QueueBackend("default", settings.TASKS["default"])
    theirs = DatabaseBackend("default", settings.TASKS["default"])
    a = ours.enqueue(deliver_notifications, ([1, 2],), {})
    b = theirs.enqueue(deliver_notifications, ([1, 2],), {})
    leave_out = ("id", "enqueued_at")
    assert row(DBTaskResult, a.id, leave_out) == row(DBTaskResult, b.id, leave_out)
    assert row(DBTaskResult, a.id, leave_out)["args_kwargs"] == {"args": [[1, 2]], "kwargs": {}}
    # auto_now_add was honoured, and the library's pre_save handler ran: no run_after
    # means "as soon as possible".
    assert DBTaskResult.objects.get(pk=a.id).enqueued_at is not None
    assert DBTaskResult.objects.get(pk=a.id).run_after.year == 9999
    assert DBTaskResult.objects.ready().filter(pk=a.id).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_statement_is_prepared_on_the_connection():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's; covered by the PostgreSQL run")
    for _ in range(7):
        insert_new([reporter()])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements"
            " WHERE statement LIKE 'INSERT INTO \"accounts_reporter\"%%'"
        )
        assert cursor.fetchone()[0] == 1


@pytest.mark.django_db
def test_by_key_reads_the_row_the_queryset_reads_and_refuses_columns_that_need_converting(
    world,
):
    from aduan.regions.models import Region

    village = Region.objects.get(code="64.08.04.1001")
    read = by_key(Region, "64.08.04.1001")
    assert (read.code, read.name, read.level, read.parent_id, read.timezone) == (
        village.code,
        village.name,
        village.level,
        village.parent_id,
        village.timezone,
    )
    assert not read._state.adding and read.parent.code == "64.08.04"
    assert by_key(Region, "99.99.99.9999") is None
    with pytest.raises(ValueError):
        by_key(Reporter, 1)  # encrypted columns


@pytest.mark.django_db(transaction=True)
def test_rows_written_by_insert_new_go_with_the_transaction_they_were_written_in():
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        insert_new([reporter()])
        assert Reporter.objects.count() == 1
        raise RuntimeError("the submission failed after its first row")
    assert Reporter.objects.count() == 0
    with transaction.atomic():
        insert_new([reporter()])
    assert Reporter.objects.count() == 1


# ------------------------------------------------------------------ batched writes


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("batched writes are PostgreSQL's; covered by the PostgreSQL run")


@pytest.mark.django_db
def test_no_batch_is_made_where_it_does_not_apply_and_statements_then_run_at_once():
    from django.db import transaction

    if connection.vendor == "postgresql":
        # Not inside another batch: its statements would be held twice.
        outer = Batch.reserve({Reporter: 1})
        assert outer is not None
        with transaction.atomic(), outer.deferring():
            assert Batch.reserve({Reporter: 2}) is None
    else:
        # SQLite: one writer, no network round trip to save.
        assert Batch.reserve({Reporter: 2}) is None
    execute_later("INSERT INTO stats_statsdelta (rows) VALUES (%s)", ["[]"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM stats_statsdelta")
        assert cursor.fetchone()[0] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_batch_holds_its_rows_and_sends_them_before_any_other_statement():
    from django.db import transaction

    _postgresql_only()
    batch = Batch.reserve({Reporter: 2}, sequences=["report_tracking_pst_seq"])
    first, second = reporter(), reporter()
    with CaptureQueriesContext(connection) as queries:
        with transaction.atomic(), batch.deferring():
            insert_new([first])
            execute_later("INSERT INTO stats_statsdelta (rows) VALUES (%s)", ["[]"])
            # Held, with its reserved key already set...
            assert len(batch.pending) == 2 and first.pk is not None
            # ...and sent before a read on the same connection, which sees it.
            assert Reporter.objects.filter(pk=first.pk).count() == 1
            assert batch.pending == []
            insert_new([second])
            assert len(batch.pending) == 1
        assert batch.pending == []
    # Keys drawn from the table's own sequence, one after the other.
    assert second.pk == first.pk + 1
    assert sorted(Reporter.objects.values_list("pk", flat=True)) == [first.pk, second.pk]
    assert row(Reporter, second.pk, ("id", "uuid", "created_at")) == row(
        Reporter, first.pk, ("id", "uuid", "created_at")
    )
    # A sequence value drawn with the keys, handed out once.
    assert batch.sequence_value("report_tracking_pst_seq") >= 1
    assert batch.sequence_value("report_tracking_pst_seq") is None
    # The held statements are logged like any other, in the order they were made.
    inserts = [q["sql"] for q in queries if q["sql"].startswith("INSERT")]
    assert [s.split()[2] for s in inserts] == [
        '"accounts_reporter"',
        "stats_statsdelta",
        '"accounts_reporter"',
    ]
    # A row beyond the reserved keys reads its key back as before.
    extra = reporter()
    with transaction.atomic(), batch.deferring():
        insert_new([extra])
        assert batch.pending == []
    assert Reporter.objects.filter(pk=extra.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_held_row_that_fails_raises_djangos_error_and_nothing_is_written():
    from django.db import IntegrityError, transaction

    _postgresql_only()
    batch = Batch.reserve({Reporter: 2})
    first, twin = reporter(), reporter()
    twin.uuid = first.uuid  # unique: the second INSERT fails on the server
    with pytest.raises(IntegrityError), transaction.atomic(), batch.deferring():
        insert_new([first])
        insert_new([twin])
    assert Reporter.objects.count() == 0
    assert not connection.needs_rollback
    # The connection goes on working, batched or not.
    later = Batch.reserve({Reporter: 1})
    with transaction.atomic(), later.deferring():
        insert_new([reporter()])
    assert Reporter.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_submission_writes_its_rows_with_the_keys_it_drew_and_numbers_in_order(world, settings):
    _postgresql_only()
    settings.STATS_UPKEEP = "deferred"  # the statistics delta is one of the held rows
    from aduan.reports.models import ReportEvent
    from aduan.stats.models import StatsDelta

    def submit(title):
        return submit_report(
            {
                "report_type": "complaint",
                "title": title,
                "body": "Lubang besar di jalan poros sejak dua minggu.",
                "region": "64.08.04.1001",
                "category": "limbah",
            },
            actor=None,
            reporter=ReporterDetails(name="Budi", email="budi@example.id", phone="081234567890"),
        ).report

    first = submit("Jalan rusak di Sangatta")  # the node's sequence is known after this one
    second = submit("Jalan rusak di Bengalon")
    assert int(second.tracking_number.split("-")[2]) == int(first.tracking_number.split("-")[2]) + 1
    stored = second.__class__.objects.select_related("reporter").get(pk=second.pk)
    assert stored.tracking_number == second.tracking_number
    assert stored.reporter.email == "budi@example.id"
    event = ReportEvent.objects.get(report=second)
    assert event.seq == 1 and event.hash == stored.last_event_hash
    notes = Notification.objects.filter(report=second).order_by("pk")
    assert sorted(n.channel for n in notes) == ["email", "sms"]
    job = DBTaskResult.objects.get(args_kwargs__args=[[n.pk for n in notes]])
    assert DBTaskResult.objects.ready().filter(pk=job.pk).exists()
    assert StatsDelta.objects.count() == 2
