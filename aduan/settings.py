"""Aduan settings.

Every setting comes from an environment variable with a safe development default.
Each variable is documented in `.env.example`. With DEBUG off the process refuses to
start on the development secret key, on an unset encryption key or without SITE_URL.
"""

import hashlib
import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """A variable that is unset or empty takes its default."""
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def development_secret(data_dir: Path) -> str:
    """A random secret made once per data folder (git-ignored), so no secret lives in
    the code and a development node keeps its sessions across restarts. Production must
    set SECRET_KEY in the environment."""
    path = data_dir / ".development_secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: the web process and the worker may start at the same moment.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
        return path.read_text().strip()


def load_env_file(path: Path, hint: str) -> None:
    """KEY=value lines into the environment; variables already set there win."""
    if not path.exists():
        raise ImproperlyConfigured(f"{path} not found ({hint})")
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            os.environ.setdefault(key.strip(), value.strip())


# `NODE=<name>` runs against one of the demo nodes made by `make nodes`: their settings are
# in data/nodes/<name>/node.env.
if env_str("NODE"):
    load_env_file(
        BASE_DIR / "data" / "nodes" / env_str("NODE") / "node.env", "run `make nodes` first"
    )
# `ENV_FILE=data/local.env`: the keys `make run` and `make dev` generate once for this
# checkout (scripts/local_keys.py, docs/OPERATIONS.md). Read only when named, so a
# production node never picks up a key file lying in its data folder by accident.
if env_str("ENV_FILE"):
    load_env_file(Path(env_str("ENV_FILE")), "run `make run` once to create it")

DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "data")))
# A fixed Fernet key for development and tests only (base64 of 32 bytes).
DEV_ENCRYPTION_KEY = "ZGV2LW9ubHktaW5zZWN1cmUtZW5jcnlwdGlvbi1rZXk="

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY") or (development_secret(DATA_DIR) if DEBUG else "")
# Comma-separated Fernet keys; the first encrypts, all decrypt (key rotation).
PERSONAL_DATA_KEYS = env_list("PERSONAL_DATA_KEYS", DEV_ENCRYPTION_KEY)
# Key for the keyed hash (HMAC) that lets us look up a contact without decrypting.
PERSONAL_DATA_LOOKUP_KEY = env_str("PERSONAL_DATA_LOOKUP_KEY", SECRET_KEY)
# Keys of the audit chain's seals (an HMAC of every stored event), kept outside the
# database so that whoever can write to it cannot re-seal an edited history; the first
# seals, all verify (rotation). Required when DEBUG is off; in development it defaults to
# SECRET_KEY (docs/SECURITY.md).
AUDIT_CHAIN_KEYS = env_list("AUDIT_CHAIN_KEYS") or [SECRET_KEY]


def check_keys(personal: list[str], lookup: str, audit: list[str]) -> None:
    """Refuse to start with keys that cannot work: otherwise the process starts and every
    encryption fails later, report by report. Each Fernet key is 32 bytes in URL-safe
    base64; the HMAC keys need at least 32 characters outside development."""
    import base64
    import binascii

    if not personal:
        raise ImproperlyConfigured("PERSONAL_DATA_KEYS kosong. / PERSONAL_DATA_KEYS is empty.")
    for index, key in enumerate(personal, 1):
        try:
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raw = b""
        if len(raw) != 32:
            raise ImproperlyConfigured(
                f"PERSONAL_DATA_KEYS: kunci ke-{index} bukan kunci Fernet (32 bita dalam "
                "base64 URL-safe; buat dengan `python -c 'from cryptography.fernet import "
                "Fernet; print(Fernet.generate_key().decode())'`). / "
                f"PERSONAL_DATA_KEYS: key {index} is not a Fernet key (32 bytes, URL-safe "
                "base64)."
            )
    if not DEBUG:
        for name, values in (("PERSONAL_DATA_LOOKUP_KEY", [lookup]), ("AUDIT_CHAIN_KEYS", audit)):
            if not values or any(len(value) < 32 for value in values):
                raise ImproperlyConfigured(
                    f"{name}: setiap kunci minimal 32 karakter. / "
                    f"{name}: every key needs at least 32 characters."
                )


# Signed checkpoints of the whole history (docs/SECURITY.md): taken by the worker every
# AUDIT_CHECKPOINT_MINUTES and written, with the chain heads they cover, into
# AUDIT_CHECKPOINT_DIR for the operator to copy off the machine.
AUDIT_CHECKPOINT_MINUTES = env_int("AUDIT_CHECKPOINT_MINUTES", 60)
AUDIT_CHECKPOINT_DIR = env_str("AUDIT_CHECKPOINT_DIR", str(DATA_DIR / "checkpoints"))

