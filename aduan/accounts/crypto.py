"""Encryption of personal data at rest, with key rotation.

Reporter names, NIK, phone numbers and e-mail addresses are personal data (UU 27/2022 on
personal data protection). They are stored as Fernet tokens; `PERSONAL_DATA_KEYS` holds
one or more keys, the first encrypts and all decrypt, so a key can be rotated by putting a
new key first and running `manage.py rotate_encryption_keys`. Exact-match lookups (find a
guest reporter by e-mail) use a keyed HMAC "blind index", never the plaintext.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.PERSONAL_DATA_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode("ascii")).decode("utf-8")


def rotate(token: str) -> str:
    """Re-encrypt a token with the newest key (no-op in meaning, new ciphertext)."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")


def lookup_hash(value: str) -> str:
    """Keyed hash of a normalised value for equality lookups without decryption."""
    normalised = value.strip().lower()
    key = settings.PERSONAL_DATA_LOOKUP_KEY.encode("utf-8")
    return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column whose value is encrypted in the database and plain in Python.

    Empty strings are stored as empty strings (nothing to protect, and it keeps
    "has a phone number?" checks cheap)."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return decrypt(value)
        except InvalidToken as exc:
            raise ValueError(
                "Personal data cannot be decrypted with the configured PERSONAL_DATA_KEYS"
            ) from exc

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))
