"""`manage.py seed_demo`: the demo government, accounts and reports, built through the
domain actions, on a small set of regions (the real loader is not needed)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from aduan.accounts.models import Reporter, Role, User
from aduan.agencies.models import Agency, AgencyKind, CannedResponse, RoutingRule
from aduan.agencies.routing import suggest_route
from aduan.categories.models import Category
from aduan.notifications.models import Notification, NotificationStatus
from aduan.regions.models import RegionLevel
from aduan.reports.models import EventType, Report, ReportEvent, Status
from conftest import make_region

pytestmark = pytest.mark.django_db

L = RegionLevel
COUNT = 30


def make_demo_regions(*, districts: bool = True, villages: bool = True) -> None:
    kaltim = make_region("64", "Kalimantan Timur", L.PROVINCE)
    kutim = make_region("64.08", "Kutai Timur", L.REGENCY, kaltim)
    samarinda = make_region("64.72", "Kota Samarinda", L.REGENCY, kaltim)
    if not districts:
        return
    found = {}
    for code, name in [
        ("64.08.02", "Muara Wahau"),
        ("64.08.04", "Sangatta Utara"),
        ("64.08.05", "Sangkulirang"),
        ("64.08.09", "Bengalon"),
        ("64.08.12", "Sangatta Selatan"),
    ]:
        found[code] = make_region(code, name, L.DISTRICT, kutim)
    make_region("64.72.03", "Samarinda Ulu", L.DISTRICT, samarinda)
    if not villages:
        return
    # Bengalon, Muara Wahau and Samarinda Ulu have no villages: reports fall back there.
    for code, name in [
        ("64.08.04.1010", "Teluk Lingga"),
        ("64.08.04.2011", "Singa Gembara"),
        ("64.08.12.1002", "Singa Geweh"),
        ("64.08.12.2003", "Sangkima"),
        ("64.08.05.2015", "Maloy"),
    ]:
        make_region(code, name, L.VILLAGE, found[code[:8]])


def seed_demo(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    return settings


@pytest.fixture
def seeded(debug):
    make_demo_regions()
    return seed_demo("--count", str(COUNT))


def test_it_builds_the_kutai_timur_government_with_its_units_and_rules(seeded):
    pemkab = Agency.objects.get(name="Pemerintah Kabupaten Kutai Timur")
    assert pemkab.kind == AgencyKind.REGENCY
    assert pemkab.timezone == "Asia/Makassar"
    assert pemkab.jurisdiction_codes() == ["64.08"]
    units = {u.short_name: u for u in pemkab.children.all()}
    for name in (
        "Dinas PUPR Kutim",
        "DLH Kutim",
        "Disperkim Kutim",
        "Satpol PP Kutim",
        "Disdukcapil Kutim",
    ):
        assert units[name].kind == AgencyKind.UNIT
    assert units["Kec. Sangatta Utara"].jurisdiction_codes() == ["64.08.04"]
    assert units["DLH Kutim"].categories.filter(slug="limbah-sawit").exists()
    assert Agency.objects.get(kind=AgencyKind.NATIONAL).name.startswith("Pengelola SP4N-LAPOR!")
    assert Agency.objects.get(kind=AgencyKind.PROVINCE).jurisdiction_codes() == ["64"]
    assert Agency.objects.get(name="Pemerintah Kota Samarinda").children.count() == 2
    assert CannedResponse.objects.filter(agency=pemkab).count() >= 3

    def route(slug, region):
        return suggest_route(Category.objects.get(slug=slug), region).unit.short_name

    assert route("jalan-rusak", "64.08.12.2003") == "Dinas PUPR Kutim"
    assert route("limbah-industri-tambang", "64.08.09") == "DLH Kutim"
    assert route("sampah", "64.08") == "DLH Kutim"
    assert route("puskesmas-kekurangan-tenaga", "64.08.05") == "Dinkes Kutim"
    assert route("ktp-elektronik", "64.08.04") == "Disdukcapil Kutim"
    assert route("pungutan-liar", "64.08.02") == "Satpol PP Kutim"
    # A district rule beats the regency's.
    assert route("penerangan-jalan-umum", "64.08.04.1010") == "Kec. Sangatta Utara"
    assert route("penerangan-jalan-umum", "64.08.05") == "Disperkim Kutim"
    assert route("jalan-rusak", "64.72.03") == "Dinas PUPR Samarinda"


def test_it_creates_an_account_for_every_role(seeded):
    def user(username):
        return User.objects.get(username=username)

    assert user("admin.nasional").role == Role.NATIONAL_ADMIN
    admin = user("diskominfo.kutim")
    assert admin.role == Role.AGENCY_ADMIN
    assert admin.agency.name == "Pemerintah Kabupaten Kutai Timur"
    assert "Diskominfo Staper Kutai Timur" in admin.display_name
    assert user("pu.kutim").role == Role.UNIT_OFFICER
    assert user("pu.kutim").agency.short_name == "Dinas PUPR Kutim"
    assert user("ombudsman.kaltim").scope_region_id == "64"
    assert user("inspektorat.kutim").scope_region_id == "64.08"
    assert user("superadmin").is_superuser and user("superadmin").is_staff
    citizen = user("warga.sangatta")
    assert citizen.role == Role.CITIZEN
    assert citizen.check_password("aduan-demo-2026")
    assert citizen.reporter.name == "Siti Rahmawati"
    assert citizen.reporter.phone.startswith("08")
    # Personal data is encrypted at rest.
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM accounts_reporter WHERE id = %s", [citizen.reporter.pk])
        assert "Siti" not in cursor.fetchone()[0]
    # Every unit has an officer.
    for unit in Agency.objects.filter(kind=AgencyKind.UNIT):
        assert unit.staff.filter(role=Role.UNIT_OFFICER).exists(), unit


def test_it_creates_reports_in_every_status_through_the_actions(seeded):
    assert "! #" not in seeded  # no action refused a step
    assert Report.objects.count() == COUNT
    statuses = set(Report.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    assert Report.objects.filter(is_anonymous=True).exists()
    assert Report.objects.filter(is_confidential=True).exists()
    assert Report.objects.filter(status=Status.CLOSED, rating__isnull=False).exists()
    assert ReportEvent.objects.filter(type=EventType.AUTO_CLOSED).exists()
    assert ReportEvent.objects.filter(type=EventType.REDISPOSITIONED).exists()
    duplicate = Report.objects.get(archive_reason="duplicate")
    assert duplicate.duplicate_of is not None and duplicate.duplicate_of.title == duplicate.title
    contested = Report.objects.filter(appeal_used=True)
    assert contested.exists() and all(r.is_escalated for r in contested)
    # A report filed with only a map pin waits for its region to be confirmed.
    assert Report.objects.filter(
        region=None, latitude__isnull=False, status=Status.SUBMITTED
    ).exists()
    assert set(Report.objects.values_list("channel", flat=True)) >= {
        "web",
        "counter",
        "phone",
        "api",
    }
    # Every report's history starts with its submission, and no status was set by hand:
    # each change of status is an event of the hash chain.
    for report in Report.objects.all():
        events = list(report.events.order_by("seq"))
        assert events[0].type == EventType.SUBMITTED
        changes = [e for e in events if e.to_status]
        assert changes[-1].to_status == report.status
    call_command("verify_audit_chain", stdout=StringIO())


def test_reports_are_spread_over_months_and_some_are_overdue(seeded):
    now = timezone.now()
    oldest = Report.objects.order_by("submitted_at").first()
    assert (now - oldest.submitted_at).days > 30
    assert not ReportEvent.objects.filter(at__gt=now).exists()
    for report in Report.objects.all():
        assert report.created_at == report.submitted_at
    assert Report.objects.filter(is_overdue=True).exists()
    assert ReportEvent.objects.filter(type=EventType.ESCALATED).exists()
    # Villages are used where they exist, districts where they do not.
    regions = set(Report.objects.exclude(region=None).values_list("region_id", flat=True))
    assert any(len(code) == 13 for code in regions)
    # The demo's messages are history: nothing is left for the worker to send.
    assert Notification.objects.exists()
    assert not Notification.objects.filter(status=NotificationStatus.PENDING).exists()


def row_counts() -> list[int]:
    models = (Agency, User, Reporter, Report, ReportEvent, RoutingRule, CannedResponse, Category)
    return [model.objects.count() for model in models]


def test_running_it_again_duplicates_nothing(seeded):
    before = row_counts()
    User.objects.filter(username="pu.kutim").update(role=Role.CITIZEN)

    output = seed_demo("--count", str(COUNT))

    assert "tidak dibuat lagi" in output
    assert row_counts() == before
    assert User.objects.get(username="pu.kutim").role == Role.UNIT_OFFICER


def test_it_prints_the_logins_with_the_demo_password(seeded, monkeypatch):
    output = seed_demo("--print-logins")

    for username in (
        "superadmin",
        "admin.nasional",
        "diskominfo.kutim",
        "pu.kutim",
        "warga.sangatta",
    ):
        assert username in output
    assert "aduan-demo-2026" in output
    monkeypatch.setenv("DEMO_PASSWORD", "kata-sandi-lain-2026")
    assert "kata-sandi-lain-2026" in seed_demo("--print-logins")


def test_print_logins_before_seeding_says_what_to_do(debug):
    assert "seed_demo" in seed_demo("--print-logins")
    assert not User.objects.exists()


def test_it_files_reports_in_districts_when_no_village_is_loaded(debug):
    make_demo_regions(villages=False)

    seed_demo("--count", "8")

    codes = set(Report.objects.exclude(region=None).values_list("region_id", flat=True))
    assert codes and all(len(code) <= 8 for code in codes)


def test_it_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    make_demo_regions(districts=False)

    with pytest.raises(CommandError, match="DEBUG"):
        seed_demo("--count", "5")
    with pytest.raises(CommandError, match="DEBUG"):
        seed_demo("--print-logins")
    assert not Agency.objects.exists() and not User.objects.exists()


def test_it_needs_the_regions_loaded_first(debug):
    with pytest.raises(CommandError, match="load_regions"):
        seed_demo("--count", "5")
    assert not Report.objects.exists()
