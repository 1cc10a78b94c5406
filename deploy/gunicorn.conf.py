"""Gunicorn settings for Aduan in production (docs/DEPLOYMENT.md).

    gunicorn aduan.wsgi -c deploy/gunicorn.conf.py

Every value can be overridden with the environment variables below.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: Aduan's requests are short and database-bound; 2 × cores (+1) processes
# keep both the CPU and the database busy. Threads add little under the GIL.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
worker_class = "sync" if threads == 1 else "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
# Recycle a worker now and then so a slow leak never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 10_000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 1_000))
# Uploads are up to 10 MB each; requests are read by Django, not buffered here.
limit_request_line = 8190
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# The path without its query string, and no Referer: a query string can carry a secret
# (a reporter's `?kunci=` tracking link before it is exchanged for a session, an Open311
# `api_key`), and logs are kept and read by more people than should hold those secrets.
# Gunicorn's default format logs the whole request line (%(r)s) and the Referer (%(f)s).
access_log_format = '%(h)s %(l)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(L)s'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Behind a reverse proxy (nginx/Caddy) that terminates TLS on the same host.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
