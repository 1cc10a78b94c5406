"""Rendering translatable messages in a given language.

Messages are lazy gettext strings with Indonesian msgids: a page renders them in the
reader's language simply by printing them. The APIs answer machines that may want either
language, so they render the same message twice, once per language, with these helpers.
"""

from django.core.exceptions import ValidationError
from django.utils import translation

INDONESIAN = "id"
ENGLISH = "en"


def in_language(message, language: str) -> str:
    """`message` (a lazy translation, or a plain string) rendered in `language`."""
    with translation.override(language):
        return str(message)


def in_both(message) -> tuple[str, str]:
    """(Indonesian, English) renderings of one message."""
    return in_language(message, INDONESIAN), in_language(message, ENGLISH)


def validation_messages_in_both(error: ValidationError) -> list[tuple[str, str]]:
    """Every message of a Django ValidationError as (Indonesian, English), with its
    params filled in for each language."""
    with translation.override(INDONESIAN):
        indonesian = error.messages
    with translation.override(ENGLISH):
        english = error.messages
    return list(zip(indonesian, english, strict=True))
