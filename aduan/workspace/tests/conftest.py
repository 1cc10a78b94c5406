"""Fixtures for the workspace tests."""

import pytest
from django.test import Client


@pytest.fixture
def signed_in(client):
    """signed_in(user) -> a fresh test client signed in as that user (a fresh session, so
    time travel in one test never trips the staff idle timeout of an earlier request)."""

    def sign_in(user):
        fresh = Client()
        fresh.force_login(user)
        # One request settles the session (the idle-timeout stamp) before measurements.
        fresh.get("/healthz")
        return fresh

    return sign_in
