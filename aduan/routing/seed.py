"""The seed corpus (`data/seed_corpus.tsv`, CC0, see `data/NOTICE.md`): complaints written
for this project so a new node suggests categories before it has any history."""

import random
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


def seed_split(
    fraction: float = HOLDOUT_FRACTION, seed: int = HOLDOUT_SEED
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(train, held out): a fixed, stratified split by topic, the same on every run."""
    topics = topic_map()
    by_topic: dict[str, list[tuple[str, str]]] = {}
    for example in seed_examples():
        by_topic.setdefault(topics[example[1]], []).append(example)
    rng = random.Random(seed)
    train, held = [], []
    for topic in sorted(by_topic):
        examples = list(by_topic[topic])
        rng.shuffle(examples)
        cut = max(1, round(len(examples) * fraction))
        held.extend(examples[:cut])
        train.extend(examples[cut:])
    return train, held
