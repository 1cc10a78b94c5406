"""Staff sessions end after 30 minutes without a request (the session itself lasts at most
SESSION_COOKIE_AGE, 8 hours)."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from aduan.workspace.middleware import LAST_SEEN_KEY

from .helpers import page_text

MIDDLEWARE = "aduan.workspace.middleware.StaffIdleTimeoutMiddleware"


@pytest.fixture
def idle_timeout(settings):
    if MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]
    settings.STAFF_IDLE_TIMEOUT = 30 * 60


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def test_staff_stay_signed_in_while_they_keep_working(client, world, idle_timeout, clock):
    client.force_login(world.officer)
    for _ in range(4):
        assert client.get("/petugas/").status_code == 200
        clock.shift(dt.timedelta(minutes=20))
    assert client.get("/petugas/").status_code == 200


def test_a_staff_session_ends_after_thirty_idle_minutes(client, world, idle_timeout, clock):
    client.force_login(world.officer)
    assert client.get("/petugas/").status_code == 200
    clock.shift(dt.timedelta(minutes=31))
    response = client.get("/petugas/?tab=diproses")
    assert response.status_code == 302
    assert response["Location"] == "/akun/masuk/?next=/petugas/%3Ftab%3Ddiproses"
    assert SESSION_KEY not in client.session
    login_page = client.get(response["Location"])
    assert "tidak aktif selama 30 menit" in page_text(login_page)


def test_an_idle_post_is_not_carried_out(client, world, idle_timeout, clock):
    report = world.report_in("dispositioned")
    client.force_login(world.officer)
    client.get("/petugas/")
    clock.shift(dt.timedelta(minutes=45))
    response = client.post(f"/petugas/laporan/{report.tracking_number}/tindakan/acknowledge/")
    assert response.status_code == 302
    assert response["Location"] == "/akun/masuk/"
    report.refresh_from_db()
    assert report.status == "dispositioned"


def test_citizens_are_not_timed_out(client, world, idle_timeout, clock):
    client.force_login(world.citizen)
    client.get("/akun/kata-sandi/")
    clock.shift(dt.timedelta(hours=2))
    assert client.get("/akun/kata-sandi/").status_code == 200
    assert LAST_SEEN_KEY not in client.session


def test_the_last_activity_is_not_written_on_every_request(client, world, idle_timeout, clock):
    client.force_login(world.officer)
    client.get("/petugas/")
    first = client.session[LAST_SEEN_KEY]
    clock.shift(dt.timedelta(seconds=20))
    client.get("/petugas/")
    assert client.session[LAST_SEEN_KEY] == first
    clock.shift(dt.timedelta(seconds=50))
    client.get("/petugas/")
    assert client.session[LAST_SEEN_KEY] > first
