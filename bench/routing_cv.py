"""Choosing the category model by cross-validation on the seed corpus's training part
(docs/ROUTING.md).

    .venv/bin/python bench/routing_cv.py [--folds 5] [--only NAME ...] [--held-out]

Each variant is scored by k-fold cross-validation (stratified by topic, fixed seed) on the
training part of the seed corpus only; the printed numbers are the mean ± standard
deviation over the folds of top-1 accuracy, top-3 accuracy and macro-F1 of the top-level
topic. The held-out part is not read unless `--held-out` is given: then the shipped
configuration is trained on the whole training part and scored on it once, for the
report — never to choose between variants.

`stemmed` needs PySastrawi (not a dependency: it did not help); it is skipped when that
package is not installed. Needs no database. Takes a minute or two on 2 cores.
"""

import argparse
import os
import random
import statistics
import sys
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aduan.settings")

import django  # noqa: E402

django.setup()

from aduan.routing import classifier  # noqa: E402
from aduan.routing.classifier import CategoryClassifier  # noqa: E402
from aduan.routing.evaluation import score  # noqa: E402
from aduan.routing.seed import seed_split, topic_map  # noqa: E402
from aduan.routing.text import normalise  # noqa: E402

CV_SEED = 20261


def lowercase_words(text: str) -> str:
    return " ".join("".join(c if c.isalpha() else " " for c in (text or "").lower()).split())


def stemmed():
    try:
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
    except ImportError:
        return None
    stemmer = StemmerFactory().create_stemmer()
    return lambda text: stemmer.stem(normalise(text))


# name → (keyword arguments of CategoryClassifier, normaliser or None for the shipped one)
VARIANTS = {
    "shipped: SVM + naive Bayes": ({}, None),
    "SVM alone (before)": ({"svm_weight": 1.0}, None),
    "naive Bayes alone": ({"svm_weight": 0.0}, None),
    "SVM weight 0.3": ({"svm_weight": 0.3}, None),
    "SVM weight 0.7": ({"svm_weight": 0.7}, None),
    "SVM C=1.0": ({"C": 1.0}, None),
    "SVM C=0.2": ({"C": 0.2}, None),
    "char 3-5-grams": ({"char_ngrams": (3, 5)}, None),
    "char 1-4-grams": ({"char_ngrams": (1, 4)}, None),
    "lowercase words only": ({}, lowercase_words),
    "stemmed (PySastrawi)": ({}, "stemmed"),
}


def folds(examples, k: int, seed: int):
    """k stratified folds of (text, slug) pairs: each topic's examples dealt in turn."""
    topics = topic_map()
    by_topic: dict[str, list[int]] = {}
    for i, (_text, slug) in enumerate(examples):
        by_topic.setdefault(topics[slug], []).append(i)
    rng = random.Random(seed)
    assignment = [0] * len(examples)
    for topic in sorted(by_topic):
        rows = by_topic[topic]
        rng.shuffle(rows)
        for n, row in enumerate(rows):
            assignment[row] = n % k
    return assignment


def fit(kwargs, normaliser, examples):
    model = CategoryClassifier(**kwargs)
    texts = [text for text, _slug in examples]
    labels = [slug for _text, slug in examples]
    if normaliser is None:
        return model.fit(texts, labels, topic_map())
    with mock.patch.object(classifier, "normalise", normaliser):
        model.fit(texts, labels, topic_map())
    return model


def scored(kwargs, normaliser, train, test):
    model = fit(kwargs, normaliser, train)
    if normaliser is None:
        return score(model, test, topic_map())
    with mock.patch.object(classifier, "normalise", normaliser):
        return score(model, test, topic_map())


def print_confusion(runs) -> None:
    """Out-of-fold recall per topic and the most frequent (true → predicted) pairs, summed
    over the folds: where new training texts are most needed."""
    pairs: dict[tuple[str, str], int] = {}
    totals: dict[str, int] = {}
    right: dict[str, int] = {}
    for run in runs:
        for i, true in enumerate(run.labels):
            for j, guess in enumerate(run.labels):
                count = run.confusion[i][j]
                totals[true] = totals.get(true, 0) + count
                if i == j:
                    right[true] = right.get(true, 0) + count
                elif count:
                    pairs[(true, guess)] = pairs.get((true, guess), 0) + count
    print("    recall per topic (out of fold):")
    for topic in sorted(totals, key=lambda t: right.get(t, 0) / totals[t]):
        print(f"      {topic:<30} {right.get(topic, 0) / totals[topic]:.3f} of {totals[topic]}")
    print("    most frequent confusions (true → predicted):")
    for (true, guess), count in sorted(pairs.items(), key=lambda p: -p[1])[:15]:
        print(f"      {count:>3}  {true} → {guess}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--only", nargs="*", help="variant names (a prefix is enough)")
    parser.add_argument("--held-out", action="store_true")
    parser.add_argument(
        "--confusion",
        action="store_true",
        help="print the shipped model's out-of-fold recall per topic and its most frequent"
        " confusions (training part only)",
    )
    args = parser.parse_args()
    train, held = seed_split()
    assignment = folds(train, args.folds, CV_SEED)
    print(f"seed corpus: {len(train)} training texts, {args.folds}-fold cross-validation")
    for name, (kwargs, normaliser) in VARIANTS.items():
        if args.only and not any(name.startswith(prefix) for prefix in args.only):
            continue
        if normaliser == "stemmed":
            normaliser = stemmed()
            if normaliser is None:
                print(f"  {name:<30} skipped: PySastrawi is not installed")
                continue
        runs = []
        for fold in range(args.folds):
            fold_train = [e for e, f in zip(train, assignment, strict=True) if f != fold]
            fold_test = [e for e, f in zip(train, assignment, strict=True) if f == fold]
            runs.append(scored(kwargs, normaliser, fold_train, fold_test))
        cells = []
        for measure in ("accuracy", "top3", "macro_f1"):
            values = [getattr(run, measure) for run in runs]
            cells.append(f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}")
        print(f"  {name:<30} top-1 {cells[0]}  top-3 {cells[1]}  macro-F1 {cells[2]}", flush=True)
        if args.confusion and not kwargs and normaliser is None:
            print_confusion(runs)
    if args.held_out:
        result = scored({}, None, train, held)
        print(
            f"held-out part ({result.n} texts), shipped model trained on the whole training"
            f" part: top-1 {result.accuracy:.3f}  top-3 {result.top3:.3f}"
            f"  macro-F1 {result.macro_f1:.3f}"
        )


if __name__ == "__main__":
    main()
