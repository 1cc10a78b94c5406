"""Helpers for the Open311 tests: an integrator's key, and reading either format."""

import json
from xml.etree import ElementTree as ET

import pytest

from aduan.api.keys import issue_key

BASE = "/open311/v2/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache, keyed by the key's row id, which a rolled-back
    test may hand to the next test's key."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def integrator_key(world):
    """A key for a civic app that submits on behalf of guests (no service account)."""
    return issue_key("Aplikasi Warga Kutim").secret


def parse_xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - our own server's answer, in a test


def body(response):
    """The parsed body of a response: JSON as is, XML as an ElementTree element."""
    if response["Content-Type"].startswith("application/json"):
        return json.loads(response.content)
    return parse_xml(response.content)


def xml_records(root, item: str) -> list[dict]:
    """The <item> children of an XML list as {tag: text} dicts (nested lists skipped)."""
    return [
        {child.tag: (child.text or "") for child in element if len(child) == 0}
        for element in root.findall(item)
    ]


def records(response, item: str = "request") -> list[dict]:
    """A list response in either format as dicts of strings, for comparing both."""
    parsed = body(response)
    if isinstance(parsed, list):
        return [
            {
                k: ("" if v is None else str(v).lower() if isinstance(v, bool) else str(v))
                for k, v in entry.items()
                if not isinstance(v, list | dict)
            }
            for entry in parsed
        ]
    return xml_records(parsed, item)


def post_form(integrator_key, **fields):
    data = {
        "api_key": integrator_key,
        "service_code": "jalan-rusak",
        "description": "Jalan di depan SDN 003 Sangatta Utara berlubang besar dan tergenang.",
        "lat": "0.5123",
        "long": "117.5456",
        "email": "warga.kutim@example.com",
        "first_name": "Rahmat",
        "last_name": "Hidayat",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}
