"""Learning from decisions (docs/ROUTING.md): storing and loading the node's models,
collecting its admins' decisions as labelled examples, retraining and promoting.

Every report an admin verified or disposed with a category is a labelled example: its
title and text, and the category the admin left it with. A candidate model learns from the
seed corpus's training part and the older part of the node's history; it is compared with
the current model on the held-back slice (the newest decisions and the seed corpus's
held-out part, which no model ever learns from) and promoted only when it is more accurate
there. The worker retrains after `ROUTING_RETRAIN_AFTER` new decisions, or every
`ROUTING_RETRAIN_HOURS` when there is any new decision.
"""

import hashlib
import hmac
import io
import logging
import pickle
import threading
from dataclasses import dataclass

import sklearn
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from aduan.categories.models import Category
from aduan.core.scheduler import stop_requested
from aduan.reports.models import Report

from .classifier import CategoryClassifier
from .evaluation import Scores, score
from .models import ClassifierModel
from .seed import seed_split, topic_map

logger = logging.getLogger(__name__)

HOLDBACK_FRACTION = 0.2


# -- storing ------------------------------------------------------------------------------


def _signature(blob: bytes) -> str:
    """HMAC-SHA256 of the model's bytes under a key derived from the node's SECRET_KEY."""
    key = hashlib.sha256(b"aduan.routing.model|" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, blob, hashlib.sha256).hexdigest()


def dump(classifier: CategoryClassifier) -> tuple[bytes, str]:
    buffer = io.BytesIO()
    pickle.dump(classifier, buffer, protocol=pickle.HIGHEST_PROTOCOL)
    blob = buffer.getvalue()
    return blob, _signature(blob)


def load(row: ClassifierModel) -> CategoryClassifier | None:
    """The classifier of a row, or None when its signature is not this node's (never
    unpickled then) or it was written by another scikit-learn version."""
    blob = bytes(row.blob)
    if not hmac.compare_digest(_signature(blob), row.signature):
        logger.warning("routing model v%s: signature mismatch, not loaded", row.version)
        return None
    if row.library_version != sklearn.__version__:
        logger.warning(
            "routing model v%s: built with scikit-learn %s", row.version, row.library_version
        )
        return None
    return pickle.loads(blob)  # noqa: S301 - only blobs this node signed


_cache_lock = threading.Lock()
# The loaded current model, keyed by (version, signature).
_cache: dict[str, object] = {"key": None, "classifier": None}


def current_model(*, train_if_missing: bool = False) -> tuple[int, CategoryClassifier] | None:
    """(version, classifier) of the current model, or None when there is none this node
    can load. With `train_if_missing` (commands), trains and promotes one first; web
    requests never train: the worker does, on its next run (`due_for_retraining`)."""
    row = ClassifierModel.objects.filter(is_current=True).only("version", "signature").first()
    if row is not None and _cache["key"] == (row.version, row.signature):
        return row.version, _cache["classifier"]
    with _cache_lock:
        if row is not None:
            full = ClassifierModel.objects.get(pk=row.pk)
            classifier = load(full)
            if classifier is not None:
                _cache.update(key=(full.version, full.signature), classifier=classifier)
                return full.version, classifier
        if not train_if_missing:
            return None
        result = retrain(force=True)
        if result.promoted is None:
            return None
        row = ClassifierModel.objects.get(version=result.promoted)
        classifier = load(row)
        _cache.update(key=(row.version, row.signature), classifier=classifier)
        return row.version, classifier


def forget_cached_model() -> None:
    _cache.update(key=None, classifier=None)


# -- decisions ----------------------------------------------------------------------------


def decisions():
    """Reports an admin verified or disposed, with their category: the labelled examples."""
    return Report.objects.filter(category__isnull=False).filter(
        Q(verified_at__isnull=False) | Q(dispositioned_at__isnull=False)
    )


def _decided_after(since):
    if since is None:
        return decisions()
    return decisions().filter(Q(verified_at__gt=since) | Q(dispositioned_at__gt=since))


def history_examples(limit: int | None = None) -> list[tuple[str, str, object, str]]:
    """(text, category slug, decided at, tracking number) of the node's decisions, oldest
    first, at most `limit` of the newest. The newest are chosen by the database: at a
    million reports only those rows are read, not every decision's text."""
    decided = Greatest(
        Coalesce("verified_at", "dispositioned_at"), Coalesce("dispositioned_at", "verified_at")
    )
    rows = (
        decisions()
        .annotate(decided=decided)
        .order_by("-decided", "-pk")
        .values_list("title", "body", "category__slug", "decided", "tracking_number")
    )
    if limit:
        rows = rows[:limit]
    examples = [
        (f"{title}\n{body}", slug, at, number)
        for title, body, slug, at, number in rows.iterator(chunk_size=2000)
    ]
    examples.reverse()
    return examples


