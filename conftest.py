"""Shared test personas and helpers.

State is built through the domain actions, never by writing report rows by hand. The
named personas: a citizen (reporter), an outsider citizen, a national admin, the agency
admin of Pemkab Kutai Timur (Diskominfo Staper), an officer of its Dinas PU, an officer of
its DLH, the admin and an officer of another regency (Paser), and a supervisor for
Kalimantan Timur.
"""

import datetime as dt
import os
import shutil

import pytest
from django.utils import timezone, translation

from aduan.accounts.models import Role, User
from aduan.agencies.models import Agency, AgencyKind, RoutingRule
from aduan.categories.models import Category
from aduan.regions.models import Region, RegionLevel, TimeZone

# `--clock=INSTANT` runs the whole suite as if it started then (see the plugin's docstring).
pytest_plugins = ["aduan.core.tests.clock"]


# Tests that use something the whole machine shares (a fixed database or role name, the
# fault harness's template, `make` in this checkout): under `pytest -n` (pytest-xdist, as
# `make test` runs) they all go to one worker, one after another (`--dist loadgroup`).
MACHINE_WIDE = (
    "harness/test_harness.py",
    "aduan/core/tests/test_crash_drill.py",
    "aduan/core/tests/test_restore_drill.py",
    "aduan/core/tests/test_ensure_postgres.py",
    "aduan/core/tests/test_make_run.py",
    "aduan/core/tests/test_deploy_files.py",
    "aduan/core/tests/test_local_keys.py",
)
# Drills that prove the machinery rather than the calendar (processes killed and started,
# several workers on one queue, a backup restored, the whole country's regions loaded): the run with a moved clock
# leaves them out (`-m "not drill"`), the two database runs keep them.
DRILLS = (
    "aduan/core/tests/test_crash_drill.py",
    "aduan/core/tests/test_restore_drill.py",
    "aduan/regions/tests/test_full_load.py",
    "harness/test_harness.py",
    "aduan/core/tests/test_many_workers.py",
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        # Browser tests are marked by the fixture they use, so `-m "not browser"` selects the
        # fast part of the suite without a list of files to keep up to date.
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
        path = item.nodeid.split("::", 1)[0]
        if path in MACHINE_WIDE:
            item.add_marker(pytest.mark.xdist_group("machine-wide"))
        if path in DRILLS:
            item.add_marker(pytest.mark.drill)


@pytest.fixture(autouse=True)
def _isolated_side_effects(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    # The node's signing key (checkpoints, federation): made on first use, per test.
    settings.NODE_KEY_FILE = str(tmp_path / "node_key.pem")
    settings.NODE_KEY_AUTOCREATE = True
    settings.SMS_BACKEND = "aduan.notifications.sms.LocmemSMSBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NODE_ID = "PST"
    # Statistics updated inside each action, so a test reads its figures right after the
    # action; the deferred upkeep (deltas folded by the worker, production's default) has
    # its own tests, which switch it on (aduan/stats/tests/test_deltas.py).
    settings.STATS_UPKEEP = "immediate"
    # Argon2 is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from aduan.core import refcache, scheduler
    from aduan.federation import keys
    from aduan.notifications import sms

    keys.private_key.cache_clear()
    # A test that stopped the in-process worker (run_worker's SIGTERM handler) leaves the
    # next test's scans and suggestions free to run.
    scheduler.clear_stop()
    # The language middleware leaves the request's language active in the thread (as
    # Django's does); a test starts in the site's language, not the last request's.
    translation.deactivate()

    sms.outbox.clear()
    # Rolled-back test rows send no delete signal, and the rolled-back reference version
    # comes back: drop the cached reference data (holidays included) each test.
    refcache.clear()


def make_region(code, name, level, parent=None, tz=TimeZone.WITA):
    return Region.objects.create(code=code, name=name, level=level, parent=parent, timezone=tz)


class World:
    """The reference data and people every lifecycle test needs."""

    def __init__(self):
        L = RegionLevel
        self.kaltim = make_region("64", "Kalimantan Timur", L.PROVINCE)
        self.paser = make_region("64.01", "Kabupaten Paser", L.REGENCY, self.kaltim)
        self.kutim = make_region("64.08", "Kabupaten Kutai Timur", L.REGENCY, self.kaltim)
        self.sangatta_utara = make_region("64.08.04", "Sangatta Utara", L.DISTRICT, self.kutim)
        self.village = make_region("64.08.04.1001", "Singa Gembara", L.VILLAGE, self.sangatta_utara)
        self.sangkulirang = make_region("64.08.05", "Sangkulirang", L.DISTRICT, self.kutim)
        self.jakarta = make_region("31", "DKI Jakarta", L.PROVINCE, tz=TimeZone.WIB)

        self.infrastruktur = Category.objects.create(
            slug="infrastruktur", name="Infrastruktur", name_en="Infrastructure"
        )
        self.jalan = Category.objects.create(
            slug="jalan-rusak",
            name="Jalan rusak",
            name_en="Damaged road",
            parent=self.infrastruktur,
        )
        self.lingkungan = Category.objects.create(
            slug="lingkungan-hidup", name="Lingkungan Hidup", name_en="Environment"
        )
        self.limbah = Category.objects.create(
            slug="limbah", name="Limbah", name_en="Waste", parent=self.lingkungan
        )

        self.national = Agency.objects.create(
            name="Pengelola SP4N-LAPOR! Nasional", kind=AgencyKind.NATIONAL
        )
        self.pemkab = Agency.objects.create(
            name="Pemerintah Kabupaten Kutai Timur",
            short_name="Pemkab Kutim",
            kind=AgencyKind.REGENCY,
            timezone=TimeZone.WITA,
        )
        self.pemkab.jurisdiction.add(self.kutim)
        self.dinas_pu = Agency.objects.create(
            name="Dinas Pekerjaan Umum Kutai Timur",
            short_name="Dinas PU",
            kind=AgencyKind.UNIT,
            parent=self.pemkab,
            timezone=TimeZone.WITA,
        )
        self.dlh = Agency.objects.create(
            name="Dinas Lingkungan Hidup Kutai Timur",
            short_name="DLH",
            kind=AgencyKind.UNIT,
            parent=self.pemkab,
            timezone=TimeZone.WITA,
        )
        self.pemkab_paser = Agency.objects.create(
            name="Pemerintah Kabupaten Paser", kind=AgencyKind.REGENCY, timezone=TimeZone.WITA
        )
        self.pemkab_paser.jurisdiction.add(self.paser)
        self.pu_paser = Agency.objects.create(
            name="Dinas PU Paser",
            kind=AgencyKind.UNIT,
            parent=self.pemkab_paser,
            timezone=TimeZone.WITA,
        )
        self.rule_jalan = RoutingRule.objects.create(
            category=self.jalan, region=self.kutim, agency=self.pemkab, unit=self.dinas_pu
        )

        def user(username, role, agency=None, **extra):
            return User.objects.create_user(
                username=username,
                password="kata-sandi-uji-123",
                role=role,
                agency=agency,
                email=f"{username}@example.go.id",
                **extra,
            )

        self.national_admin = user("admin_nasional", Role.NATIONAL_ADMIN, self.national)
        self.agency_admin = user("admin_kutim", Role.AGENCY_ADMIN, self.pemkab)
        self.officer = user("petugas_pu", Role.UNIT_OFFICER, self.dinas_pu)
        self.dlh_officer = user("petugas_dlh", Role.UNIT_OFFICER, self.dlh)
        self.other_admin = user("admin_paser", Role.AGENCY_ADMIN, self.pemkab_paser)
        self.other_officer = user("petugas_pu_paser", Role.UNIT_OFFICER, self.pu_paser)
        self.supervisor = user("pengawas_kaltim", Role.SUPERVISOR, scope_region=self.kaltim)
        self.citizen = user("warga", Role.CITIZEN)
        self.outsider = user("warga_lain", Role.CITIZEN)
        from aduan.accounts.models import Reporter

        Reporter.objects.create(
            user=self.citizen,
            name="Siti Aminah",
            nik="6408041234567890",
            phone="081234567890",
            email="siti@example.com",
        )
        Reporter.objects.create(user=self.outsider, name="Budi", email="budi@example.com")

    # -- building state through real actions -------------------------------------------

    def submit(self, actor=None, files=(), **data):
        from aduan.reports.actions import submit_report

        payload = {
            "report_type": "complaint",
            "title": "Jalan poros Sangatta–Bengalon berlubang",
            "body": "Lubang besar di KM 12 sudah tiga bulan dan membahayakan pengendara motor.",
            "region": "64.08.04",
            "category": "jalan-rusak",
        }
        payload.update(data)
        return submit_report(payload, actor=actor or self.citizen, files=files).report

    def report_in(self, status, **data):
        """A report brought to `status` through the lifecycle actions."""
        from aduan.reports import actions as a

        r = self.submit(**data)
        if status == "submitted":
            return r
        if status == "on_hold":
            return a.put_on_hold(r, "Mohon foto lokasi.", actor=self.national_admin)
        if status == "archived":
            return a.archive_report(r, "spam", actor=self.national_admin)
        if status == "withdrawn":
            return a.withdraw_report(r, actor=self.citizen)
        r = a.dispose_report(r, self.pemkab, unit=self.dinas_pu, actor=self.national_admin)
        if status == "dispositioned":
            return r
        if status == "returned":
            return a.return_not_authority(r, "Bukan jalan kabupaten.", actor=self.officer)
        r = a.acknowledge_report(r, actor=self.officer)
        if status == "in_progress":
            return r
        r = a.post_follow_up(r, "Sudah ditambal pada 3 Maret.", actor=self.officer)
        if status == "responded":
            return r
        if status == "closed":
            return a.accept_response(r, actor=self.citizen)
        raise ValueError(status)


@pytest.fixture
def world(db):
    return World()


def run_tasks():
    """Run every queued background task now, as the worker would after commit."""
    from unittest import mock

    from django_tasks_db.management.commands import db_worker

    # The worker closes connections between tasks; inside a test's transaction that
    # would close the test's own connection.
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        db_worker.Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()


@pytest.fixture
def tasks():
    return run_tasks


def aware(y, m, d, h=9, minute=0, tz="Asia/Makassar"):
    from zoneinfo import ZoneInfo

    return dt.datetime(y, m, d, h, minute, tzinfo=ZoneInfo(tz)).astimezone(dt.UTC)


@pytest.fixture
def start_of_a_minute():
    """The clock at one second past 09:00 on a stated day, running on: for tests of a
    limit counted per calendar minute, which would see their requests split across two
    minutes if the suite's own clock crossed one in the middle of the test."""
    import time_machine

    with time_machine.travel(aware(2026, 3, 10) + dt.timedelta(seconds=1), tick=True) as clock:
        yield clock


__all__ = ["World", "aware", "run_tasks", "timezone"]


# -- real browser (Playwright driving Debian's chromium) ------------------------------------

CHROMIUM_ARGS = [
    # As root in a container, and with no network but loopback: keep Chromium quiet.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SCREENSHOT_DIR = os.path.join(os.path.dirname(__file__), "var", "screenshots")


def chromium_path() -> str:
    path = (
        os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not path:
        pytest.fail(
            "Chromium is missing: install Debian's 'chromium' package (make test does this as root)."
        )
    return path


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the Django ORM calls the
    # test makes around it are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def _new_page(browser, live_server, *, mobile=False, locale="id-ID"):
    options = {"base_url": live_server.url, "locale": locale}
    if mobile:
        options |= {
            "viewport": {"width": 360, "height": 740},
            "device_scale_factor": 2,
            "is_mobile": True,
            "has_touch": True,
        }
    else:
        options |= {"viewport": {"width": 1280, "height": 900}}
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server):
    """A desktop browser page on the live test server."""
    context, page = _new_page(browser, live_server)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A page at a cheap phone's width (360 px)."""
    context, page = _new_page(browser, live_server, mobile=True)
    yield page
    context.close()


@pytest.fixture
def new_page(browser, live_server):
    """Factory for extra pages (one per person in a multi-actor test)."""
    contexts = []

    def make(**kwargs):
        context, page = _new_page(browser, live_server, **kwargs)
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> str:
    """Save a full-page screenshot under var/screenshots/ (git-ignored)."""
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)
    path = os.path.join(SCREENSHOT_DIR, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    return path


def login(page, username, password="kata-sandi-uji-123"):  # noqa: S107 - test persona
    """Log in through the real login form."""
    page.goto("/akun/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
