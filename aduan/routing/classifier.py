"""The category classifier (docs/ROUTING.md): TF-IDF over words and character n-grams, and
linear models over them — for the top-level topic a linear SVM and a complement naive
Bayes model, averaged; for the sub-category one small linear SVM per topic.

Character n-grams (within words) carry typos, affixes and spellings no dictionary lists
("diperbaiki", "perbaikan", "prbaiki" share most of theirs); word uni- and bigrams carry
the phrases ("dana desa", "air keruh"). The topic models rank the suggestions and give
their confidence; the sub-category model picks, within each suggested topic, its most
likely sub-category. Each suggestion names the words that pushed the topic up the most
(the words' weight for that topic in the SVM times their weight in the text), so a person
can see why, and check. Confidences are the mean of the SVM's softmax and the naive Bayes
probabilities. The choices (the pair against either alone, logistic regression, SGD,
ridge, stemming, n-gram ranges) were made by 5-fold cross-validation on the seed corpus's
training part (docs/ROUTING.md, bench/routing_cv.py).

This module knows nothing of the database: it learns from (text, label) pairs and a map
label → topic, so the evaluation can run on the seed corpus alone.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

from .text import normalise

TOP_K = 3
BECAUSE_WORDS = 4
# Scale of the SVM scores before the softmax: turns margins into confidences that are
# neither all near 1/k nor all near 1 (checked against the held-out accuracy).
TEMPERATURE = 2.0
# The topic's probability is the mean of the SVM's softmax and the complement naive Bayes
# probabilities, with this weight on the SVM (chosen by cross-validation on the seed
# corpus's training part; docs/ROUTING.md).
SVM_WEIGHT = 0.5
NB_ALPHA = 0.3
# The mean probability is then raised to this power and renormalised (the ranking is
# unchanged): without it the confidences were far too low (the top topic said 29 % where
# it was right 85 % of the time); 3 minimises the log-loss of out-of-fold predictions on
# the seed corpus's training part (calibration error 0.46 → 0.05; docs/ROUTING.md).
CONFIDENCE_POWER = 3.0
# Character n-grams within words, 2 to 5 letters long (docs/ROUTING.md).
CHAR_NGRAMS = (2, 5)


def _scores(model, features) -> np.ndarray:
    scores = model.decision_function(features)
    if scores.ndim == 1:  # two classes: one score, for the second
        scores = np.column_stack([-scores, scores])
    return scores


def _softmax(scores: np.ndarray, temperature: float = TEMPERATURE) -> np.ndarray:
    scaled = scores * temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class Suggestion:
    category: str
    topic: str
    confidence: float
    because: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "category": self.category,
            "topic": self.topic,
            "confidence": round(self.confidence, 4),
            "because": list(self.because),
        }


class WordCharTfidf:
    """TF-IDF over character n-grams within words (`char_wb`), with sublinear term
    frequency and L2 rows, as `TfidfVectorizer(analyzer="char_wb", sublinear_tf=True)`
    computes it — but the n-grams of each distinct word are counted once, not once per
    occurrence: a text's n-gram counts are the sum of its words' (char_wb never crosses a
    word), so they are (texts × words counts) @ (words × n-gram counts). On a large
    history, where the same few tens of thousands of words recur in every report, this is
    most of the retraining time saved (docs/ROUTING.md). `vocabulary_`, `idf_` and
    `build_analyzer()` are what the fast path of `CategoryClassifier.suggest` reads."""

    def __init__(self, ngram_range=(2, 5), min_df: int = 1, max_features: int | None = None):
        self.ngram_range = tuple(ngram_range)
        self.min_df = min_df
        self.max_features = max_features

    def _grams(self) -> CountVectorizer:
        return CountVectorizer(
            analyzer="char_wb", ngram_range=self.ngram_range, lowercase=False, dtype=np.int32
        )

    def build_analyzer(self):
        return self._grams().build_analyzer()

    @staticmethod
    def _word_counts(clean: list[str]):
        """(texts × distinct words) counts and the distinct words, in column order."""
        index: dict[str, int] = {}
        rows, cols = [], []
        for row, text in enumerate(clean):
            for word in text.split():
                rows.append(row)
                cols.append(index.setdefault(word, len(index)))
        counts = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(clean), len(index))
        )
        counts.sum_duplicates()
        return counts, list(index)

    def fit_transform(self, clean: list[str]):
        counts, words = self._word_counts(clean)
        grams = self._grams()
        word_grams = grams.fit_transform(words) if words else sparse.csr_matrix((0, 0))
        text_grams = (counts @ word_grams).tocsc() if words else None
        if text_grams is None or text_grams.shape[1] == 0:
            raise ValueError("no character n-grams in the training texts")
        document_frequency = np.diff(text_grams.indptr)
        keep = np.flatnonzero(document_frequency >= self.min_df)
        if self.max_features is not None and len(keep) > self.max_features:
            totals = np.asarray(text_grams.sum(axis=0)).ravel()[keep]
            keep = keep[np.argsort(-totals, kind="stable")[: self.max_features]]
        names = grams.get_feature_names_out()[keep]
        order = np.argsort(names, kind="stable")  # vocabulary in sorted order, as sklearn's
        keep, names = keep[order], names[order]
        self.vocabulary_ = {str(name): i for i, name in enumerate(names)}
        selected = text_grams[:, keep].tocsr()
        self._tfidf = TfidfTransformer(sublinear_tf=True).fit(selected)
        self.idf_ = self._tfidf.idf_
        return self._tfidf.transform(selected.astype(np.float32))

    def transform(self, clean: list[str]):
        counts, words = self._word_counts(clean)
        grams = CountVectorizer(
            analyzer="char_wb",
            ngram_range=self.ngram_range,
            lowercase=False,
            dtype=np.int32,
            vocabulary=self.vocabulary_,
        )
        if words:
            selected = counts @ grams.transform(words)
        else:
            selected = sparse.csr_matrix((len(clean), len(self.vocabulary_)), dtype=np.int32)
        return self._tfidf.transform(selected.astype(np.float32))


class CategoryClassifier:
    """Fit on (texts, labels) with `topic_of` mapping each label (a sub-category or a topic
    slug) to its top-level topic slug; then `suggest(text)` gives the top 3 topics."""

    def __init__(
        self,
        *,
        C: float = 0.5,
        max_word_features: int = 200_000,
        max_char_features: int = 100_000,
        char_ngrams: tuple[int, int] = CHAR_NGRAMS,
        svm_weight: float = SVM_WEIGHT,
    ):
        self.C = C
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.char_ngrams = tuple(char_ngrams)
        self.svm_weight = svm_weight  # 1.0: the SVM alone, no naive Bayes model
        self.confidence_power = CONFIDENCE_POWER

    # -- training -------------------------------------------------------------------------

    def fit(self, texts: list[str], labels: list[str], topic_of: dict[str, str]):
        clean = [normalise(text) for text in texts]
        topics = [topic_of[label] for label in labels]
        if len(set(topics)) < 2:
            raise ValueError("need examples of at least two topics")
        # On a large history, n-grams seen once are mostly typos: leave them out.
        min_df = 1 if len(texts) < 5000 else 2
        self.words = TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            sublinear_tf=True,
            min_df=min_df,
            max_features=self.max_word_features,
            dtype=np.float32,
        )
        self.chars = WordCharTfidf(
            ngram_range=self.char_ngrams, min_df=min_df, max_features=self.max_char_features
        )
        features = sparse.hstack(
            [self.words.fit_transform(clean), self.chars.fit_transform(clean)], format="csr"
        )
        self.topic_model = LinearSVC(C=self.C)
        self.topic_model.fit(features, topics)
        # Complement naive Bayes on the same features: it is right where the SVM is unsure
        # on few examples per topic, and their mean beats either alone (docs/ROUTING.md).
        self.nb_model = None
        if self.svm_weight < 1:
            self.nb_model = ComplementNB(alpha=NB_ALPHA).fit(features, topics)
        # Sub-categories: one small model per topic, on that topic's examples labelled
        # below it (91 one-vs-rest fits over every row would cost most of the training).
        self.sub_models: dict[str, object] = {}
        rows_by_topic: dict[str, list[int]] = {}
        for i, label in enumerate(labels):
            if topic_of[label] != label:
                rows_by_topic.setdefault(topic_of[label], []).append(i)
        for topic, rows in rows_by_topic.items():
            sub_labels = [labels[i] for i in rows]
            if len(set(sub_labels)) == 1:
                self.sub_models[topic] = sub_labels[0]
            else:
                self.sub_models[topic] = LinearSVC(C=self.C).fit(features[rows], sub_labels)
        self.topic_of = dict(topic_of)
        self._index_features()
        return self

    def _index_features(self) -> None:
        # Models stored before the naive Bayes half existed are read as the SVM alone.
        if not hasattr(self, "nb_model"):
            self.nb_model, self.svm_weight = None, 1.0
        if not hasattr(self, "confidence_power"):
            self.confidence_power = 1.0
        self.n_word_features = len(self.words.vocabulary_)
        self._mean_coef = self.topic_model.coef_.mean(axis=0)
        self._char_analyzer = self.chars.build_analyzer()
        self._word_analyzer = self.words.build_analyzer()

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._index_features()

    def __getstate__(self):
        state = dict(self.__dict__)
        for derived in ("_char_analyzer", "_word_analyzer", "_mean_coef"):
            state.pop(derived, None)
        return state

    # -- suggesting -----------------------------------------------------------------------

    def _features(self, clean: list[str]):
        return sparse.hstack(
            [self.words.transform(clean), self.chars.transform(clean)], format="csr"
        )

    def topic_probabilities(self, texts: list[str]) -> tuple[np.ndarray, list[str]]:
        """(rows × topics probabilities, topic slugs) for a batch of texts."""
        clean = [normalise(text) for text in texts]
        features = self._features(clean)
        svm = _scores(self.topic_model, features)
        nb = self.nb_model.predict_log_proba(features) if self.nb_model is not None else None
        return self._combine(svm, nb), list(self.topic_model.classes_)

    def _combine(self, svm_scores: np.ndarray, nb_log_likelihood) -> np.ndarray:
        """Rows × topics probabilities: the SVM's softmax, averaged with the naive Bayes
        probabilities (a softmax of its joint log-likelihoods) when there is that model,
        then sharpened by `confidence_power` (calibration; the order is unchanged)."""
        probabilities = _softmax(svm_scores)
        if nb_log_likelihood is not None:
            weight = self.svm_weight
            probabilities = weight * probabilities + (1 - weight) * _softmax(nb_log_likelihood, 1.0)
        if self.confidence_power != 1.0:
            probabilities = probabilities**self.confidence_power
            probabilities /= probabilities.sum(axis=1, keepdims=True)
        return probabilities

    def suggest(self, text: str, k: int = TOP_K) -> list[Suggestion]:
        """The top `k` topics for one text, best first.

        Computes the TF-IDF vector and the scores directly from the fitted vocabularies,
        IDF weights and coefficients (the same numbers as `transform` and
        `decision_function`, checked by the tests): scikit-learn's input validation costs
        more than the arithmetic for a single short text."""
        clean = normalise(text)
        indices, values = self._vector(clean)
        topic_scores = self.topic_model.coef_[:, indices] @ values + self.topic_model.intercept_
        if topic_scores.shape[0] == 1:
            topic_scores = np.array([-topic_scores[0], topic_scores[0]])
        nb = None
        if self.nb_model is not None:
            nb = (self.nb_model.feature_log_prob_[:, indices] @ values)[np.newaxis, :]
        probabilities = self._combine(topic_scores[np.newaxis, :], nb)[0]
        word_features = self._word_features(
            clean, dict(zip(indices.tolist(), values.tolist(), strict=False))
        )
        topics = self.topic_model.classes_
        suggestions = []
        for index in np.argsort(-probabilities)[:k]:
            topic = str(topics[index])
            suggestions.append(
                Suggestion(
                    category=self._best_category(topic, indices, values),
                    topic=topic,
                    confidence=float(probabilities[index]),
                    because=self._because(word_features, int(index)),
                )
            )
        return suggestions

    def suggest_many(self, texts: list[str], k: int = TOP_K) -> list[list[Suggestion]]:
        return [self.suggest(text, k) for text in texts]

    def _vector(self, clean: str) -> tuple[np.ndarray, np.ndarray]:
        """(feature indices, TF-IDF values) of a normalised text, as the two vectorizers
        compute them: sublinear term frequency times IDF, each block L2-normalised."""
        all_indices, all_values = [], []
        for vectorizer, analyzer, offset in (
            (self.words, self._word_analyzer, 0),
            (self.chars, self._char_analyzer, self.n_word_features),
        ):
            vocabulary = vectorizer.vocabulary_
            counts: dict[int, int] = {}
            for gram in analyzer(clean):
                index = vocabulary.get(gram)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            indices = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            values = (1.0 + np.log(tf)) * vectorizer.idf_[indices]
            values /= np.sqrt(np.dot(values, values))
            all_indices.append(indices + offset)
            all_values.append(values)
        if not all_indices:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(all_indices), np.concatenate(all_values)

    def _best_category(self, topic: str, indices, values) -> str:
        """The sub-category of `topic` with the highest score (the topic itself when the
        model knows none of its sub-categories)."""
        model = self.sub_models.get(topic)
        if model is None:
            return topic
        if isinstance(model, str):
            return model
        scores = model.coef_[:, indices] @ values + model.intercept_
        if len(model.classes_) == 2:
            return str(model.classes_[int(scores[0] > 0)])
        return str(model.classes_[int(np.argmax(scores))])

    def _word_features(self, clean: str, values: dict[int, float]):
        """For each distinct word of the text: (its feature indices, their values) — its
        own word feature and the character n-grams inside it."""
        vocabulary_words = self.words.vocabulary_
        vocabulary_chars = self.chars.vocabulary_
        result = {}
        for word in set(clean.split()):
            indices = []
            index = vocabulary_words.get(word)
            if index is not None and index in values:
                indices.append(index)
            for gram in self._char_analyzer(word):
                index = vocabulary_chars.get(gram)
                if index is not None and self.n_word_features + index in values:
                    indices.append(self.n_word_features + index)
            if indices:
                array = np.array(indices, dtype=np.int64)
                result[word] = (array, np.array([values[i] for i in indices]))
        return result

    def _because(self, word_features, topic_index: int) -> list[str]:
        """The words of the text that pushed this topic up the most: each word's features
        times the topic's coefficients (against the mean of all topics, so words common to
        every topic do not count)."""
        coef = self.topic_model.coef_
        scores = {}
        for word, (indices, values) in word_features.items():
            if coef.shape[0] == 1:  # two topics: one row of coefficients, for the second
                weights = coef[0, indices] * (1 if topic_index == 1 else -1)
            else:
                weights = coef[topic_index, indices] - self._mean_coef[indices]
            score = float(values @ weights)
            if score > 0:
                scores[word] = score
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return [word for word, _score in ranked[:BECAUSE_WORDS]]
