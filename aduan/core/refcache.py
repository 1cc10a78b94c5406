"""Per-process memo of reference data read on every submission (categories by slug or
id, regions by code), so intake does not spend a database round trip on each.

Entries live `REFCACHE_SECONDS` (default 60 s). Saving or deleting a category or region in
this process clears the memo at once; other processes see such a change within the TTL —
an admin edit of a category or `load_regions`, both rare. Callers get a copy of the cached
instance, so nothing a request does to it leaks into the next one.
"""

import copy
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.db.models.signals import post_delete, post_save

# Regions are many (91,000); keep the most recently used ones.
MAX_ENTRIES = 20_000

_lock = threading.Lock()
_entries: "OrderedDict[tuple, tuple[float, object]]" = OrderedDict()


def _ttl() -> float:
    return float(getattr(settings, "REFCACHE_SECONDS", 60))


def lookup(kind: str, key, load, *, ttl: float | None = None, shared: bool = False):
    """The instance `load()` returns for (kind, key), memoised for `ttl` seconds
    (REFCACHE_SECONDS by default); None is not memoised (a code unknown now may be loaded a
    moment later). Callers get a copy, unless `shared`: then every caller of this process
    gets the one cached instance (for state the caller keeps up to date on it)."""
    ttl = _ttl() if ttl is None else ttl
    now = time.monotonic()
    slot = (kind, key)
    give = (lambda value: value) if shared else copy.copy
    if ttl > 0:
        with _lock:
            hit = _entries.get(slot)
            if hit is not None and hit[0] > now:
                _entries.move_to_end(slot)
                return give(hit[1])
    value = load()
    if value is not None and ttl > 0:
        with _lock:
            _entries[slot] = (now + ttl, value)
            _entries.move_to_end(slot)
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
        value = give(value)
    return value


def clear(*_args, **_kwargs) -> None:
    with _lock:
        _entries.clear()


def forget(kind: str) -> None:
    """Drop every entry of one kind."""
    with _lock:
        for slot in [slot for slot in _entries if slot[0] == kind]:
            del _entries[slot]


def connect(*models) -> None:
    """Clear the memo whenever one of `models` is saved or deleted in this process."""
    for model in models:
        post_save.connect(clear, sender=model, dispatch_uid=f"refcache-save-{model.__name__}")
        post_delete.connect(clear, sender=model, dispatch_uid=f"refcache-del-{model.__name__}")
