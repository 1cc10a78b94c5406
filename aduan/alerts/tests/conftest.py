import re

import pytest
from django.core import mail

from aduan.alerts import subscriptions
from aduan.alerts.subscriptions import Area


@pytest.fixture(autouse=True)
def _alert_settings(settings):
    settings.SITE_URL = "https://lapor.example.go.id"
    settings.ALERTS_SUBSCRIBE_PER_MINUTE = 100


def link(body: str, kind: str) -> str:
    """The path of the first `konfirmasi` or `berhenti` link in a mail's body."""
    match = re.search(rf"https://lapor\.example\.go\.id(/langganan/{kind}/[^/\s]+/)", body)
    assert match, body
    return match.group(1)


def subscribe(email: str, area: Area, category=None):
    """A confirmed subscription, made through the real request and confirmation."""
    subscription = subscriptions.request_subscription(email, area, category, ip="192.0.2.1")
    return subscriptions.confirm(subscriptions.confirm_token(subscription))


def mails_to(address: str) -> list:
    """The alert digests sent to `address` (not its confirmation mails)."""
    return [
        message
        for message in mail.outbox
        if message.to == [address] and message.subject.startswith("Peringatan Aduan")
    ]
