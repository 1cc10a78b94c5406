"""Fixtures for the routing tests: the seed model is trained once per test session."""

import pytest
import sklearn

from aduan.routing.classifier import CategoryClassifier
from aduan.routing.learning import dump, forget_cached_model
from aduan.routing.models import ClassifierModel
from aduan.routing.seed import seed_split, topic_map


@pytest.fixture(scope="session")
def seed_classifier():
    """A classifier trained on the seed corpus's training part (about a second)."""
    train, _held = seed_split()
    return CategoryClassifier().fit([t for t, _ in train], [s for _, s in train], topic_map())


@pytest.fixture
def current_seed_model(db, seed_classifier):
    """The session's seed classifier stored as this node's current model, version 1."""
    forget_cached_model()
    blob, signature = dump(seed_classifier)
    row = ClassifierModel.objects.create(
        version=1,
        is_current=True,
        seed_examples=400,
        library_version=sklearn.__version__,
        blob=blob,
        signature=signature,
    )
    yield row
    forget_cached_model()