if not DEBUG:
    if len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "SECRET_KEY harus diatur (min. 32 karakter) saat DEBUG mati. / "
            "SECRET_KEY must be set (at least 32 characters) when DEBUG is off."
        )
    if DEV_ENCRYPTION_KEY in PERSONAL_DATA_KEYS:
        raise ImproperlyConfigured(
            "PERSONAL_DATA_KEYS harus diatur saat DEBUG mati. / "
            "PERSONAL_DATA_KEYS must be set when DEBUG is off."
        )
    if not env_str("PERSONAL_DATA_LOOKUP_KEY"):
        raise ImproperlyConfigured("PERSONAL_DATA_LOOKUP_KEY must be set when DEBUG is off.")
    if not env_list("AUDIT_CHAIN_KEYS"):
        # Not SECRET_KEY by default: rotating it (sessions) must leave the seals alone.
        raise ImproperlyConfigured(
            "AUDIT_CHAIN_KEYS harus diatur saat DEBUG mati. / "
            "AUDIT_CHAIN_KEYS must be set when DEBUG is off (docs/SECURITY.md)."
        )
check_keys(PERSONAL_DATA_KEYS, PERSONAL_DATA_LOOKUP_KEY, AUDIT_CHAIN_KEYS)

# Staff roles that must use two-step verification (an authenticator app) before any page:
# the national and agency admins in production, nobody by default in development (the
# demo accounts). Comma-separated role codes (national_admin, agency_admin, unit_officer,
# supervisor).
TWO_FACTOR_REQUIRED_ROLES = env_list(
    "TWO_FACTOR_REQUIRED_ROLES", "" if DEBUG else "national_admin,agency_admin"
)

# Cookies only over HTTPS (session, CSRF, language). On with DEBUG off; `make run`, which
# serves plain HTTP on 127.0.0.1, turns it off.
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Which node this installation is: "central" or "regional" (docs/FEDERATION.md).
NODE_ROLE = env_str("NODE_ROLE", "central")
if NODE_ROLE not in ("central", "regional"):
    raise ImproperlyConfigured("NODE_ROLE must be 'central' or 'regional'")
# Short node id, part of every tracking number so numbers never collide across nodes.
NODE_ID = env_str("NODE_ID", "PST")
# The node's Ed25519 private key (PEM), kept outside the database. Made on first use in
# development; production creates it with `manage.py node_key --generate`.
NODE_KEY_FILE = env_str("NODE_KEY_FILE", str(DATA_DIR / "node_key.pem"))
# Replication: events per batch, seconds a signed request stays valid, seconds before an
# idle link is retried at most, minutes before a stuck link is raised to the admins, and
# seconds between two reconciliations with each peer.
FEDERATION_BATCH_SIZE = env_int("FEDERATION_BATCH_SIZE", 500)
FEDERATION_REPLAY_WINDOW = env_int("FEDERATION_REPLAY_WINDOW", 300)
FEDERATION_MAX_BACKOFF = env_int("FEDERATION_MAX_BACKOFF", 300)
FEDERATION_STUCK_MINUTES = env_int("FEDERATION_STUCK_MINUTES", 30)
FEDERATION_RECONCILE_SECONDS = env_int("FEDERATION_RECONCILE_SECONDS", 900)
# Reconciliation leaves to the streams the events they are still carrying (not yet
# acknowledged by the peer): while the link acknowledged within this many seconds, or
# for this long after an event was recorded. Past that, a link that stopped carrying them
# has them repaired by reconciliation (docs/FEDERATION.md, Reconciliation).
FEDERATION_RECONCILE_SETTLE_SECONDS = env_int("FEDERATION_RECONCILE_SETTLE_SECONDS", 60)
# Several worker processes: one runs the federation loop, under a lease of this many
# seconds renewed while it works; another takes over this long after it died.
FEDERATION_LEASE_SECONDS = env_int("FEDERATION_LEASE_SECONDS", 20)
# Hours between two deep reconciliations, which recompute every history from its events
# (finding an event edited in place even where its stored hash was left alone).
FEDERATION_DEEP_RECONCILE_HOURS = env_int("FEDERATION_DEEP_RECONCILE_HOURS", 24)
# Reports per slice of a deep pass (each slice one request; docs/FEDERATION.md).
FEDERATION_DEEP_SLICE = env_int("FEDERATION_DEEP_SLICE", 20000)
FEDERATION_TIMEOUT = env_int("FEDERATION_TIMEOUT", 30)
# While events come in steadily, milliseconds between two pushes to a peer: the reports
# of that time travel together (fewer requests and applies, less CPU on both nodes) for
# at most that much more lag. A backlog is sent back to back regardless. Each push costs
# both nodes about 30 ms of CPU whatever it carries (docs/FEDERATION.md, Cost to intake).
FEDERATION_PUSH_WAIT_MS = env_int("FEDERATION_PUSH_WAIT_MS", 1000)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "aduan.core",
    "aduan.accounts",
    "aduan.regions",
    "aduan.workdays",
    "aduan.categories",
    "aduan.agencies",
    "aduan.reports",
    "aduan.notifications",
    "aduan.channels",
    "aduan.portal",
    "aduan.workspace",
    "aduan.api",
    "aduan.open311",
    "aduan.stats",
    "aduan.federation",
    "aduan.audit",
    "aduan.alerts",
    "aduan.privacy",
    "aduan.routing",
]
# The development demo (`seed_demo`, behind `make run`) and the benchmark generator
# (`generate_reports`, behind `make bench`) live in one app of their own, installed by
# default only with DEBUG on: a production node has neither command nor their data.
DEVDATA_ENABLED = env_bool("DEVDATA_ENABLED", DEBUG)
if DEVDATA_ENABLED:
    INSTALLED_APPS.append("aduan.devdata")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # In place of Django's LocaleMiddleware: Indonesian unless the person chose English
    # (the browser's Accept-Language is not asked); after authentication, since a
    # signed-in person's account remembers the choice.
    "aduan.core.language.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "aduan.workspace.middleware.StaffIdleTimeoutMiddleware",
    "aduan.accounts.middleware.RequireSecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, with the policy built once (aduan/core/csp.py).
    "aduan.core.csp.CSPMiddleware",
]

