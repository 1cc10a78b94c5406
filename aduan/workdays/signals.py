"""Keep every process's cached calendar in step with the `Holiday` table."""

from aduan.core import refcache

from .models import Holiday

# A saved or deleted holiday publishes a new reference version in the same transaction:
# this transaction sees its own change at once, every other process from its next request
# or background task on.
refcache.connect(Holiday)
