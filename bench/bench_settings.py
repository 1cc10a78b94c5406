"""Production-like settings for the benchmarks: aduan.settings with DEBUG off.

The benchmark database was generated with the development encryption key (the generator
runs with the defaults), and aduan.settings refuses that key when DEBUG is off; so this
module loads the settings in their development form and only then turns DEBUG off —
for benchmarks on a throw-away database, never for a deployment.
"""

import os

os.environ.setdefault("DEBUG", "1")
# As documented for deployment: several gunicorn workers share one cache in the database.
os.environ.setdefault("CACHE_BACKEND", "database")

from aduan.settings import *  # noqa: E402, F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
