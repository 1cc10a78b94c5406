"""Keywords and the length of SMS."""

import pytest

from aduan.channels import gsm
from aduan.channels.keywords import Command, parse


@pytest.mark.parametrize(
    "text, command",
    [
        ("LAPOR jalan rusak", Command("lapor", text="jalan rusak")),
        ("lapor: jalan rusak", Command("lapor", text="jalan rusak")),
        ("Jalan rusak di KM 5", Command("lapor", text="Jalan rusak di KM 5")),
        ("CEK PST-26-0001234-7", Command("cek", number="PST-26-0001234-7")),
        ("cek pst 26 0001234 7", Command("cek", number="pst 26 0001234 7")),
        ("BALAS PST2600012347 di depan SD", Command("balas", "PST2600012347", "di depan SD")),
        ("balas#PST-26-0001234-7 ya", Command("balas", "PST-26-0001234-7", "ya")),
        ("TERIMA PST-26-0001234-7", Command("terima", number="PST-26-0001234-7")),
        ("BANDING PST-26-0001234-7 belum", Command("banding", "PST-26-0001234-7", "belum")),
        ("CEK nomor saya", Command("cek", text="nomor saya")),
        ("berhenti", Command("berhenti")),
        ("STOP", Command("berhenti")),
        ("", Command("lapor")),
    ],
)
def test_keywords(text, command):
    assert parse(text) == command


def test_gsm7_and_ucs2_segments():
    assert gsm.segments("a" * 160) == gsm.Segments("gsm7", 160, 1)
    assert gsm.segments("a" * 161).count == 2
    assert gsm.segments("a" * 306).count == 2 and gsm.segments("a" * 307).count == 3
    # An extension character takes two septets and is never split between parts.
    assert gsm.segments("€" * 80) == gsm.Segments("gsm7", 160, 1)
    assert gsm.segments("a" * 152 + "€" + "a" * 153).count == 3
    assert gsm.segments("ê" * 70) == gsm.Segments("ucs2", 70, 1)
    assert gsm.segments("ê" * 71).count == 2
    assert gsm.segments("😀" * 35) == gsm.Segments("ucs2", 70, 1)
    assert gsm.segments("").count == 0


def test_typographic_characters_do_not_force_ucs2():
    assert gsm.segments(gsm.to_gsm7_where_possible("“Sudah” – selesai…")).encoding == "gsm7"


def test_fit_shortens_at_a_word():
    text = gsm.fit("kata " * 200, 2)
    assert gsm.segments(text).count == 2 and text.endswith("kata...")
    assert gsm.fit("pendek") == "pendek"
