"""Settings of the bare Django reference (bench/bare): one app, one URL, no middleware, no
templates, no sessions, no authentication. The database and its connection settings are
Aduan's (DATABASE_URL, DB_CONN_MAX_AGE), so the two differ only in what the view does.

    DJANGO_SETTINGS_MODULE=bare.settings gunicorn bare.wsgi -c deploy/gunicorn.conf.py \
        --pythonpath bench
"""

import os
import secrets

import dj_database_url

# Nothing here is signed (no sessions, no cookies), but Django wants a key: from the
# environment, else a fresh random one per process.
SECRET_KEY = os.environ.get("BENCH_BARE_SECRET_KEY") or secrets.token_urlsafe(50)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS = ["bare"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bare.urls"
WSGI_APPLICATION = "bare.wsgi.application"
USE_TZ = True
TIME_ZONE = "UTC"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ["DATABASE_URL"], conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", 60))
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
