"""This node's Ed25519 signing key and the checks of a peer's signature.

The private key lives in a file outside the database (`NODE_KEY_FILE`), so that someone who
can write to the database still cannot speak for the node. The public key is shared with
peers when they are paired; its fingerprint is what two operators compare out of band.
"""

import base64
import hashlib
import os
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _key_path() -> Path:
    return Path(settings.NODE_KEY_FILE)


def generate_key_file(path: Path | None = None, *, overwrite: bool = False) -> Path:
    """Write a new private key (PEM, PKCS#8) readable by its owner only."""
    path = path or _key_path()
    if path.exists() and not overwrite:
        raise FileExistsError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    os.replace(tmp, path)
    private_key.cache_clear()
    return path


@lru_cache(maxsize=1)
def private_key() -> Ed25519PrivateKey:
    path = _key_path()
    if not path.exists():
        if settings.DEBUG or getattr(settings, "NODE_KEY_AUTOCREATE", False):
            generate_key_file(path)
        else:
            raise ImproperlyConfigured(
                f"Kunci simpul tidak ditemukan di {path}; buat dengan `manage.py node_key "
                f"--generate`. / The node key {path} is missing; create it with "
                "`manage.py node_key --generate`."
            )
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{path} is not an Ed25519 private key")
    return key


def public_key_b64() -> str:
    raw = (
        private_key()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return base64.b64encode(raw).decode("ascii")


def fingerprint(public_key: str) -> str:
    """A short, readable digest of a public key for operators to compare out of band:
    SHA-256 of the raw key, first 20 bytes, in groups of four hex digits."""
    digest = hashlib.sha256(base64.b64decode(public_key)).hexdigest()[:40].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 40, 4))


def own_fingerprint() -> str:
    return fingerprint(public_key_b64())


def sign(message: bytes) -> str:
    return base64.b64encode(private_key().sign(message)).decode("ascii")


def load_public_key(public_key: str) -> Ed25519PublicKey:
    raw = base64.b64decode(public_key, validate=True)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def verify(public_key: str, message: bytes, signature: str) -> bool:
    try:
        load_public_key(public_key).verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
