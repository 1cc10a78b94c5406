"""Filters for the text of notifications (e-mail, SMS, WhatsApp)."""

import datetime as dt

from django import template
from django.conf import settings
from django.utils.dateparse import parse_datetime

from aduan.portal.display import date_time_in_words

register = template.Library()


@register.filter
def in_words(value, zone: str = "") -> str:
    """A moment (a datetime, or the ISO text a notification's context keeps) as
    'Kamis, 12 Maret 2026 pukul 14.30 WITA' in `zone`, the report's agency's time zone
    (`notifications.service.render` puts it in the context)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if not isinstance(value, dt.datetime):
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return date_time_in_words(value, zone or settings.TIME_ZONE)