# Static files from the web process itself (WhiteNoise, from STATIC_ROOT after
# `collectstatic`), where no reverse proxy serves /static/: on with DEBUG off, so `make run`
# serves them; behind nginx they never reach it (deploy/nginx/aduan.conf).
SERVE_STATIC = env_bool("SERVE_STATIC", not DEBUG)
if SERVE_STATIC:
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "aduan.urls"
WSGI_APPLICATION = "aduan.wsgi.application"

# <select> widgets drawn in Python (identical markup, a fraction of the CPU).
FORM_RENDERER = "aduan.core.renderers.FastSelectRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "aduan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "aduan.core.context_processors.site",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'aduan.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web process read and write side by side; IMMEDIATE
    # transactions take the write lock up front so two writers queue instead of failing.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# Read replicas and connection pooling (docs/REPLICAS.md). DATABASE_REPLICA_URLS names
# PostgreSQL streaming replicas of the default database, comma-separated; they become the
# aliases replica1, replica2, ... and only the read-only pages marked for them read there
# (aduan/core/dbrouting.py). In the test suite they mirror the default database unless
# REPLICA_TEST_MIRROR=false (the live replica scenarios of harness/replicas.py).
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS")
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    _replica = dj_database_url.parse(_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    # A replica that does not answer within this many seconds is marked down.
    _replica.setdefault("OPTIONS", {})["connect_timeout"] = env_int("REPLICA_CONNECT_TIMEOUT", 2)
    if env_bool("REPLICA_TEST_MIRROR", True):
        _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_number}"] = _replica
# A replica further behind the primary than this is passed over (reads go to the primary).
REPLICA_MAX_LAG_SECONDS = float(env_str("REPLICA_MAX_LAG_SECONDS", "5"))
# How long a replica's measured lag (or its being down) is trusted before it is measured
# again, per process.
REPLICA_CHECK_SECONDS = float(env_str("REPLICA_CHECK_SECONDS", "2"))
# After a person's own write their reads stay on the primary this long (never less than
# REPLICA_MAX_LAG_SECONDS, so what they just did is always there when they look).
READ_YOUR_WRITES_SECONDS = max(
    float(env_str("READ_YOUR_WRITES_SECONDS", "10")), REPLICA_MAX_LAG_SECONDS
)
# A replica found down is tried again after this many seconds.
REPLICA_RETRY_SECONDS = float(env_str("REPLICA_RETRY_SECONDS", "10"))
if DATABASE_REPLICA_URLS:
    DATABASE_ROUTERS = ["aduan.core.dbrouting.ReplicaRouter"]
    # Last, so that its choice comes after every other middleware's checks and it is the
    # first to see a failed replica's error (and answers from the primary instead).
    MIDDLEWARE.append("aduan.core.dbrouting.ReplicaReadMiddleware")
