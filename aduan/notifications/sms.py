"""Pluggable SMS delivery. `SMS_BACKEND` names a class with `send(phone, text, reference)`;
the console backend (development) and the locmem backend (tests) ship with Aduan.

A gateway backend for production implements the same method and raises on failure so the
outbox retries. Delivery is at least once: a message whose worker died after handing it
to the gateway is handed over again. `reference` is the notification's UUID, the same on
every attempt; pass it as the gateway's client reference (the field SMS gateways commonly
call a client or customer reference, or a message id chosen by the sender) so that a
gateway that de-duplicates on it sends the text only once."""

import logging
from importlib import import_module
from typing import NamedTuple

from django.conf import settings

logger = logging.getLogger(__name__)


class SentSMS(NamedTuple):
    phone: str
    text: str
    reference: str | None


# Messages sent through LocmemSMSBackend, for tests (like django.core.mail.outbox).
outbox: list[SentSMS] = []


class BaseSMSBackend:
    def send(self, phone: str, text: str, reference: str | None = None) -> None:
        """Send `text` to `phone`; raise on failure. `reference` identifies the message
        across attempts (see the module's docstring)."""
        raise NotImplementedError


class ConsoleSMSBackend(BaseSMSBackend):
    def send(self, phone: str, text: str, reference: str | None = None) -> None:
        # Development only: the number is masked even here so logs stay free of it.
        print(f"[SMS to ...{phone[-3:]}, ref {reference or '-'}] {text}", flush=True)


class LocmemSMSBackend(BaseSMSBackend):
    def send(self, phone: str, text: str, reference: str | None = None) -> None:
        outbox.append(SentSMS(phone, text, reference))


def get_backend() -> BaseSMSBackend:
    module_path, _, class_name = settings.SMS_BACKEND.rpartition(".")
    return getattr(import_module(module_path), class_name)()
