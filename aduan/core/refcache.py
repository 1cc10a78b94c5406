"""Reference data kept in each process's memory, dropped in every process when it changes.

What is kept: categories and regions looked up by code at intake, and by key for the
reports the staff pages show (reports.reference: instead of joins), the staff forms'
category and region choices, the working-day calendar (`workdays.calendar`), API keys by
prefix, and rendered `<select>` HTML (`core.renderers.MemoSelect`). Reads of these cost no
database round trip and no network hop.

Where: Django's cache framework, alias `reference` in `settings.CACHES`, a local-memory
cache (one per process, shared by its threads). Values are pickled, so a caller always
gets its own copy and nothing a request does to it leaks into the next one.

How every process learns of a change: entries are stored under the cache framework's
`version` argument, and the version is one number in the database (`ReferenceVersion`),
which every web process and the worker read. Saving or deleting a category, region,
holiday or API key writes a new version in the same transaction (model signals; `bump()`
for writes that send none: `load_regions`, `api.keys.revoke`). From then on every process
looks up keys under the new version, misses, and loads the current rows once.

When the version is read: once per unit of work, lazily. The first versioned lookup of a
web request, or of a background task, reads it (one primary-key read of one row); later
lookups of the same request or task reuse it (`refresh()` runs on `request_started` and on
`django_tasks`'s `task_started`). So a change is seen by every request and every task that
starts after it commits; a request or task already running finishes with the data it
started with. Outside requests and tasks (shell, management commands) the version read
first is kept until `refresh()` or a `bump()` in the same thread. A request that never
looks up reference data reads nothing. Entries also expire after `REFCACHE_SECONDS`
(default 300): a safety net for a write that bypasses both the signals and `bump()`
(`queryset.update()`, raw SQL).

Why a random number and not a counter: a change rolled back after this process cached rows
under its version n+1 would let the next committed change write n+1 again, and those rows
would be served as current; a random 62-bit number is never handed out twice.

`ProcessCache` is one process's view (its store and, per thread, the version of the
current unit of work); the module functions use the process's own. Tests make a second
one to play another process.
"""

import hashlib
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

CACHE_ALIAS = "reference"
VERSION_NAME = "reference"

# Keys made of these characters are used as they are; anything else (free text from a
# request, long tuples) is hashed, behind a "#" that a plain key can never contain.
_PLAIN_KEY = re.compile(r"[\w.,:-]{1,120}\Z", re.ASCII)
_MISSING = object()


def _key_text(kind: str, key: Any) -> str:
    if isinstance(key, str | int):
        text = str(key)
    elif isinstance(key, tuple) and len(key) <= 8 and all(isinstance(p, str | int) for p in key):
        text = ",".join(map(str, key))
    else:
        text = ""
    if not _PLAIN_KEY.match(text):
        text = "#" + hashlib.blake2b(repr(key).encode(), digest_size=16).hexdigest()
    return f"{kind}:{text}"


def _timeout() -> float:
    return float(getattr(settings, "REFCACHE_SECONDS", 300))


