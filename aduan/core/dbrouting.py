"""Reads of read-only pages from PostgreSQL streaming replicas (docs/REPLICAS.md).

The rules, in order:

1. Only a GET or HEAD request for one of the views named in REPLICA_READ_VIEWS (the public
   list and map, statistics and open data, the dashboard's exports, Open311 and REST API
   reads) may read from a replica. Everything else - every write, every form, the staff
   workspace, the worker, management commands - reads and writes the primary ("default").
2. Read-your-writes: a request that writes (an unsafe method, or any write the router sees
   to a model that is not bookkeeping) pins its person to the primary for
   READ_YOUR_WRITES_SECONDS, with a signed cookie and, for clients that keep no cookies
   (API and Open311 programs), an entry under their address in the default cache.
3. A replica is used only while it is known to be at most REPLICA_MAX_LAG_SECONDS behind:
   its lag is measured (at most every REPLICA_CHECK_SECONDS per process) and the time
   since the measurement is added to it, so a replica that stopped replaying right after
   the check is never trusted further than the bound. A replica that cannot be reached is
   down for REPLICA_RETRY_SECONDS; a request whose replica fails part-way is answered
   again from the primary. A replica problem is never a 500.
4. Within one request every read goes to one database: once a transaction is open on the
   primary (atomic blocks, select_for_update), reads go there too; sessions, accounts, the
   database cache and the API's keys and rate counters are always read on the primary.

The lag: the replica holds every transaction the primary had committed when its WAL
position was measured, if the replica's replay position has reached that position; and
every transaction committed up to pg_last_xact_replay_timestamp(). Each check records the
primary's position with the time; the lag is the smaller of "now minus the newest recorded
time whose position the replica has replayed" and "now minus the last replayed commit".
An idle primary therefore does not make a caught-up replica look stale.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signals
from django.core.cache import cache
from django.core.signing import BadSignature
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections

logger = logging.getLogger("aduan.dbrouting")

PIN_COOKIE = "aduan_primary"
PIN_SALT = "aduan.core.dbrouting.pin"
SAFE_METHODS = ("GET", "HEAD")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# Read on the primary whatever the request: who is signed in, their session and keys, rate
# counters (incremented on the primary, so counted there), the database cache.
PRIMARY_ONLY_APPS = frozenset({"sessions", "accounts", "auth", "django_cache", "api", "otp"})
# Writes that do not pin a person to the primary: bookkeeping every request may do.
BOOKKEEPING_APPS = frozenset({"sessions", "django_cache", "api", "core"})

DEFAULT_READ_VIEWS = (
    "portal:report-list",
    "portal:report-map",
    "portal:report-map-data",
    "stats:public",
    "stats:open-data",
    "stats:open-data-csv",
    "stats:open-data-json",
    "stats:dashboard",
    "stats:export-csv",
    "stats:export-xlsx",
    "stats:monthly-report",
    "open311:open311-discovery",
    "open311:open311-v2-discovery",
    "open311:open311-list-services",
    "open311:open311-show-service",
    "open311:open311-requests",
    "open311:open311-show-request",
    "open311:open311-list-updates",
    "api:list-reports",
    "api:show-report",
    "api:show-report-timeline",
    "api:list-categories",
    "api:list-regions",
    "api:show-region",
    "api:list-agencies",
    "api:show-agency",
)


@dataclass
class _Request:
    """What the router knows about the request this thread serves."""

    read_alias: str | None = None  # the replica its reads go to, or None (the primary)
    wrote: bool = False


_current: contextvars.ContextVar[_Request | None] = contextvars.ContextVar(
    "aduan_db_request", default=None
)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


def read_views() -> frozenset[str]:
    return frozenset(getattr(settings, "REPLICA_READ_VIEWS", DEFAULT_READ_VIEWS))


def current_read_alias() -> str | None:
    state = _current.get()
    return state.read_alias if state else None


# ------------------------------------------------------------------------- replica health


@dataclass
class _Health:
    checked: float = 0.0  # time.monotonic() of the last measurement; 0: never
    lag: float | None = None  # seconds behind at that measurement; None: down
    # (monotonic time, primary WAL position) of recent checks, oldest first.
    marks: deque = field(default_factory=lambda: deque(maxlen=64))


_health: dict[str, _Health] = {}
_health_lock = threading.Lock()


def reset_health() -> None:
    """Forget every measurement (tests; a process after a failover)."""
    with _health_lock:
        _health.clear()


def _lsn(text: str | None) -> int | None:
    if not text:
        return None
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def _measure(alias: str, health: _Health) -> float | None:
    """Seconds the replica is behind now, or None when it is down or not a replica."""
    now = time.monotonic()
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        primary_lsn = _lsn(cursor.fetchone()[0])
    health.marks.append((now, primary_lsn))
    replica = connections[alias]
    try:
        with replica.cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,"
                " EXTRACT(EPOCH FROM (clock_timestamp() - pg_last_xact_replay_timestamp()))"
            )
            in_recovery, replay_text, since_commit = cursor.fetchone()
    except (OperationalError, InterfaceError, DatabaseError) as exc:
        logger.warning("replica %s unreachable: %s", alias, exc.__class__.__name__)
        _discard(alias)
        return None
    if not in_recovery:
        # A promoted former replica takes writes of its own: no longer a copy of ours.
        logger.warning("replica %s is not in recovery: not used", alias)
        return None
    replay = _lsn(replay_text)
    lags = []
    if since_commit is not None:
        lags.append(max(0.0, float(since_commit)))
    if replay is not None:
        reached = [at for at, position in health.marks if position <= replay]
        if reached:
            lags.append(max(0.0, now - max(reached)))
    return min(lags) if lags else None


def _discard(alias: str) -> None:
    """Drop a broken replica connection so the next use opens a fresh one."""
    with contextlib.suppress(DatabaseError):
        connections[alias].close()


def staleness(alias: str) -> float | None:
    """At most how many seconds behind the primary the replica can be right now (None:
    down), measuring again when the last measurement is older than REPLICA_CHECK_SECONDS
    (REPLICA_RETRY_SECONDS for a replica found down)."""
    now = time.monotonic()
    with _health_lock:
        health = _health.setdefault(alias, _Health())
        interval = (
            settings.REPLICA_CHECK_SECONDS
            if health.lag is not None
            else getattr(settings, "REPLICA_RETRY_SECONDS", 10.0)
        )
        if not health.checked or now - health.checked >= interval:
            health.lag = _measure(alias, health)
            health.checked = time.monotonic()
        if health.lag is None:
            return None
        return health.lag + (time.monotonic() - health.checked)


def mark_down(alias: str) -> None:
    with _health_lock:
        health = _health.setdefault(alias, _Health())
        health.lag = None
        health.checked = time.monotonic()
    _discard(alias)


def choose_replica() -> str | None:
    """A replica within the lag bound, or None (read from the primary)."""
    fresh = []
    for alias in replica_aliases():
        lag = staleness(alias)
        if lag is not None and lag <= settings.REPLICA_MAX_LAG_SECONDS:
            fresh.append(alias)
    return random.choice(fresh) if fresh else None  # noqa: S311 - load spreading


# ------------------------------------------------------------------------------ the router


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        state = _current.get()
        if state is None or state.read_alias is None:
            return DEFAULT_DB_ALIAS
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return state.read_alias

    def db_for_write(self, model, **hints):
        state = _current.get()
        if state is not None and model._meta.app_label not in BOOKKEEPING_APPS:
            state.wrote = True
            state.read_alias = None  # what follows in this request reads what it wrote
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


# -------------------------------------------------------------------------- the middleware


def _pin_key(request) -> str:
    """The cache key pinning a client's address: a keyed hash, as the rate limits keep
    addresses (no address is stored in the cache)."""
    from aduan.accounts.crypto import lookup_hash
    from aduan.core.addresses import client_address, limit_key

    return "aduan:primary-pin:" + lookup_hash("primary-pin:" + limit_key(client_address(request)))


def _pinned(request) -> bool:
    now = time.time()
    # The cookie keeps the end to the millisecond, rounded either way: a pin set within the
    # same millisecond may end up to half a millisecond past the horizon.
    horizon = now + settings.READ_YOUR_WRITES_SECONDS + 0.001
    try:
        until = float(request.get_signed_cookie(PIN_COOKIE, salt=PIN_SALT, default="0"))
    except (BadSignature, ValueError):
        until = 0.0
    if now < until <= horizon:
        return True
    try:
        until = float(cache.get(_pin_key(request)) or 0)
    except Exception:  # a cache failure must not fail the page: read the primary
        logger.warning("read-your-writes cache unavailable", exc_info=True)
        return True
    return now < until <= horizon


def _pin(request, response) -> None:
    seconds = settings.READ_YOUR_WRITES_SECONDS
    until = time.time() + seconds
    response.set_signed_cookie(
        PIN_COOKIE,
        f"{until:.3f}",
        salt=PIN_SALT,
        max_age=int(seconds) + 1,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    try:
        cache.set(_pin_key(request), until, timeout=int(seconds) + 1)
    except Exception:
        logger.warning("read-your-writes cache unavailable", exc_info=True)


class ReplicaReadMiddleware:
    """Chooses where a request reads (see the module's docstring). Installed by settings
    when DATABASE_REPLICA_URLS is set; without replicas it is not in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = _Request()
        _current.set(state)
        response = self.get_response(request)
        if request.method in WRITE_METHODS or state.wrote:
            _pin(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in SAFE_METHODS or not replica_aliases():
            return None
        match = request.resolver_match
        if match is None or match.view_name not in read_views():
            return None
        state = _current.get()
        if state is None or _pinned(request):
            return None
        state.read_alias = choose_replica()
        request._replica_view = (view_func, view_args, view_kwargs)
        return None

    def process_exception(self, request, exception):
        state = _current.get()
        if state is None or state.read_alias is None:
            return None
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        alias = state.read_alias
        if not _failed_on(alias):
            return None
        # The replica went away under this request: answer it again from the primary
        # (the views read here are read-only, so running one twice changes nothing).
        logger.warning("replica %s failed during a request; read from the primary", alias)
        mark_down(alias)
        state.read_alias = None
        view_func, view_args, view_kwargs = request._replica_view
        response = view_func(request, *view_args, **view_kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response


def _failed_on(alias: str) -> bool:
    """Whether the error came from the replica's connection (not the primary's)."""
    connection = connections[alias]
    raw = getattr(connection, "connection", None)
    if raw is None or getattr(raw, "closed", False) or connection.errors_occurred:
        return True
    try:
        return not connection.is_usable()
    except DatabaseError:
        return True


def _request_finished(**kwargs):
    # A streamed response (an export) reads through its last row before this fires.
    _current.set(None)


signals.request_finished.connect(_request_finished, dispatch_uid="aduan-dbrouting-finished")
