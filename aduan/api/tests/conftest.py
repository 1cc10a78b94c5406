"""API test helpers: keys for the personas and a client that speaks JSON."""

import json

import pytest
from django.test import Client

from aduan.accounts.models import Role, User
from aduan.api.keys import issue_key


class ApiClient:
    """Django's test client with the API key header and JSON bodies."""

    def __init__(self, secret: str | None = None, client: Client | None = None):
        self.client = client or Client()
        self.headers = {"X-API-Key": secret} if secret else {}

    def get(self, path, params=None, headers=None):
        return self.client.get(path, params or {}, headers=self.headers | (headers or {}))

    def post(self, path, data=None, headers=None):
        return self.client.post(
            path,
            json.dumps(data if data is not None else {}),
            content_type="application/json",
            headers=self.headers | (headers or {}),
        )

    def post_raw(self, path, body, content_type, headers=None):
        return self.client.post(
            path, body, content_type=content_type, headers=self.headers | (headers or {})
        )

    def post_multipart(self, path, data, headers=None):
        return self.client.post(path, data, headers=self.headers | (headers or {}))


def service_account(username, role, agency):
    return User.objects.create_user(
        username=username, password="kata-sandi-uji-123", role=role, agency=agency
    )


@pytest.fixture
def anonymous():
    return ApiClient()


@pytest.fixture
def integrator(world):
    """A key that may submit reports and read public data (no agency scope)."""
    return ApiClient(issue_key("Aplikasi warga").secret)


@pytest.fixture
def kutim_key(world):
    """Pemkab Kutai Timur's integration, acting as its agency-admin service account."""
    user = service_account("layanan_kutim", Role.AGENCY_ADMIN, world.pemkab)
    return ApiClient(issue_key("SIMPEL Kutim", user=user, agency=world.pemkab).secret)


@pytest.fixture
def dinas_pu_key(world):
    """Dinas PU Kutai Timur's integration, acting as a unit-officer service account."""
    user = service_account("layanan_pu", Role.UNIT_OFFICER, world.dinas_pu)
    return ApiClient(issue_key("Aplikasi Dinas PU", user=user, agency=world.dinas_pu).secret)


@pytest.fixture
def paser_key(world):
    """Another regency's integration: an outsider to Kutai Timur's reports."""
    user = service_account("layanan_paser", Role.AGENCY_ADMIN, world.pemkab_paser)
    return ApiClient(issue_key("Aplikasi Paser", user=user, agency=world.pemkab_paser).secret)


def error_code(response) -> str:
    return response.json()["error"]["code"]