def read_version() -> int:
    """The current version in the database (0 before anything has been changed).

    Plain SQL: it runs on most requests, and the queryset costs five times the Python
    function calls for the same statement."""
    from .models import ReferenceVersion

    table = connection.ops.quote_name(ReferenceVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {table} WHERE name = %s", [VERSION_NAME])
        row = cursor.fetchone()
    return row[0] if row else 0


class ProcessCache:
    """The reference data of one process: a local-memory store, and per thread the
    version read in the current unit of work."""

    def __init__(self, store: BaseCache | None = None):
        self._store = store
        self._thread = threading.local()

    @property
    def store(self) -> BaseCache:
        return self._store if self._store is not None else caches[CACHE_ALIAS]

    def version(self) -> int:
        state = self._thread
        version = getattr(state, "version", None)
        pending = getattr(state, "pending", None)
        if pending is not None and not any(hook[1] is pending for hook in connection.run_on_commit):
            # This thread bumped the version inside a transaction (or savepoint) that is
            # over: Django drops a rolled-back transaction's commit hooks, so the number
            # remembered may never have been published. Read it again.
            version = None
        if version is None:
            version = state.version = read_version()
            state.pending = None
        return version

    def lookup(self, kind: str, key: Any, load: Callable[[], Any], *, versioned: bool = True):
        """What `load()` returns for (kind, key), loaded once per version and process.

        None is not kept (a code unknown now may be loaded a moment later). Unversioned
        entries are for values whose key already determines them (the rendered HTML of a
        given choice list); they are never stale, only evicted."""
        name = _key_text(kind, key)
        version = self.version() if versioned else 0
        store = self.store
        value = store.get(name, _MISSING, version=version)
        if value is _MISSING:
            value = load()
            if value is not None:
                store.set(name, value, _timeout(), version=version)
        return value

    def lookup_shared(self, kind: str, key: Any, load: Callable[[], Any]):
        """`lookup`, and the value kept in this thread too: the same object is handed out
        again while the version stays the one it was found under (and no longer than an
        entry lives in the store). For read-only values looked up in loops (the working-day
        calendar, once per report a scan judges), where unpickling a fresh copy is most of
        the cost. A caller must not change what it gets."""
        version = self.version()
        state = self._thread
        now = time.monotonic()
        memo = getattr(state, "memo", None)
        if memo is None or memo[0] != version or now - memo[1] > _timeout() or len(memo[2]) > 500:
            memo = state.memo = (version, now, {})
        name = _key_text(kind, key)
        value = memo[2].get(name, _MISSING)
        if value is _MISSING:
            value = self.lookup(kind, key, load)
            if value is not None:
                memo[2][name] = value
        return value

    def lookup_many(
        self, kind: str, keys: Iterable, load: Callable[[list], dict], *, versioned: bool = True
    ) -> dict:
        """{key: value} for each of `keys` found: what this process has for (kind, key),
        and for the others what `load(missing_keys)` returns (one call for all of them,
        e.g. one query), kept like `lookup` keeps its values. Keys `load` does not answer
        are left out (and not kept)."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        version = self.version() if versioned else 0
        store = self.store
        names = {key: _key_text(kind, key) for key in wanted}
        cached = store.get_many(list(names.values()), version=version)
        found = {key: cached[name] for key, name in names.items() if name in cached}
        missing = [key for key in wanted if key not in found]
        if missing:
            loaded = {key: value for key, value in load(missing).items() if value is not None}
            if loaded:
                store.set_many(
                    {names[key]: value for key, value in loaded.items()},
                    _timeout(),
                    version=version,
                )
            found.update(loaded)
        return found

    def put(self, kind: str, key: Any, value: Any) -> None:
        """Replace an entry, under the version of the current unit of work (for state kept
        up to date on it, such as an API key's last use)."""
        self.store.set(_key_text(kind, key), value, _timeout(), version=self.version())

    def bump(self) -> None:
        """Publish a new version: every process drops all it has cached (at its next unit of
        work). Call it in the transaction that changes the data, so the new version and
        the change become visible together."""
        from .models import ReferenceVersion

        version = secrets.randbits(62) or 1
        ReferenceVersion.objects.bulk_create(
            [ReferenceVersion(name=VERSION_NAME, version=version)],
            update_conflicts=True,
            unique_fields=["name"],
            update_fields=["version"],
        )
        self._thread.version = version
        self._thread.pending = None
        if connection.in_atomic_block:
            # A commit hook that does nothing: while it is pending, the new version is this
            # transaction's own; once it is gone, version() reads the number again.
            def pending() -> None:
                pass

            transaction.on_commit(pending)
            self._thread.pending = pending

    def refresh(self) -> None:
        """Start a new unit of work in this thread: the next lookup reads the version."""
        self._thread.version = None

    def clear(self) -> None:
        """Empty this process's store and forget the version (tests: rolled-back rows
        send no signal, and a rolled-back version number comes back)."""
        self.store.clear()
        self._thread.memo = None
        self.refresh()


_process = ProcessCache()


def lookup(kind: str, key: Any, load: Callable[[], Any], *, versioned: bool = True):
    return _process.lookup(kind, key, load, versioned=versioned)


def lookup_shared(kind: str, key: Any, load: Callable[[], Any]):
    return _process.lookup_shared(kind, key, load)


def lookup_many(kind: str, keys: Iterable, load: Callable[[list], dict], *, versioned=True):
    return _process.lookup_many(kind, keys, load, versioned=versioned)


def put(kind: str, key: Any, value: Any) -> None:
    _process.put(kind, key, value)


def bump(*_args, **_kwargs) -> None:
    _process.bump()


def refresh(*_args, **_kwargs) -> None:
    _process.refresh()


def clear(*_args, **_kwargs) -> None:
    _process.clear()


def connect(*models) -> None:
    """Publish a new version whenever one of `models` is saved or deleted."""
    for model in models:
        post_save.connect(bump, sender=model, dispatch_uid=f"refcache-save-{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"refcache-del-{model.__name__}")
