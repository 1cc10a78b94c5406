from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def percent(value) -> str:
    """0.853 -> "85,3%" (localised); "–" when there is nothing to divide."""
    if value is None:
        return "–"
    return number_format(value * 100, decimal_pos=1, use_l10n=True) + "%"


@register.filter
def decimal1(value) -> str:
    if value is None:
        return "–"
    return number_format(value, decimal_pos=1, use_l10n=True)


@register.filter
def days(value) -> str:
    if value is None:
        return "–"
    return _("%(days)s hari") % {"days": number_format(value, decimal_pos=1, use_l10n=True)}


@register.filter
def count(value) -> str:
    if value is None:
        return "–"
    return number_format(value, use_l10n=True, force_grouping=True)


@register.filter
def get_bytes(files: dict, name: str) -> int:
    return (files or {}).get(name, {}).get("bytes", 0)
