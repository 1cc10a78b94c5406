"""Keep the calendar's cache of admin holidays in step with the `Holiday` table."""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import calendar
from .models import Holiday


@receiver(post_save, sender=Holiday, dispatch_uid="workdays_holiday_saved")
@receiver(post_delete, sender=Holiday, dispatch_uid="workdays_holiday_deleted")
def forget_cached_holidays(sender: type[Holiday], **kwargs: Any) -> None:
    # Clear now so this transaction sees its own change, and again after commit because
    # another thread may have cached the old rows in between.
    calendar.clear_cache()
    transaction.on_commit(calendar.clear_cache, robust=True)
