"""Issuing, checking and rate-limiting API keys (shared by the REST API and Open311)."""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from .models import ApiKey

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


def authenticate(raw: str | None) -> ApiKey | None:
    """The active key for this secret, or None. Constant-time comparison of digests."""
    if not raw or not isinstance(raw, str) or raw.count("_") < 2:
        return None
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    key = ApiKey.objects.select_related("user", "agency").filter(prefix=parts[1][:12]).first()
    if (
        key is None
        or not key.is_active
        or not hmac.compare_digest(key.key_hash, _digest(raw.strip()))
    ):
        return None
    now = timezone.now()
    # Write at most once a minute: a busy integrator must not turn reads into writes.
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def revoke(key: ApiKey) -> None:
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int


def check_rate(key: ApiKey) -> RateDecision:
    """Fixed one-minute window per key in the shared cache (configure a shared cache,
    e.g. the database cache, when running several web processes)."""
    return check_rate_bucket(f"apikey-rate:{key.pk}", key.rate_limit_per_minute)


def check_rate_bucket(bucket: str, limit: int) -> RateDecision:
    """Count one request against `bucket` (a key, an IP address, a session user) in a
    fixed one-minute window, and say whether it stays within `limit`."""
    window = int(time.time() // 60)
    cache_key = f"{bucket}:{window}"
    cache.add(cache_key, 0, timeout=120)
    try:
        used = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=120)
        used = 1
    return RateDecision(
        allowed=used <= limit,
        limit=limit,
        remaining=max(limit - used, 0),
        retry_after=60 - int(time.time() % 60),
    )