# DATABASE_POOLER=pgbouncer: every database connection goes through PgBouncer in transaction
# mode, which hands a server connection to a client only for one transaction. Nothing may
# outlive a transaction: no server-side cursors (a WITH HOLD cursor stays on the server
# connection), no server-side prepared statements (PgBouncer before 1.21 does not track
# them). Django's own persistent connections are pointless there: PgBouncer is the pool.
DATABASE_POOLER = env_str("DATABASE_POOLER", "")
if DATABASE_POOLER not in ("", "pgbouncer"):
    raise ImproperlyConfigured("DATABASE_POOLER must be empty or 'pgbouncer'")
if DATABASE_POOLER == "pgbouncer":
    for _alias in DATABASES:
        if DATABASES[_alias]["ENGINE"] != "django.db.backends.postgresql":
            continue
        DATABASES[_alias]["DISABLE_SERVER_SIDE_CURSORS"] = True
        DATABASES[_alias]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 0)
        # psycopg 3: never prepare (Django binds parameters on the client by default,
        # which prepares nothing either; this keeps it so if server_side_binding is set).
        DATABASES[_alias].setdefault("OPTIONS", {})["prepare_threshold"] = None
else:
    # psycopg 3 prepares a statement on its connection after this many uses. Only the
    # statements sent with server-side binding are concerned (`aduan.core.rowsql`: the
    # rows every submission writes); Django's own queries bind on the client and are never
    # prepared. Django's default is None, never.
    for _alias in DATABASES:
        if DATABASES[_alias]["ENGINE"] == "django.db.backends.postgresql":
            DATABASES[_alias].setdefault("OPTIONS", {}).setdefault(
                "prepare_threshold", env_int("DB_PREPARE_THRESHOLD", 5)
            )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["aduan.accounts.backends.LocalAccountBackend"]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
# The language switch's choice is remembered on this browser for a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LOCALE_PATHS = [BASE_DIR / "aduan" / "templates" / "locale"]
# All timestamps are stored in UTC; deadlines are computed in the agency's own zone.
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "aduan" / "static"]
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))

# Attachments: limits checked before anything is written (docs/ARCHITECTURE.md, Privacy).
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENT_MAX_COUNT = env_int("ATTACHMENT_MAX_COUNT", 5)
ATTACHMENT_MAX_PIXELS = env_int("ATTACHMENT_MAX_PIXELS", 40_000_000)
# Reports filed on the web per hour by one reporter (account or verified contact) or one
# browser session, and from one client address (offices share an address).
REPORTS_PER_HOUR_PER_REPORTER = env_int("REPORTS_PER_HOUR_PER_REPORTER", 10)
REPORTS_PER_HOUR_PER_ADDRESS = env_int("REPORTS_PER_HOUR_PER_ADDRESS", 30)
# All the images of one request together (checked from their headers before decoding).
ATTACHMENT_MAX_REQUEST_PIXELS = env_int("ATTACHMENT_MAX_REQUEST_PIXELS", 60_000_000)
# Behind nginx: attachments are sent by nginx from an internal location that maps this
# URL prefix onto MEDIA_ROOT (X-Accel-Redirect), after Django has checked who may see them;
# empty: Django streams the file itself (deploy/nginx/aduan.conf).
ATTACHMENT_ACCEL_REDIRECT = env_str("ATTACHMENT_ACCEL_REDIRECT", "")
# Where uploaded files live (attachments, files waiting on a form, chat photos, the open
# data): "filesystem" (MEDIA_ROOT; with several web hosts, a directory they all mount) or
# "s3" (S3-compatible object storage through django-storages: MinIO, Ceph, AWS S3, a
# cloud's object store). Every code path goes through Django's storage API. With S3 the
# objects are private; after Django has checked who may see a file it answers with a
# redirect to a presigned URL valid ATTACHMENT_URL_SECONDS, or, with
# ATTACHMENT_S3_REDIRECT=false, streams the object itself (docs/DEPLOYMENT.md).
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "filesystem")
ATTACHMENT_URL_SECONDS = env_int("ATTACHMENT_URL_SECONDS", 300)
ATTACHMENT_S3_REDIRECT = env_bool("ATTACHMENT_S3_REDIRECT", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
S3_ORIGIN = ""
if STORAGE_BACKEND == "s3":
    _S3_ENDPOINT = env_str("AWS_S3_ENDPOINT_URL", "")
    _S3_BUCKET = env_str("AWS_STORAGE_BUCKET_NAME", "")
    _S3_REGION = env_str("AWS_S3_REGION_NAME", "")
    if not _S3_BUCKET:
        raise ImproperlyConfigured(
            "STORAGE_BACKEND=s3 memerlukan AWS_STORAGE_BUCKET_NAME / "
            "STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME"
        )
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _S3_BUCKET,
            # Empty: AWS itself; otherwise MinIO, Ceph RGW, a cloud's S3 endpoint.
            "endpoint_url": _S3_ENDPOINT or None,
            "region_name": _S3_REGION or None,
            # Empty: boto3's own chain (environment, instance role, ~/.aws).
            "access_key": env_str("AWS_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY", "") or None,
            "location": env_str("AWS_LOCATION", ""),
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE", "") or None,
            "signature_version": "s3v4",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": ATTACHMENT_URL_SECONDS,
            # Every name is a fresh UUID (attachments, pending uploads) or a file meant to
            # be replaced whole (the open data): no HEAD request before each upload.
            "file_overwrite": True,
            "object_parameters": {"CacheControl": "private, no-store"},
        },
    }
    # Images shown in pages are fetched from the presigned URL: the policy must allow it.
    if _S3_ENDPOINT:
        S3_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(_S3_ENDPOINT))
    else:
        S3_ORIGIN = "https://*.amazonaws.com"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Background work: django-tasks with the database backend. Tasks are rows written in the
