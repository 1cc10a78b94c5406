"""Category suggestions: suggestion latency and retraining time (docs/ROUTING.md).

    .venv/bin/python bench/routing.py [--decisions 100000] [--suggestions 3000]

1. Latency of one suggestion (normalising, TF-IDF, both linear models, the words behind
   the top 3) with a model trained on the seed corpus, over the held-out texts repeated;
   beside a bare reference (lower-casing and splitting the same text) that shows what the
   machine's noise alone costs at p95.
2. Retraining on N synthetic decisions: seed texts with words dropped, letters swapped
   and words of other texts mixed in, so the vocabulary grows as real history's would.
   Only the fit is timed (reading N reports from the database adds a few seconds), in
   wall-clock and in CPU seconds of this process (less disturbed by other jobs on a
   shared machine), beside the reference: the previous retraining (character n-grams
   counted per occurrence by scikit-learn's TfidfVectorizer, the SVM alone), fitted in
   the same run on the same texts, so the ratio holds when the machine is loaded.
   `--no-reference` leaves it out.
Needs no database. Runs in two to five minutes on 2 cores.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aduan.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402

from aduan.routing import classifier  # noqa: E402
from aduan.routing.classifier import CategoryClassifier  # noqa: E402
from aduan.routing.seed import seed_examples, seed_split, topic_map  # noqa: E402


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def synthetic(n: int, rng: random.Random) -> tuple[list[str], list[str]]:
    examples = list(seed_examples())
    words = [w for text, _ in examples for w in text.split()]
    texts, labels = [], []
    for _ in range(n):
        text, label = rng.choice(examples)
        tokens = [t for t in text.split() if rng.random() > 0.15]
        for i, token in enumerate(tokens):
            if len(token) > 3 and rng.random() < 0.1:
                j = rng.randrange(len(token) - 1)
                tokens[i] = token[:j] + token[j + 1] + token[j] + token[j + 2 :]
        tokens += rng.sample(words, 3)
        texts.append(" ".join(tokens))
        labels.append(label)
    return texts, labels


def reference_fit(texts, labels, topics):
    """The retraining before the per-word character n-grams and the naive Bayes half."""

    def vectorizer(ngram_range, min_df, max_features):
        return TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=ngram_range,
            sublinear_tf=True,
            min_df=min_df,
            max_features=max_features,
            dtype=np.float32,
        )

    with mock.patch.object(classifier, "WordCharTfidf", vectorizer):
        return CategoryClassifier(svm_weight=1.0).fit(texts, labels, topics)


def timed(fit, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    model = fit(*args)
    return model, time.perf_counter() - wall, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--suggestions", type=int, default=3000)
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args()
    topics = topic_map()
    train, held = seed_split()
    model = CategoryClassifier().fit([t for t, _ in train], [s for _, s in train], topics)
    texts = [text for text, _ in held]

    for text in texts:  # warm up
        model.suggest(text)
    suggest_ms, suggest_cpu_ms, bare_ms = [], [], []
    for i in range(args.suggestions):
        text = texts[i % len(texts)]
        start, cpu = time.perf_counter(), time.thread_time()
        model.suggest(text)
        suggest_ms.append((time.perf_counter() - start) * 1000)
        suggest_cpu_ms.append((time.thread_time() - cpu) * 1000)
        start = time.perf_counter()
        text.lower().split()
        bare_ms.append((time.perf_counter() - start) * 1000)
    print(f"suggestion ({args.suggestions} texts, seed model):")
    print(
        f"  p50 {statistics.median(suggest_ms):.2f} ms  p95 {percentile(suggest_ms, 95):.2f} ms"
        f"  p99 {percentile(suggest_ms, 99):.2f} ms  max {max(suggest_ms):.2f} ms"
    )
    print(
        f"  CPU time of this thread: p50 {statistics.median(suggest_cpu_ms):.2f} ms"
        f"  p95 {percentile(suggest_cpu_ms, 95):.2f} ms  p99 {percentile(suggest_cpu_ms, 99):.2f} ms"
    )
    print(
        f"  bare reference (lower + split): p50 {statistics.median(bare_ms):.4f} ms"
        f"  p95 {percentile(bare_ms, 95):.4f} ms"
    )

    rng = random.Random(7)
    texts, labels = synthetic(args.decisions, rng)
    big, wall, cpu = timed(CategoryClassifier().fit, texts, labels, topics)
    print(f"retraining on {args.decisions} synthetic decisions: {wall:.1f} s (CPU {cpu:.1f} s)")
    if not args.no_reference:
        _ref, ref_wall, ref_cpu = timed(reference_fit, texts, labels, topics)
        print(
            f"  reference (previous retraining), same texts: {ref_wall:.1f} s (CPU {ref_cpu:.1f} s);"
            f" ratio {wall / ref_wall:.2f} wall, {cpu / ref_cpu:.2f} CPU"
        )
    suggest_ms, suggest_cpu_ms = [], []
    for i in range(1000):
        text = held[i % len(held)][0]
        start, cpu = time.perf_counter(), time.thread_time()
        big.suggest(text)
        suggest_ms.append((time.perf_counter() - start) * 1000)
        suggest_cpu_ms.append((time.thread_time() - cpu) * 1000)
    print(
        f"  suggestion with that model: p50 {statistics.median(suggest_ms):.2f} ms"
        f"  p95 {percentile(suggest_ms, 95):.2f} ms; CPU p50"
        f" {statistics.median(suggest_cpu_ms):.2f} ms  p95 {percentile(suggest_cpu_ms, 95):.2f} ms"
    )


if __name__ == "__main__":
    main()
