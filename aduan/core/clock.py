"""The one source of "now" for domain code.

The domain actions, the events they append to a report's history, the deadline scan and
the automatic timestamps of the rows they write (`ClockDateTimeField`: a report's
`created_at`/`updated_at`, its attachments, deadline notices, notifications, reporters)
all read `now()`. Normally that is `django.utils.timezone.now()`, so production runs on
the real time and tests that move time with time_machine see the moved time.

Code that replays history, such as the development demo that builds months of reports
through the real actions, passes its clock in explicitly instead of patching Django:

    with clock.frozen(moment):
        actions.dispose_report(report, agency, actor=admin)

Every timestamp the action writes (the status times, the event, `updated_at`, the
notification rows) is then `moment`, so a report's columns agree with its history.

The frozen instant lives in a ContextVar: it is private to the thread (and asyncio task)
that set it, so a clock frozen by one command or test never leaks into a request served
by another thread, and `frozen` blocks nest and unwind correctly.
"""

import contextlib
import datetime as dt
from collections.abc import Iterator
from contextvars import ContextVar

from django.db import models
from django.utils import timezone

_frozen: ContextVar[dt.datetime | None] = ContextVar("aduan_clock_frozen", default=None)


def now() -> dt.datetime:
    """The current instant (aware, UTC): the frozen one inside `frozen()`, else the real one."""
    instant = _frozen.get()
    return timezone.now() if instant is None else instant


@contextlib.contextmanager
def frozen(instant: dt.datetime) -> Iterator[dt.datetime]:
    """Make `now()` return `instant` in this thread until the block ends."""
    if timezone.is_naive(instant):
        raise ValueError("the clock needs a timezone-aware datetime")
    token = _frozen.set(instant)
    try:
        yield instant
    finally:
        _frozen.reset(token)


class ClockDateTimeField(models.DateTimeField):
    """A DateTimeField whose `auto_now`/`auto_now_add` read `now()` rather than Django's
    own `timezone.now()`, so the rows an action writes carry the action's time.

    The column is an ordinary timestamp and only the value Python fills in differs, so
    migrations record it as a plain DateTimeField: swapping one for the other needs none.
    """

    def pre_save(self, model_instance, add):
        if self.auto_now or (self.auto_now_add and add):
            value = now()
            setattr(model_instance, self.attname, value)
            return value
        return super().pre_save(model_instance, add)

    def deconstruct(self):
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.DateTimeField", args, kwargs
