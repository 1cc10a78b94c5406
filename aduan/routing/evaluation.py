"""Scoring a classifier on labelled texts (docs/ROUTING.md): top-1 and top-3 accuracy of
the top-level topic, macro-F1 over topics, the confusion matrix and the worst cases."""

from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score


@dataclass
class Scores:
    n: int
    accuracy: float
    top3: float
    macro_f1: float
    labels: list[str] = field(default_factory=list)
    confusion: list[list[int]] = field(default_factory=list)
    # (true topic, predicted topic, confidence of the true topic, text or name), worst first.
    worst: list[tuple[str, str, float, str]] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "top3": round(self.top3, 4),
            "macro_f1": round(self.macro_f1, 4),
        }


def score(classifier, examples, topic_of: dict[str, str], names=None) -> Scores:
    """Scores of `classifier` on (text, category slug) pairs, at the level of topics. The
    worst cases show each text, or its name in `names` (parallel to `examples`) if given."""
    names = list(names) if names is not None else [text for text, _slug in examples]
    kept = [i for i, (_text, slug) in enumerate(examples) if slug in topic_of]
    names = [names[i] for i in kept]
    examples = [examples[i] for i in kept]
    if not examples:
        return Scores(0, 0.0, 0.0, 0.0)
    texts = [text for text, _slug in examples]
    truth = [topic_of[slug] for _text, slug in examples]
    probabilities, classes = classifier.topic_probabilities(texts)
    index = {topic: i for i, topic in enumerate(classes)}
    order = np.argsort(-probabilities, axis=1)
    predicted = [classes[row[0]] for row in order]
    top3 = [{classes[i] for i in row[:3]} for row in order]
    labels = sorted(set(truth) | set(predicted))
    worst = []
    for row, (name, true, guess) in enumerate(zip(names, truth, predicted, strict=False)):
        if true != guess:
            confidence = float(probabilities[row, index[true]]) if true in index else 0.0
            worst.append((true, guess, confidence, name))
    worst.sort(key=lambda case: case[2])
    return Scores(
        n=len(examples),
        accuracy=float(np.mean([t == p for t, p in zip(truth, predicted, strict=False)])),
        top3=float(np.mean([t in k for t, k in zip(truth, top3, strict=False)])),
        macro_f1=float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)),
        labels=labels,
        confusion=confusion_matrix(truth, predicted, labels=labels).tolist(),
        worst=worst,
    )
