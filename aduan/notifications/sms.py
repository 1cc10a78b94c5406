"""Pluggable SMS delivery. `SMS_BACKEND` names a class with `send(phone, text)`; the
console backend (development) and the locmem backend (tests) ship with Aduan. A gateway
backend for production implements the same method and raises on failure so the outbox
retries."""

import logging
from importlib import import_module

from django.conf import settings

logger = logging.getLogger(__name__)

# Messages sent through LocmemSMSBackend, for tests (like django.core.mail.outbox).
outbox: list[tuple[str, str]] = []


class BaseSMSBackend:
    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSMSBackend(BaseSMSBackend):
    def send(self, phone: str, text: str) -> None:
        # Development only: the number is masked even here so logs stay free of it.
        print(f"[SMS to ...{phone[-3:]}] {text}", flush=True)


class LocmemSMSBackend(BaseSMSBackend):
    def send(self, phone: str, text: str) -> None:
        outbox.append((phone, text))


def get_backend() -> BaseSMSBackend:
    module_path, _, class_name = settings.SMS_BACKEND.rpartition(".")
    return getattr(import_module(module_path), class_name)()
