"""Indonesian is the default language; every catalogue we ship has its English side."""

import gettext
import re
from pathlib import Path

import pytest
from django.utils import translation

from aduan.reports.models import ArchiveReason, EventType, Status

ROOT = Path(__file__).resolve().parents[2]


def test_status_names_are_indonesian_by_default_and_english_on_request():
    with translation.override("id"):
        assert Status.SUBMITTED.label == "Menunggu verifikasi"
    with translation.override("en"):
        assert Status.SUBMITTED.label == "Awaiting verification"
        assert ArchiveReason.DUPLICATE.label == "Duplicate of another report"
        assert EventType.FOLLOW_UP.label == "Follow-up"


@pytest.mark.parametrize("po", sorted(ROOT.glob("**/locale/en/LC_MESSAGES/django.po")), ids=str)
def test_every_catalogue_is_translated_and_compiled(po):
    text = po.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]
    untranslated = [
        e
        for e in entries
        if 'msgstr ""' in e and e.rstrip().endswith('msgstr ""') and "#, fuzzy" not in e
    ]
    assert not untranslated, f"untranslated entries in {po}: {untranslated[:3]}"
    # The compiled catalogue holds every message of the source catalogue.
    with open(po.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    msgids = re.findall(r'^msgid "(.+)"$', text, flags=re.M)
    # A message with plural forms is compiled under (msgid, form).
    stale = [
        m
        for m in msgids
        if m.replace('\\"', '"') not in compiled and (m.replace('\\"', '"'), 0) not in compiled
    ]
    assert not stale, f"recompile {po}: {stale[:3]}"
