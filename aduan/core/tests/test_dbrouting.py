"""The replica router's rules, without a replica (docs/REPLICAS.md). The same rules against
a real streaming replica and PgBouncer: harness/test_replicas.py (PostgreSQL run)."""

import json
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import RequestFactory

from aduan.accounts.models import User
from aduan.core import dbrouting
from aduan.core.streaming import chunks
from aduan.reports.models import Report


@pytest.fixture
def routing(settings, monkeypatch):
    """One replica, healthy unless a test says otherwise, and no transaction open."""
    settings.REPLICA_MAX_LAG_SECONDS = 5.0
    settings.READ_YOUR_WRITES_SECONDS = 300.0  # no timing hazard on a loaded machine
    monkeypatch.setattr(dbrouting, "replica_aliases", lambda: ["replica1"])
    monkeypatch.setattr(dbrouting, "choose_replica", lambda: "replica1")
    monkeypatch.setattr(
        dbrouting, "connections", {"default": SimpleNamespace(in_atomic_block=False)}
    )
    cache.clear()
    yield
    dbrouting._current.set(None)


def request_for(path, method="get", **extra):
    from django.urls import resolve

    request = getattr(RequestFactory(), method)(path, **extra)
    request.resolver_match = resolve(path)
    return request


def run(request, view=None):
    """The middleware around a view; returns (response, the alias the view read from)."""
    seen = {}

    def view_func(request):
        seen["alias"] = dbrouting.current_read_alias()
        return HttpResponse("ok")

    view = view or view_func
    middleware = dbrouting.ReplicaReadMiddleware(
        lambda request: middleware.process_view(request, view, (), {}) or view(request)
    )
    response = middleware(request)
    return response, seen.get("alias")


def test_only_listed_read_only_pages_asked_with_get_read_the_replica(routing):
    assert run(request_for("/laporan/"))[1] == "replica1"
    assert run(request_for("/statistik/"))[1] == "replica1"
    assert run(request_for("/open311/v2/requests.json"))[1] == "replica1"
    assert run(request_for("/api/v1/reports"))[1] == "replica1"
    # Not listed: forms, tracking, the staff workspace.
    assert run(request_for("/lacak/"))[1] is None
    assert run(request_for("/petugas/"))[1] is None
    # A listed address asked to change something.
    assert run(request_for("/api/v1/reports", "post"))[1] is None


def test_the_router_keeps_sessions_accounts_and_open_transactions_on_the_primary(routing):
    router = dbrouting.ReplicaRouter()
    dbrouting._current.set(dbrouting._Request(read_alias="replica1"))
    assert router.db_for_read(Report) == "replica1"
    assert router.db_for_read(Session) == "default"
    assert router.db_for_read(User) == "default"
    dbrouting.connections["default"].in_atomic_block = True
    assert router.db_for_read(Report) == "default"
    dbrouting.connections["default"].in_atomic_block = False
    # Writes go to the primary; a real write pins the rest of the request there too.
    assert router.db_for_write(Session) == "default"
    assert router.db_for_read(Report) == "replica1"
    assert router.db_for_write(Report) == "default"
    assert router.db_for_read(Report) == "default"
    # Outside a request (the worker, commands) everything is on the primary.
    dbrouting._current.set(None)
    assert router.db_for_read(Report) == "default"
    assert router.allow_migrate("replica1", "reports") is False
    assert router.allow_migrate("default", "reports") is True


def test_a_write_pins_the_person_to_the_primary_by_cookie_and_by_address(routing):
    response, _ = run(request_for("/lapor/", "post", REMOTE_ADDR="10.1.1.1"))
    cookie = response.cookies[dbrouting.PIN_COOKIE]
    assert cookie["max-age"] == 301 and cookie["httponly"]
    # The same browser from elsewhere: the cookie pins it.
    request = request_for("/laporan/", REMOTE_ADDR="10.9.9.9")
    request.COOKIES[dbrouting.PIN_COOKIE] = cookie.value
    assert run(request)[1] is None
    # A program that keeps no cookies, from the same address: pinned by the address.
    assert run(request_for("/laporan/", REMOTE_ADDR="10.1.1.1"))[1] is None
    # Someone else reads the replica; a CORS preflight pins nobody.
    assert run(request_for("/laporan/", REMOTE_ADDR="10.2.2.2"))[1] == "replica1"
    response, _ = run(request_for("/api/v1/reports", "options", REMOTE_ADDR="10.2.2.2"))
    assert dbrouting.PIN_COOKIE not in response.cookies
    assert run(request_for("/laporan/", REMOTE_ADDR="10.2.2.2"))[1] == "replica1"


def test_a_forged_or_overlong_pin_is_ignored(routing):
    from django.core import signing

    for value in [
        "9999999999",  # unsigned
        signing.get_cookie_signer(salt=dbrouting.PIN_COOKIE + dbrouting.PIN_SALT).sign(
            f"{time.time() + 3600:.3f}"
        ),  # signed, but further ahead than READ_YOUR_WRITES_SECONDS allows
    ]:
        request = request_for("/laporan/", REMOTE_ADDR="10.3.3.3")
        request.COOKIES[dbrouting.PIN_COOKIE] = value
        assert run(request)[1] == "replica1"


def test_a_pin_ends_after_read_your_writes_seconds(routing, settings, monkeypatch):
    run(request_for("/lapor/", "post", REMOTE_ADDR="10.4.4.4"))
    assert run(request_for("/laporan/", REMOTE_ADDR="10.4.4.4"))[1] is None
    later = time.time() + settings.READ_YOUR_WRITES_SECONDS + 1
    monkeypatch.setattr(dbrouting.time, "time", lambda: later)
    assert run(request_for("/laporan/", REMOTE_ADDR="10.4.4.4"))[1] == "replica1"


