"""The seed corpus (`data/seed_corpus.tsv`, CC0, see `data/NOTICE.md`): complaints written
for this project so a new node suggests categories before it has any history."""

import hashlib
from functools import lru_cache
from pathlib import Path

from aduan.categories.management.commands.seed_categories import load_specs

SEED_FILE = Path(__file__).resolve().parent / "data" / "seed_corpus.tsv"
HOLDOUT_FRACTION = 0.2
HOLDOUT_SEED = 20260


@lru_cache(maxsize=1)
def topic_map() -> dict[str, str]:
    """Every category slug of the LAPOR! data file → its top-level topic slug."""
    specs = load_specs()
    return {spec.slug: spec.parent_slug or spec.slug for spec in specs}


@lru_cache(maxsize=1)
def seed_examples() -> tuple[tuple[str, str], ...]:
    """(text, category slug) pairs of the seed corpus."""
    known = topic_map()
    examples = []
    for number, line in enumerate(SEED_FILE.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        slug, _tab, text = line.partition("\t")
        if slug not in known or not text.strip():
            raise ValueError(f"{SEED_FILE.name}:{number}: unknown category or empty text")
        examples.append((text.strip(), slug))
    return tuple(examples)


def _bucket(text: str, seed: int) -> float:
    """A number in [0, 1) fixed by the text and the seed alone."""
    digest = hashlib.sha256(f"{seed}|{' '.join(text.lower().split())}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def seed_split(
    fraction: float = HOLDOUT_FRACTION, seed: int = HOLDOUT_SEED
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(train, held out): each text is held out when the hash of (seed, text) falls in the
    lowest `fraction` — the same on every run, in corpus order, and stable as the corpus
    grows: adding a text never moves another between the parts, so a text that was once
    learned from never becomes held out (and the reverse)."""
    train, held = [], []
    for example in seed_examples():
        (held if _bucket(example[0], seed) < fraction else train).append(example)
    return train, held
