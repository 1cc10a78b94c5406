"""Log records about requests, without query strings.

A query string can carry a secret: a reporter's tracking link (`?kunci=`) on its first
use, an Open311 `api_key`. Django's development server logs every request line with it
(`django.server`), and other request logs may quote a URL; this filter, on the console
handler, cuts the query string from every URL in records of the request loggers. The
production access log (gunicorn) is configured not to log it (deploy/gunicorn.conf.py).
"""

import logging
import re

REQUEST_LOGGERS = ("django.server", "django.request", "gunicorn.access", "aduan")
# A path ("/…" with no space or quote in it), then "?" and what follows up to the next
# space or quote.
_QUERY = re.compile(r"(/[^\s\"'?]*)\?[^\s\"']*")


def without_query_strings(text: str) -> str:
    return _QUERY.sub(r"\1", text)


class WithoutQueryStrings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith(REQUEST_LOGGERS):
            message = record.getMessage()
            cleaned = without_query_strings(message)
            if cleaned != message:
                record.msg, record.args = cleaned, ()
        return True
