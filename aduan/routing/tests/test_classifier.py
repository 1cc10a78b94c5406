"""The classifier and the normaliser, without the database."""

import pickle

import numpy as np
import pytest

from aduan.routing.classifier import CategoryClassifier
from aduan.routing.seed import seed_examples, seed_split, topic_map
from aduan.routing.text import normalise


def test_informal_spellings_are_replaced_by_the_standard_words():
    assert normalise("Jln rusak PARAHHH dpn sd, anak2 takut https://x.id/a") == (
        "jalan rusak parah depan sd anak anak takut"
    )
    assert normalise("") == ""


def test_the_seed_corpus_has_at_least_30_examples_of_every_top_level_category():
    topics = topic_map()
    counts: dict[str, int] = {}
    for _text, slug in seed_examples():
        counts[topics[slug]] = counts.get(topics[slug], 0) + 1
    top_level = set(topics.values())
    assert set(counts) == top_level
    assert min(counts.values()) >= 30


def test_the_held_out_split_is_fixed_and_disjoint():
    train, held = seed_split()
    assert seed_split() == (train, held)
    assert not set(train) & set(held)
    assert len(held) == pytest.approx(len(seed_examples()) * 0.2, abs=16)


def test_a_suggestion_names_the_topic_its_best_category_and_the_words_behind_it(
    seed_classifier,
):
    suggestions = seed_classifier.suggest("jln rusak parah dpn sd, lubang besar tlg diperbaiki")

    assert len(suggestions) == 3
    best = suggestions[0]
    assert (best.category, best.topic) == ("jalan-rusak", "infrastruktur")
    assert {"jalan", "lubang"} <= set(best.because)
    confidences = [s.confidence for s in suggestions]
    assert confidences == sorted(confidences, reverse=True)
    assert 0 < sum(confidences) <= 1
    assert len({s.topic for s in suggestions}) == 3


def test_the_fast_path_gives_the_same_numbers_as_scikit_learn(seed_classifier):
    _train, held = seed_split()
    texts = [text for text, _slug in held[:40]]
    probabilities, classes = seed_classifier.topic_probabilities(texts)
    for row, text in enumerate(texts):
        best = seed_classifier.suggest(text)[0]
        assert best.topic == classes[int(np.argmax(probabilities[row]))]
        assert best.confidence == pytest.approx(probabilities[row].max(), abs=1e-5)


def test_a_text_without_any_word_still_gets_three_suggestions(seed_classifier):
    suggestions = seed_classifier.suggest("123 !!! ???")
    assert len(suggestions) == 3
    assert all(s.because == [] for s in suggestions)


def test_a_pickled_classifier_suggests_the_same(seed_classifier):
    copy = pickle.loads(pickle.dumps(seed_classifier))  # noqa: S301 - its own bytes
    text = "air pdam keruh bau kaporit sdh seminggu"
    assert copy.suggest(text) == seed_classifier.suggest(text)


def test_labels_of_a_single_topic_are_refused():
    with pytest.raises(ValueError):
        CategoryClassifier().fit(["a", "b"], ["jalan-rusak", "jalan-rusak"], topic_map())