# same transaction as the change that caused them, so a rollback drops them too.
# The retention schedule of personal data (docs/PRIVACY.md), one period per kind of data,
# applied by the worker (`privacy.tasks.apply_retention`) in batches of RETENTION_BATCH_SIZE.
RETENTION = {
    # Codes that proved an e-mail address or phone number: deleted (also whenever a new
    # verification starts, `portal.verification.KEEP_ROWS_FOR`; this is for quiet nodes).
    "contact_verifications": env_int("RETENTION_CONTACT_VERIFICATION_DAYS", 2),
    # Messages received on SMS/WhatsApp: sender and text erased this long after their
    # report was closed, archived or withdrawn (or after receipt, without a report).
    "channel_messages": env_int("RETENTION_CHANNEL_MESSAGE_DAYS", 180),
    # The address (and secret values) of a message sent: erased this long after it was
    # delivered or given up.
    "notification_addresses": env_int("RETENTION_NOTIFICATION_ADDRESS_DAYS", 90),
    # The identity and contacts of a reporter without an account: erased this long after
    # the last of their reports ended.
    "reporters": env_int("RETENTION_REPORTER_DAYS", 5 * 365),
    # The log of staff reads of personal data: deleted after this long.
    "access_logs": env_int("RETENTION_ACCESS_LOG_DAYS", 5 * 365),
}
RETENTION_BATCH_SIZE = env_int("RETENTION_BATCH_SIZE", 500)
RETENTION_EVERY_MINUTES = env_int("RETENTION_EVERY_MINUTES", 60)

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "aduan.core.tasks_backend.QueueBackend"),
        "QUEUES": ["default", "notifications", "schedule"],
        "ENQUEUE_ON_COMMIT": False,
    }
}
# Requests per minute to the REST API without a key (per address) and for browser sessions.
API_ANONYMOUS_RATE_PER_MINUTE = env_int("API_ANONYMOUS_RATE_PER_MINUTE", 30)
API_SESSION_RATE_PER_MINUTE = env_int("API_SESSION_RATE_PER_MINUTE", 120)
# Cached page parts (statistics, home page figures, region choices). The default is per
# process; with several web processes set CACHE_BACKEND=database so they share it (then run
# `manage.py createcachetable`). API rate limits are counted in their own table.
if env_str("CACHE_BACKEND", "locmem") == "database":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "aduan_cache",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Reference data (categories, regions, the working-day calendar, API keys, rendered
# <select> choices) in each process's own memory, under a version kept in the database:
# a change is seen by every request and background task that starts after it commits
# (core/refcache.py). REFCACHE_SECONDS only bounds writes that bypass the version.
REFCACHE_SECONDS = env_int("REFCACHE_SECONDS", 300)
CACHES["reference"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "aduan-reference",
    "TIMEOUT": REFCACHE_SECONDS,
    # Regions looked up by code at intake are the most numerous (91,000 exist).
    "OPTIONS": {"MAX_ENTRIES": 20_000},
}
# Seconds between two runs of the periodic jobs (deadline scan, notification sweep).
WORKER_SCHEDULE_SECONDS = env_int("WORKER_SCHEDULE_SECONDS", 60)
# Statistics upkeep (docs/STATISTICS.md, "Deferred upkeep"): "deferred" writes each
# change as one delta row with the report and the worker folds the deltas into the
# aggregates every STATS_FOLD_SECONDS; "immediate" updates the aggregates inside each action.
STATS_UPKEEP = env_str("STATS_UPKEEP", "deferred")
if STATS_UPKEEP not in ("deferred", "immediate"):
    raise ImproperlyConfigured("STATS_UPKEEP must be 'deferred' or 'immediate'")
STATS_FOLD_SECONDS = env_int("STATS_FOLD_SECONDS", 1)
# E-mail alerts (docs/ALERTS.md): minutes between two digests to one subscriber (the
# worker's alert run), and subscription requests accepted per client address per minute.
ALERTS_DIGEST_MINUTES = env_int("ALERTS_DIGEST_MINUTES", 60)
ALERTS_SUBSCRIBE_PER_MINUTE = env_int("ALERTS_SUBSCRIBE_PER_MINUTE", 5)
# Category suggestions (docs/ROUTING.md): the worker retrains after this many new
# decisions, or after this many hours when there is at least one, checking at most every
# ROUTING_CHECK_MINUTES; at most this many of the newest decisions are learned from.
ROUTING_RETRAIN_AFTER = env_int("ROUTING_RETRAIN_AFTER", 200)
ROUTING_CHECK_MINUTES = env_int("ROUTING_CHECK_MINUTES", 15)
ROUTING_RETRAIN_HOURS = env_int("ROUTING_RETRAIN_HOURS", 24)
ROUTING_MAX_EXAMPLES = env_int("ROUTING_MAX_EXAMPLES", 200_000)
# A worker that has not written its heartbeat for this long is reported as down, and the
# notifications it had claimed are handed to another worker (docs/OPERATIONS.md).
WORKER_HEARTBEAT_MAX_AGE = env_int("WORKER_HEARTBEAT_MAX_AGE", 180)
# Seconds a notification stays claimed before the sweep may hand it over, if the worker
# that claimed it is gone; a live worker's claim is handed over only after
# NOTIFICATION_CLAIM_MAX_SECONDS (a send that hangs past every timeout).
NOTIFICATION_CLAIM_STALE_SECONDS = env_int("NOTIFICATION_CLAIM_STALE_SECONDS", 120)
NOTIFICATION_CLAIM_MAX_SECONDS = env_int("NOTIFICATION_CLAIM_MAX_SECONDS", 3600)
# Seconds before the sweep queues a new message whose delivery job has not run (a worker
# killed after the change committed), and before a task left "running" by a dead worker is
# run again.
NOTIFICATION_SWEEP_AFTER_SECONDS = env_int("NOTIFICATION_SWEEP_AFTER_SECONDS", 120)
TASK_STALE_SECONDS = env_int("TASK_STALE_SECONDS", 15 * 60)
# Pruning by the worker: finished task rows after TASK_RESULTS_KEEP_DAYS, notifications
# sent after NOTIFICATIONS_KEEP_DAYS (failed ones, the dead letters, stay for the admin),
# PRUNE_BATCH_SIZE rows per statement.
TASK_RESULTS_KEEP_DAYS = env_int("TASK_RESULTS_KEEP_DAYS", 7)
NOTIFICATIONS_KEEP_DAYS = env_int("NOTIFICATIONS_KEEP_DAYS", 90)
PRUNE_BATCH_SIZE = env_int("PRUNE_BATCH_SIZE", 1000)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds before a silent mail server gives up a send (retried later), so that a worker
# never holds a notification's claim for long.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Aduan <noreply@aduan.localhost>")
SMS_BACKEND = env_str("SMS_BACKEND", "aduan.notifications.sms.ConsoleSMSBackend")

# Messages received on channels (docs/CHANNELS.md). An adapter whose secret is not set
# answers its webhooks with 404.
# The generic SMS format: the shared secret of its signatures, and where Aduan posts the
# messages it sends when SMS_BACKEND is aduan.channels.gateways.GenericSMSGateway.
# In development (DEBUG) it defaults to one derived from SECRET_KEY, so that `make run`
# and `manage.py simulate_inbound sms` in the same checkout agree without configuration.
SMS_GENERIC_SECRET = env_str("SMS_GENERIC_SECRET", "") or (
    hashlib.sha256(f"sms-generic:{SECRET_KEY}".encode()).hexdigest() if DEBUG else ""
)
SMS_GENERIC_SEND_URL = env_str("SMS_GENERIC_SEND_URL", "")
# Twilio Programmable Messaging (SMS_BACKEND=aduan.channels.gateways.TwilioSMSGateway).
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER", "")
TWILIO_MESSAGING_SERVICE_SID = env_str("TWILIO_MESSAGING_SERVICE_SID", "")
TWILIO_API_BASE = env_str("TWILIO_API_BASE", "https://api.twilio.com").rstrip("/")
# WhatsApp Business Cloud API (docs/CHANNELS.md, "Setting up WhatsApp"). The app secret
# signs Meta's webhooks (X-Hub-Signature-256); the verify token answers Meta's subscription
# check; the access token and phone number id send. In development (DEBUG) the app secret
# and verify token default to values derived from SECRET_KEY, so that `make run` and
# `manage.py simulate_inbound whatsapp` in the same checkout agree; without an access
# token, messages are printed on the console instead of sent.
WHATSAPP_APP_SECRET = env_str("WHATSAPP_APP_SECRET", "") or (
    hashlib.sha256(f"whatsapp-app:{SECRET_KEY}".encode()).hexdigest() if DEBUG else ""
)
WHATSAPP_VERIFY_TOKEN = env_str("WHATSAPP_VERIFY_TOKEN", "") or (
    hashlib.sha256(f"whatsapp-verify:{SECRET_KEY}".encode()).hexdigest()[:32] if DEBUG else ""
)
WHATSAPP_ACCESS_TOKEN = env_str("WHATSAPP_ACCESS_TOKEN", "")
WHATSAPP_PHONE_NUMBER_ID = env_str("WHATSAPP_PHONE_NUMBER_ID", "")
WHATSAPP_API_BASE = env_str("WHATSAPP_API_BASE", "https://graph.facebook.com/v21.0").rstrip("/")
# The approved template for messages outside the 24-hour customer service window: one body
# parameter ({{1}}) that carries the notification's text.
WHATSAPP_TEMPLATE_NAME = env_str("WHATSAPP_TEMPLATE_NAME", "aduan_pemberitahuan")
WHATSAPP_TEMPLATE_LANGUAGE = env_str("WHATSAPP_TEMPLATE_LANGUAGE", "id")
# How long an unfinished guided conversation (what, where, photo, confirm) is kept.
WHATSAPP_CONVERSATION_MINUTES = env_int("WHATSAPP_CONVERSATION_MINUTES", 60)
# E-mail intake (`manage.py run_mail_listener`, docs/CHANNELS.md): the address citizens
# write to (also the Reply-To of the mail sent to them), the recipients the listener
# accepts (addresses, or "@domain" for a whole domain; default: the address) and the
# largest message in bytes (files are base64, a third larger than on disk). In development
# `make run` starts the listener for lapor@aduan.localhost on port 8025.
EMAIL_INTAKE_ADDRESS = env_str("EMAIL_INTAKE_ADDRESS", "lapor@aduan.localhost" if DEBUG else "")
EMAIL_INTAKE_RECIPIENTS = env_list("EMAIL_INTAKE_RECIPIENTS", EMAIL_INTAKE_ADDRESS)
EMAIL_INTAKE_MAX_BYTES = env_int("EMAIL_INTAKE_MAX_BYTES", 30 * 1024 * 1024)
# The name under which the mail server in front of the listener records its SPF, DKIM and
# DMARC checks (`Authentication-Results: mx.example.go.id; dmarc=pass ...`). Set in
# production: mail is then read only when that server proves its `From` domain. Empty
# (development, tests of other things): every `From` is believed.
EMAIL_AUTHSERV_ID = env_str("EMAIL_AUTHSERV_ID")
# Seconds to wait for a provider's API.
CHANNEL_HTTP_TIMEOUT = env_int("CHANNEL_HTTP_TIMEOUT", 15)
# Messages accepted per channel per minute (beyond: HTTP 429 to the provider), and per
# sender within a window (beyond: stored, not acted on, the sender told once).
CHANNEL_RATE_PER_MINUTE = env_int("CHANNEL_RATE_PER_MINUTE", 600)
CHANNEL_SENDER_LIMIT = env_int("CHANNEL_SENDER_LIMIT", 10)
CHANNEL_SENDER_WINDOW_MINUTES = env_int("CHANNEL_SENDER_WINDOW_MINUTES", 60)
# The longest answer by SMS, in SMS (a part of a long message is 153 GSM-7 characters).
CHANNEL_REPLY_MAX_SEGMENTS = env_int("CHANNEL_REPLY_MAX_SEGMENTS", 2)
# The public address of this node, the base of every link in e-mail and SMS. `make run`
# sets it to the address it serves; production must give it, since a default would send
# reporters links to somebody's laptop.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
if not DEBUG:
    _site = urlsplit(SITE_URL)
    if _site.scheme not in ("http", "https") or not _site.hostname:
        raise ImproperlyConfigured(
            "SITE_URL harus diatur ke alamat publik node ini (mis. "
            "https://lapor.kutaitimurkab.go.id) saat DEBUG mati. / "
            "SITE_URL must be set to this node's public address (e.g. "
            "https://lapor.kutaitimurkab.go.id) when DEBUG is off."
        )
# Open311 jurisdiction_id this node answers to (empty: the host name of SITE_URL).
OPEN311_JURISDICTION_ID = env_str("OPEN311_JURISDICTION_ID", "")
OPEN311_CONTACT = env_str("OPEN311_CONTACT", "")
# Map tiles for the maps (docs/MAPS.md); only browsers fetch them, pages work without them.
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")

# Content-Security-Policy on every page (django-csp, docs/SECURITY.md): scripts, styles,
# fonts and connections only from this site, images also from the map's tile server; no
# inline script or style, no framing, forms post here only.
_TILE_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(MAP_TILE_URL.replace("{s}", "*")))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", _TILE_ORIGIN]
        + ([S3_ORIGIN] if S3_ORIGIN and ATTACHMENT_S3_REDIRECT else []),
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")

