import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The public page caches its figures for a minute; every test starts cold.
    cache.clear()
    yield
    cache.clear()
