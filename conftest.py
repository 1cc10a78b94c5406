"""Shared test personas and helpers (STYLE habit 9).

State is built through the domain actions, never by writing report rows by hand. The
named personas: a citizen (reporter), an outsider citizen, a national admin, the agency
admin of Pemkab Kutai Timur (Diskominfo Staper), an officer of its Dinas PU, an officer of
its DLH, the admin and an officer of another regency (Paser), and a supervisor for
Kalimantan Timur.
"""

import datetime as dt

import pytest
from django.utils import timezone

from aduan.accounts.models import Role, User
from aduan.agencies.models import Agency, AgencyKind, RoutingRule
from aduan.categories.models import Category
from aduan.regions.models import Region, RegionLevel, TimeZone


@pytest.fixture(autouse=True)
def _isolated_side_effects(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMS_BACKEND = "aduan.notifications.sms.LocmemSMSBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NODE_ID = "PST"
    # Argon2 is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from aduan.notifications import sms
    from aduan.workdays.calendar import clear_cache

    sms.outbox.clear()
    # Rolled-back test rows send no delete signal: drop cached admin holidays each test.
    clear_cache()


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

        self.infrastruktur = Category.objects.create(slug="infrastruktur", name="Infrastruktur", name_en="Infrastructure")
        self.jalan = Category.objects.create(slug="jalan-rusak", name="Jalan rusak", name_en="Damaged road", parent=self.infrastruktur)
        self.lingkungan = Category.objects.create(slug="lingkungan-hidup", name="Lingkungan Hidup", name_en="Environment")
        self.limbah = Category.objects.create(slug="limbah", name="Limbah", name_en="Waste", parent=self.lingkungan)

        self.national = Agency.objects.create(name="Pengelola SP4N-LAPOR! Nasional", kind=AgencyKind.NATIONAL)
        self.pemkab = Agency.objects.create(
            name="Pemerintah Kabupaten Kutai Timur", short_name="Pemkab Kutim",
            kind=AgencyKind.REGENCY, timezone=TimeZone.WITA,
        )
        self.pemkab.jurisdiction.add(self.kutim)
        self.dinas_pu = Agency.objects.create(
            name="Dinas Pekerjaan Umum Kutai Timur", short_name="Dinas PU",
            kind=AgencyKind.UNIT, parent=self.pemkab, timezone=TimeZone.WITA,
        )
        self.dlh = Agency.objects.create(
            name="Dinas Lingkungan Hidup Kutai Timur", short_name="DLH",
            kind=AgencyKind.UNIT, parent=self.pemkab, timezone=TimeZone.WITA,
        )
        self.pemkab_paser = Agency.objects.create(
            name="Pemerintah Kabupaten Paser", kind=AgencyKind.REGENCY, timezone=TimeZone.WITA
        )
        self.pemkab_paser.jurisdiction.add(self.paser)
        self.pu_paser = Agency.objects.create(
            name="Dinas PU Paser", kind=AgencyKind.UNIT, parent=self.pemkab_paser, timezone=TimeZone.WITA
        )
        self.rule_jalan = RoutingRule.objects.create(category=self.jalan, region=self.kutim, agency=self.pemkab, unit=self.dinas_pu)

        def user(username, role, agency=None, **extra):
            return User.objects.create_user(
                username=username, password="kata-sandi-uji-123", role=role, agency=agency,
                email=f"{username}@example.go.id", **extra,
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

        Reporter.objects.create(user=self.citizen, name="Siti Aminah", nik="6408041234567890", phone="081234567890", email="siti@example.com")
        Reporter.objects.create(user=self.outsider, name="Budi", email="budi@example.com")

    # -- building state through real actions -------------------------------------------

    def submit(self, actor=None, **data):
        from aduan.reports.actions import submit_report

        payload = {
            "report_type": "complaint",
            "title": "Jalan poros Sangatta–Bengalon berlubang",
            "body": "Lubang besar di KM 12 sudah tiga bulan dan membahayakan pengendara motor.",
            "region": "64.08.04",
            "category": "jalan-rusak",
        }
        payload.update(data)
        return submit_report(payload, actor=actor or self.citizen).report

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
            queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
            max_tasks=None, worker_id="test-worker", excluded_queue_names=[],
        ).run()


@pytest.fixture
def tasks():
    return run_tasks


def aware(y, m, d, h=9, minute=0, tz="Asia/Makassar"):
    from zoneinfo import ZoneInfo

    return dt.datetime(y, m, d, h, minute, tzinfo=ZoneInfo(tz)).astimezone(dt.UTC)


__all__ = ["World", "aware", "run_tasks", "timezone"]
