"""Aduan settings.

Every setting comes from an environment variable with a safe development default.
Each variable is documented in `.env.example`. With DEBUG off the process refuses to
start on the development secret key, on an unset encryption key or without SITE_URL.
"""

import hashlib
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


def load_node_file(name: str) -> None:
    """`NODE=<name>` runs against one of the demo nodes made by `make nodes`: their settings
    are in data/nodes/<name>/node.env (KEY=value lines). Variables set in the environment
    win over the file."""
    path = BASE_DIR / "data" / "nodes" / name / "node.env"
    if not path.exists():
        raise ImproperlyConfigured(f"NODE={name}: {path} not found (run `make nodes` first)")
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            os.environ.setdefault(key.strip(), value.strip())


if env_str("NODE"):
    load_node_file(env_str("NODE"))

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
# seals, all verify (rotation). Defaults to SECRET_KEY; set it in production so that
# rotating SECRET_KEY leaves the seals alone (docs/SECURITY.md).
AUDIT_CHAIN_KEYS = env_list("AUDIT_CHAIN_KEYS") or [SECRET_KEY]
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
# Hours between two deep reconciliations, which recompute every history from its events
# (finding an event edited in place even where its stored hash was left alone).
FEDERATION_DEEP_RECONCILE_HOURS = env_int("FEDERATION_DEEP_RECONCILE_HOURS", 24)
# Reports per slice of a deep pass (each slice one request; docs/FEDERATION.md).
FEDERATION_DEEP_SLICE = env_int("FEDERATION_DEEP_SLICE", 20000)
FEDERATION_TIMEOUT = env_int("FEDERATION_TIMEOUT", 30)

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
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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
LANGUAGE_COOKIE_SECURE = not DEBUG
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
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Background work: django-tasks with the database backend. Tasks are rows written in the
# same transaction as the change that caused them, so a rollback drops them too.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
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
# A worker that has not written its heartbeat for this long is reported as down.
WORKER_HEARTBEAT_MAX_AGE = env_int("WORKER_HEARTBEAT_MAX_AGE", 180)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
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
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")

# Session and cookie security appropriate for a government system.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
# Staff are logged out after this many idle seconds (citizens keep their session).
STAFF_IDLE_TIMEOUT = env_int("STAFF_IDLE_TIMEOUT", 30 * 60)
# Reverse proxies in front of the app: the client address for login throttling is taken
# this many hops from the right of X-Forwarded-For (0: use REMOTE_ADDR).
LOGIN_TRUSTED_PROXIES = env_int("LOGIN_TRUSTED_PROXIES", 0)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
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
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
# Staff authenticator apps (django-otp TOTP): the name the app lists the account under, and
# no secrets or QR codes of existing devices in the admin (an admin can still remove a lost one).
OTP_TOTP_ISSUER = "Aduan"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
