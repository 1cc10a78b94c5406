"""Make, once, the keys `make run` and `make dev` serve this checkout with.

    python scripts/local_keys.py data          # creates data/local.env and data/node_key.pem

`data/local.env` (mode 0600) holds SECRET_KEY, PERSONAL_DATA_KEYS, PERSONAL_DATA_LOOKUP_KEY,
AUDIT_CHAIN_KEYS, NODE_KEY_FILE and the channels' development secrets as KEY=value lines;
settings read it when ENV_FILE names it (the Makefile sets ENV_FILE for its commands).
An existing file is never rewritten and nothing here prints a key: lose the file and every
reporter's identity in the database is lost with it (docs/OPERATIONS.md).

A database that a checkout made before it had this file was encrypted with the
development keys, which the new keys cannot read: it is moved aside, not deleted, and
`make run` loads the demo again.
"""

import base64
import os
import secrets
import sys
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def write_private(path: Path, content: bytes) -> bool:
    """Write `content` to a new file only its owner can read; False if it exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    return True


def fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def node_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def move_aside_development_database(data_dir: Path) -> None:
    database = data_dir / "aduan.sqlite3"
    if not database.exists():
        return
    target = data_dir / f"before-local-keys-{time.strftime('%Y%m%d-%H%M%S')}"
    target.mkdir()
    for suffix in ("", "-wal", "-shm"):
        part = data_dir / f"aduan.sqlite3{suffix}"
        if part.exists():
            part.rename(target / part.name)
    print(
        f"Basis data lama (kunci pengembangan) dipindahkan ke {target}. / "
        f"The database made with the development keys was moved to {target}."
    )


def main(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    env_file = data_dir / "local.env"
    node_key = (data_dir / "node_key.pem").resolve()
    if not node_key.exists():
        write_private(node_key, node_key_pem())
    if env_file.exists():
        return
    move_aside_development_database(data_dir)
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PERSONAL_DATA_KEYS": fernet_key(),
        "PERSONAL_DATA_LOOKUP_KEY": secrets.token_urlsafe(32),
        "AUDIT_CHAIN_KEYS": secrets.token_urlsafe(32),
        "NODE_KEY_FILE": str(node_key),
        # The channels' webhook secrets, shared by the server and `manage.py
        # simulate_inbound` run with the same ENV_FILE.
        "SMS_GENERIC_SECRET": secrets.token_hex(32),
        "WHATSAPP_APP_SECRET": secrets.token_hex(32),
        "WHATSAPP_VERIFY_TOKEN": secrets.token_hex(16),
    }
    text = (
        "# Keys of this checkout's `make run` / `make dev`, made once by scripts/local_keys.py.\n"
        "# Back this file up with the database: without PERSONAL_DATA_KEYS and\n"
        "# PERSONAL_DATA_LOOKUP_KEY no reporter's identity can be read (docs/OPERATIONS.md).\n"
        + "".join(f"{key}={value}\n" for key, value in values.items())
    )
    if write_private(env_file, text.encode()):
        print(f"Kunci dibuat di {env_file} (0600). / Keys created in {env_file} (0600).")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "data"))