def test_a_get_that_writes_pins_but_bookkeeping_does_not(routing):
    router = dbrouting.ReplicaRouter()

    def bookkeeping(request):
        router.db_for_write(Session)
        return HttpResponse("ok")

    def writes(request):
        router.db_for_write(Report)
        return HttpResponse("ok")

    response, _ = run(request_for("/laporan/"), bookkeeping)
    assert dbrouting.PIN_COOKIE not in response.cookies
    response, _ = run(request_for("/laporan/"), writes)
    assert dbrouting.PIN_COOKIE in response.cookies


def test_a_replica_failing_during_a_request_is_answered_from_the_primary(routing, monkeypatch):
    downs = []
    monkeypatch.setattr(dbrouting, "_failed_on", lambda alias: True)
    monkeypatch.setattr(dbrouting, "mark_down", downs.append)
    reads = []

    def view(request):
        reads.append(dbrouting.current_read_alias())
        if dbrouting.current_read_alias():
            raise OperationalError("server closed the connection unexpectedly")
        return HttpResponse("from the primary")

    request = request_for("/laporan/")
    middleware = dbrouting.ReplicaReadMiddleware(lambda request: HttpResponse())
    dbrouting._current.set(dbrouting._Request())
    middleware.process_view(request, view, (), {})
    with pytest.raises(OperationalError) as raised:
        view(request)
    response = middleware.process_exception(request, raised.value)
    assert response.content == b"from the primary"
    assert reads == ["replica1", None] and downs == ["replica1"]
    # Any other error is left to Django (a real bug is not hidden by a retry).
    dbrouting._current.set(dbrouting._Request(read_alias="replica1"))
    assert middleware.process_exception(request, ValueError("bug")) is None


def test_staleness_adds_the_age_of_the_measurement_and_remeasures(settings, monkeypatch):
    settings.REPLICA_CHECK_SECONDS = 2.0
    settings.REPLICA_RETRY_SECONDS = 10.0
    clock = [1000.0]
    measured = []

    def measure(alias, health):
        measured.append(clock[0])
        return 0.5

    monkeypatch.setattr(dbrouting.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(dbrouting, "_measure", measure)
    dbrouting.reset_health()
    assert dbrouting.staleness("replica1") == 0.5
    clock[0] += 1.5  # not measured again, and could have stopped replaying since
    assert dbrouting.staleness("replica1") == 2.0
    clock[0] += 1.0
    assert dbrouting.staleness("replica1") == 0.5 and len(measured) == 2
    # Down: not tried again before REPLICA_RETRY_SECONDS.
    monkeypatch.setattr(dbrouting, "_measure", lambda alias, health: measured.append(0))
    with dbrouting._health_lock:
        dbrouting._health["replica1"].lag = None
        dbrouting._health["replica1"].checked = clock[0]
    clock[0] += 5
    assert dbrouting.staleness("replica1") is None and len(measured) == 2
    clock[0] += 6
    assert dbrouting.staleness("replica1") is None and len(measured) == 3
    dbrouting.reset_health()


def test_wal_positions_compare_as_numbers():
    assert dbrouting._lsn("0/16B3748") == 0x16B3748
    assert dbrouting._lsn("1/0") > dbrouting._lsn("0/FFFFFFFF")
    assert dbrouting._lsn(None) is None


def test_settings_make_replica_aliases_and_pgbouncer_options():
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps([s.DATABASES['replica1']['PORT'], s.DATABASES['replica2']['TEST'],"
        " s.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS'],"
        " s.DATABASES['replica1']['OPTIONS']['prepare_threshold'],"
        " s.DATABASES['default']['CONN_MAX_AGE'], s.READ_YOUR_WRITES_SECONDS,"
        " s.DATABASE_ROUTERS, s.MIDDLEWARE[-1]]))"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "aduan.settings",
        "DATABASE_URL": "postgres://u:p@db:5432/aduan",
        "DATABASE_REPLICA_URLS": "postgres://u:p@r1:5433/aduan, postgres://u:p@r2:5432/aduan",
        "DATABASE_POOLER": "pgbouncer",
        "REPLICA_MAX_LAG_SECONDS": "20",
        "READ_YOUR_WRITES_SECONDS": "5",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    port, test, no_cursors, prepare, max_age, ryw, routers, last = json.loads(out)
    assert port == 5433 and test["MIRROR"] == "default"
    assert no_cursors is True and prepare is None and max_age == 0
    assert ryw == 20.0  # never shorter than the lag a replica may have
    assert routers == ["aduan.core.dbrouting.ReplicaRouter"]
    assert last == "aduan.core.dbrouting.ReplicaReadMiddleware"


@pytest.mark.django_db
def test_chunks_reads_through_a_cursor_even_with_server_side_cursors_disabled(world, monkeypatch):
    for n in range(5):
        world.submit(title=f"Laporan nomor {n}")
    expected = list(Report.objects.order_by("pk").values_list("pk", flat=True))
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    rows = chunks(Report.objects.order_by("pk").values_list("pk", flat=True), 2)
    got = [next(rows)]
    if connection.vendor == "postgresql":
        # Behind PgBouncer: a named cursor, inside a transaction of its own.
        with connection.cursor() as cursor:
            cursor.execute("SELECT is_holdable FROM pg_cursors WHERE name LIKE '_django_curs_%%'")
            assert cursor.fetchall() == [(False,)]
    got.extend(rows)
    assert got == expected