def history_split(examples, fraction: float = HOLDBACK_FRACTION):
    """(train, held back): the newest `fraction` of decisions is held back."""
    cut = len(examples) - int(len(examples) * fraction)
    return examples[:cut], examples[cut:]


def node_topic_map() -> dict[str, str]:
    """Category slug → top-level slug, for the node's categories (admins may add some)."""
    topics = dict(topic_map())
    for slug, parent in Category.objects.values_list("slug", "parent__slug"):
        topics[slug] = parent or slug
    return topics


# -- retraining ---------------------------------------------------------------------------


@dataclass
class RetrainResult:
    trained: int | None = None  # the new version, if one was trained
    promoted: int | None = None  # the version promoted, if any
    reason: str = ""
    candidate: Scores | None = None
    current: Scores | None = None


def due_for_retraining(now=None) -> tuple[bool, str]:
    now = now or timezone.now()
    current = ClassifierModel.objects.filter(is_current=True).first()
    if current is None:
        return True, "no current model"
    if current.library_version != sklearn.__version__:
        return True, "the current model was built with another scikit-learn"
    # Counted from the newest model, promoted or not: a candidate that lost saw them too.
    latest = ClassifierModel.objects.order_by("-version").first()
    after = settings.ROUTING_RETRAIN_AFTER
    new = _decided_after(latest.decisions_until)[:after].count()
    if new >= after:
        return True, f"{new} new decisions"
    age = now - latest.created_at
    if new and age.total_seconds() >= settings.ROUTING_RETRAIN_HOURS * 3600:
        return True, f"{new} new decisions and the model is {age} old"
    return False, f"{new} new decisions"


def retrain(*, force: bool = False, max_examples: int | None = None) -> RetrainResult:
    """Train a candidate; promote it if it beats the current model on the held-back slice
    (or there is no usable current model)."""
    if not force:
        due, why = due_for_retraining()
        if not due:
            return RetrainResult(reason=why)
    topics = node_topic_map()
    seed_train, seed_held = seed_split()
    history = [
        example
        for example in history_examples(max_examples or settings.ROUTING_MAX_EXAMPLES)
        if example[1] in topics
    ]
    if stop_requested():
        # Asked to stop while reading: the fit that follows can take a minute and cannot
        # be cut short. The next check (ROUTING_CHECK_MINUTES) retrains.
        return RetrainResult(reason="the worker is stopping")
    history_train, history_held = history_split(history)
    train = [(text, slug) for text, slug in seed_train] + [(t, s) for t, s, *_ in history_train]
    held = [(text, slug) for text, slug in seed_held] + [(t, s) for t, s, *_ in history_held]
    candidate = CategoryClassifier().fit([t for t, _ in train], [s for _, s in train], topics)
    candidate_scores = score(candidate, held, topics)

    current_row = ClassifierModel.objects.filter(is_current=True).first()
    current = load(current_row) if current_row is not None else None
    current_scores = score(current, held, topics) if current is not None else None
    wins = current_scores is None or candidate_scores.accuracy > current_scores.accuracy

    blob, signature = dump(candidate)
    metrics = {
        "held_back": len(held),
        "candidate": candidate_scores.summary(),
        "current": current_scores.summary() if current_scores else None,
        "current_version": current_row.version if current_row else None,
    }
    now = timezone.now()
    try:
        with transaction.atomic():
            version = (ClassifierModel.objects.aggregate(top=Max("version"))["top"] or 0) + 1
            if wins:
                ClassifierModel.objects.filter(is_current=True).update(is_current=False)
            ClassifierModel.objects.create(
                version=version,
                created_at=now,
                is_current=wins,
                promoted_at=now if wins else None,
                seed_examples=len(seed_train),
                decision_examples=len(history_train),
                decisions_until=history[-1][2] if history else None,
                metrics=metrics,
                library_version=sklearn.__version__,
                blob=blob,
                signature=signature,
            )
    except IntegrityError:
        # Another worker stored a model at the same moment; its result stands.
        return RetrainResult(reason="another retraining finished first")
    if wins:
        forget_cached_model()
    return RetrainResult(
        trained=version,
        promoted=version if wins else None,
        reason="promoted" if wins else "kept the current model",
        candidate=candidate_scores,
        current=current_scores,
    )
