"""Secrets in query strings stay out of the logs: the development server's request lines,
Django's request warnings and gunicorn's access log."""

import logging
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from aduan.core.logging import without_query_strings

ROOT = Path(__file__).resolve().parents[3]
SECRET = "Zx9-rahasia-pelapor"


def test_the_console_handler_cuts_query_strings_from_request_lines():
    """The attack: `?kunci=` secret links were written to the access log."""
    logger = logging.getLogger("django.server")
    handler = logger.handlers[0]
    record = logger.makeRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /lacak/PST-26-0000001-3/?kunci={SECRET} HTTP/1.1", "302", "0"),
        None,
    )
    assert handler.filter(record)
    line = handler.format(record)
    assert SECRET not in line and "kunci" not in line
    assert '"GET /lacak/PST-26-0000001-3/ HTTP/1.1" 302 0' in line


def test_other_messages_keep_their_question_marks():
    assert without_query_strings("Apa kabar? Baik.") == "Apa kabar? Baik."
    assert (
        without_query_strings("Not Found: /open311/v2/requests.json?api_key=aduan_x_y")
        == "Not Found: /open311/v2/requests.json"
    )


def test_gunicorns_access_log_format_has_no_query_string_or_referer():
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    config = Config()
    config.set("access_log_format", conf["access_log_format"])
    gunicorn_logger = Logger(config)
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/lacak/PST-26-0000001-3/?kunci={SECRET}",
        "PATH_INFO": "/lacak/PST-26-0000001-3/",
        "QUERY_STRING": f"kunci={SECRET}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://lapor.example/lacak/x/?kunci={SECRET}",
        "HTTP_USER_AGENT": "Ponsel",
    }
    response = SimpleNamespace(status="302 Found", sent=0, headers=[])
    request = SimpleNamespace(headers=[])
    atoms = gunicorn_logger.atoms(response, request, environ, timedelta(milliseconds=12))
    line = conf["access_log_format"] % atoms
    assert SECRET not in line and "kunci" not in line
    assert '"GET /lacak/PST-26-0000001-3/ HTTP/1.1" 302' in line


def test_the_secret_link_is_exchanged_for_the_session_and_a_clean_address(client, world):
    from aduan.reports.actions import ReporterDetails, submit_report

    result = submit_report(
        {
            "title": "Lampu jalan mati",
            "body": "Sudah dua minggu lampu jalan mati di Jl. Yos Sudarso.",
            "region": "64.08.04",
            "category": "jalan-rusak",
        },
        actor=None,
        reporter=ReporterDetails(name="Rahmat", email="rahmat@example.com"),
    )
    number = result.report.tracking_number
    response = client.get(f"/lacak/{number}/", {"kunci": result.secret})
    assert response.status_code == 302
    assert "?" not in response["Location"] and result.secret not in response["Location"]
    # The session now holds the grant: the clean address shows the reporter's page.
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert result.secret not in page.content.decode()
