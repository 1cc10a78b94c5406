"""Helpers for HTML built in Python with `format_html` (workspace/rows.py,
stats/fragments.py): translated messages given to `format_html` exactly as Django's
`{% translate %}` and `{% blocktranslate %}` tags give them to a page.

Django marks a template's string literal safe before translating it, so a translation is
output as it stands (the catalogues are part of the code); the values of a
`blocktranslate` are escaped. Everything else goes through `format_html`, which escapes
whatever is not already safe.
"""

from collections.abc import Iterable

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

# An absent part of a fragment: safe already, so format_html passes it through as is.
NOTHING = mark_safe("")


def concat(parts: Iterable) -> SafeString:
    """The parts one after the other, each escaped unless already safe (as
    `format_html_join("", "{}", ...)` does, without a format_html per part)."""
    return mark_safe("".join(map(conditional_escape, parts)))  # noqa: S308 - escaped here


def t(message: str) -> SafeString:
    """`{% translate message %}`."""
    return gettext(mark_safe(message))  # noqa: S308 - a literal message of the code


def blocktranslate(message: str, **values) -> SafeString:
    """`{% blocktranslate with name=value ... %}message{% endblocktranslate %}`: the
    translation as it stands, with its values escaped."""
    escaped = {name: conditional_escape(value) for name, value in values.items()}
    return mark_safe(gettext(message) % escaped)  # noqa: S308 - values escaped just above