# Session and cookie security appropriate for a government system.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
# Staff are logged out after this many idle seconds (citizens keep their session).
STAFF_IDLE_TIMEOUT = env_int("STAFF_IDLE_TIMEOUT", 30 * 60)
# Our own reverse proxies (addresses or networks): the client address of every rate limit
# and of the login throttle is read from X-Forwarded-For, right to left, past these
# (aduan/core/addresses.py). The default trusts the proxy on the same host that
# docs/DEPLOYMENT.md describes; empty: REMOTE_ADDR is always the client.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "127.0.0.1,::1")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or network.")
if os.environ.get("LOGIN_TRUSTED_PROXIES", "0").strip() not in ("", "0"):
    raise ImproperlyConfigured(
        "LOGIN_TRUSTED_PROXIES (a hop count) is replaced by TRUSTED_PROXIES: list the "
        "addresses or networks of your reverse proxies (default 127.0.0.1,::1)."
    )
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Request logs never carry query strings (a `?kunci=` secret link, an api_key).
    "filters": {"without_query_strings": {"()": "aduan.core.logging.WithoutQueryStrings"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["without_query_strings"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The development server's request lines, through the filtered handler.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
# Staff authenticator apps (django-otp TOTP): the name the app lists the account under, and
# no secrets or QR codes of existing devices in the admin (an admin can still remove a lost one).
OTP_TOTP_ISSUER = "Aduan"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Duplicate clusters and campaigns (docs/ROUTING.md, Duplicate clusters and campaigns).
# Clusters: candidates submitted within CLUSTER_WINDOW_DAYS of each other, within
# CLUSTER_RADIUS_KM when both have a point; text similarity (0-100) needed with the same
# category, and without it. Campaigns: texts at least CAMPAIGN_SIMILARITY % alike from at
# least CAMPAIGN_MIN_SENDERS distinct reporters within CAMPAIGN_WINDOW_HOURS.
CLUSTER_WINDOW_DAYS = env_int("CLUSTER_WINDOW_DAYS", 14)
CLUSTER_RADIUS_KM = env_int("CLUSTER_RADIUS_KM", 1)
CLUSTER_TEXT_SAME_CATEGORY = env_int("CLUSTER_TEXT_SAME_CATEGORY", 30)
CLUSTER_TEXT_ANY_CATEGORY = env_int("CLUSTER_TEXT_ANY_CATEGORY", 50)
CAMPAIGN_SIMILARITY = env_int("CAMPAIGN_SIMILARITY", 90)
CAMPAIGN_MIN_SENDERS = env_int("CAMPAIGN_MIN_SENDERS", 5)
CAMPAIGN_WINDOW_HOURS = env_int("CAMPAIGN_WINDOW_HOURS", 48)
# Shorter texts ("lampu jalan mati") are alike for everyone with the problem: no campaign.
CAMPAIGN_MIN_WORDS = env_int("CAMPAIGN_MIN_WORDS", 12)
