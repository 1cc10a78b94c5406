"""Issuing, checking and rate-limiting API keys (shared by the REST API and Open311)."""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from aduan.core import refcache

from .models import ApiKey, RateCounter

KEY_PREFIX = "aduan"


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str  # the full key to give the integrator: shown once, never stored


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue_key(
    name: str, *, user=None, agency=None, can_submit=True, rate_limit_per_minute=120
) -> IssuedKey:
    prefix = secrets.token_hex(4)
    raw = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        name=name,
        prefix=prefix,
        key_hash=_digest(raw),
        user=user,
        agency=agency,
        can_submit=can_submit,
        rate_limit_per_minute=rate_limit_per_minute,
    )
    return IssuedKey(key=key, secret=raw)


def _find(prefix: str) -> ApiKey | None:
    """The key with this prefix, remembered by each process (core.refcache). A revocation
    (revoke(), the admin) publishes a new reference version: every process refuses the key
    from its next request on."""
    return refcache.lookup(
        "apikey",
        prefix,
        lambda: ApiKey.objects.select_related("user", "agency").filter(prefix=prefix).first(),
    )


def authenticate(raw: str | None) -> ApiKey | None:
    """The active key for this secret, or None. Constant-time comparison of digests."""
    if not raw or not isinstance(raw, str) or raw.count("_") < 2:
        return None
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    key = _find(parts[1][:12])
    if (
        key is None
        or not key.is_active
        or not hmac.compare_digest(key.key_hash, _digest(raw.strip()))
    ):
        return None
    if key.user_id is not None and not (key.user is not None and key.user.is_active):
        # The key acts as its service account: once that account is deactivated the key
        # is refused, rather than falling back to its agency's scope.
        return None
    now = timezone.now()
    # Write at most once a minute: a busy integrator must not turn reads into writes.
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
        refcache.put("apikey", key.prefix, key)  # so this process waits another minute
    return key


def revoke(key: ApiKey) -> None:
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    refcache.bump()  # an update() sends no signal


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int


def check_rate(key: ApiKey) -> RateDecision:
    """Fixed one-minute window per key, counted in the database so that every web
    process shares it."""
    return check_rate_bucket(f"apikey-rate:{key.pk}", key.rate_limit_per_minute)


def check_rate_bucket(bucket: str, limit: int) -> RateDecision:
    """Count one request against `bucket` (a key, an IP address, a session user) in a
    fixed one-minute window, and say whether it stays within `limit`.

    One statement, atomic under concurrency (INSERT … ON CONFLICT DO UPDATE … RETURNING,
    on PostgreSQL and SQLite alike): two processes counting at the same moment can never
    both read the same number, as a cache get-then-set could."""
    now = time.time()
    minute = int(now // 60)
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (bucket, minute, used) VALUES (%s, %s, 1) "
            f"ON CONFLICT (bucket, minute) DO UPDATE SET used = {table}.used + 1 "
            "RETURNING used",
            [bucket[:100], minute],
        )
        used = cursor.fetchone()[0]
    return RateDecision(
        allowed=used <= limit,
        limit=limit,
        remaining=max(limit - used, 0),
        retry_after=60 - int(now % 60),
    )


def purge_rate_counters(now: float | None = None) -> int:
    """Delete the counters of minutes that have passed (run by the worker)."""
    minute = int((now if now is not None else time.time()) // 60)
    deleted, _ = RateCounter.objects.filter(minute__lt=minute - 1).delete()
    return deleted
