"""Normalising what citizens write before the classifier reads it (docs/ROUTING.md).

Reports arrive as SMS-short slang ("jln rusak dpn sd tlg"), with stretched words
("parahhh"), typos and regional words. The normaliser lower-cases, strips links and
numbers, shortens stretched letters and replaces informal spellings by the standard word:
first from the project's own list below (words seen in complaints that general slang lists
miss), then from indoNLP's slang dictionary (its data ships with the package; nothing is
downloaded). Stemming (PySastrawi) was measured and did not help (docs/ROUTING.md), so it
is not used.
"""

import re
from functools import lru_cache

from indoNLP.preprocessing import SLANG_DATA

# Words of complaints that indoNLP's list lacks or maps differently. Only whole words.
COMPLAINT_WORDS = {
    "jln": "jalan",
    "jl": "jalan",
    "jmbtn": "jembatan",
    "rmh": "rumah",
    "skolah": "sekolah",
    "sklh": "sekolah",
    "ujan": "hujan",
    "ancur": "hancur",
    "bolong": "lubang",
    "got": "selokan",
    "parit": "selokan",
    "pju": "lampu jalan",
    "ktp": "ktp",
    "kk": "kartu keluarga",
    "akte": "akta",
    "dd": "dana desa",
    "add": "alokasi dana desa",
    "kades": "kepala desa",
    "pemdes": "pemerintah desa",
    "pkl": "pedagang kaki lima",
    "pdam": "pdam",
    "ledeng": "pdam",
    "elpiji": "lpg",
    "gas": "lpg",
    "tki": "pekerja migran",
    "tkw": "pekerja migran",
    "pmi": "pekerja migran",
    "dc": "penagih",
    "pinjol": "pinjol",
    "rsud": "rumah sakit",
    "rs": "rumah sakit",
    "pustu": "puskesmas",
    "bansos": "bansos",
    "blt": "blt",
    "byar": "padam",
    "pet": "padam",
    "jt": "juta",
    "rb": "ribu",
    "bln": "bulan",
    "thn": "tahun",
    "org": "orang",
    "pdhl": "padahal",
    "blm": "belum",
    "sy": "saya",
    "tp": "tapi",
    "krn": "karena",
    "dgn": "dengan",
    "utk": "untuk",
    "dr": "dari",
    "dlm": "dalam",
    "trs": "terus",
    "dtg": "datang",
    "kalo": "kalau",
    "klo": "kalau",
    "ga": "tidak",
    "gak": "tidak",
    "nggak": "tidak",
    "enggak": "tidak",
    "tdk": "tidak",
    "ngilang": "menghilang",
    "dipalak": "diperas",
    "gan": "",
    "min": "",
}

_LINK = re.compile(r"https?://\S+|www\.\S+")
_STRETCH = re.compile(r"([a-z])\1{2,}")
_REDUPLICATION = re.compile(r"\b([a-z]+)2\b")
_TOKEN = re.compile(r"[a-z]+")


@lru_cache(maxsize=1)
def _dictionary() -> dict[str, str]:
    words = {key.lower(): value.lower() for key, value in SLANG_DATA.items()}
    words.update(COMPLAINT_WORDS)
    return words


@lru_cache(maxsize=50_000)
def _word(token: str) -> str:
    return _dictionary().get(token, token)


def normalise(text: str) -> str:
    """The text as the classifier reads it: lower case, words only, informal spellings
    replaced ("jln" → "jalan", "anak2" → "anak anak", "parahhh" → "parah")."""
    text = (text or "").lower()
    # The substitutions are skipped when they cannot match (most texts): retraining
    # normalises every decision, and these are most of its cost.
    if "http" in text or "www." in text:
        text = _LINK.sub(" ", text)
    if "2" in text:
        text = _REDUPLICATION.sub(r"\1 \1", text)
    text = _STRETCH.sub(r"\1", text)
    words = (_word(token) for token in _TOKEN.findall(text))
    return " ".join(word for word in words if word)
