"""`manage.py generate_reports`: bulk synthetic reports whose rows are as consistent as the
ones the domain actions write (statuses, events, hash chain, deadlines, tracking numbers)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F

from aduan.accounts.models import Reporter
from aduan.devdata.tests.test_seed_demo import make_demo_regions
from aduan.regions.models import RegionLevel
from aduan.reports.models import Report, ReportEvent, Status
from aduan.reports.tracking import normalise
from conftest import make_region

pytestmark = pytest.mark.django_db(transaction=False)

COUNT = 400


def run(command, *args) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    make_demo_regions()
    jabar = make_region("32", "JAWA BARAT", RegionLevel.PROVINCE, tz="Asia/Jakarta")
    bandung = make_region("32.73", "KOTA BANDUNG", RegionLevel.REGENCY, jabar, tz="Asia/Jakarta")
    make_region("32.73.01", "Sukasari", RegionLevel.DISTRICT, bandung, tz="Asia/Jakarta")
    run("seed_categories")
    run("seed_demo", "--count", "1")


@pytest.fixture
def generated(demo):
    before = Report.objects.count()
    output = run("generate_reports", "--count", str(COUNT), "--seed", "3", "--batch", "150")
    return before, output


def test_it_writes_the_requested_number_of_reports_with_their_events(generated):
    before, output = generated
    assert Report.objects.count() == before + COUNT
    assert "Done: 400 reports" in output
    assert ReportEvent.objects.count() > 2 * COUNT


def test_every_status_of_the_lifecycle_is_present(generated):
    present = set(Report.objects.values_list("status", flat=True))
    assert present == set(Status.values)


def test_the_audit_chain_of_every_report_verifies(generated):
    output = run("verify_audit_chain")
    assert f"Audit chain intact for {Report.objects.count()} reports" in output


def test_tracking_numbers_are_valid_and_unique(generated):
    numbers = list(Report.objects.values_list("tracking_number", flat=True))
    assert len(set(numbers)) == len(numbers)
    assert all(normalise(n) == n for n in numbers)


def test_a_second_run_continues_the_tracking_sequence(generated):
    run("generate_reports", "--count", "20", "--seed", "3", "--no-stats")
    numbers = list(Report.objects.values_list("tracking_number", flat=True))
    assert len(set(numbers)) == len(numbers) == COUNT + 20 + 1


def test_anonymous_and_confidential_reports_are_present(generated):
    assert Report.objects.filter(is_anonymous=True).exists()
    assert Report.objects.filter(is_confidential=True).exists()


def test_reports_spread_over_provinces_and_three_years(generated):
    assert set(Report.objects.values_list("province_code", flat=True)) == {"32", "64"}
    years = {d.year for d in Report.objects.values_list("submitted_at", flat=True)}
    assert len(years) >= 3


def test_deadlines_and_the_scan_key_match_the_status(generated):
    submitted = Report.objects.filter(status=Status.SUBMITTED)
    assert not submitted.filter(verify_due_at__isnull=True).exists()
    assert not submitted.exclude(next_due_at=F("verify_due_at")).exists()
    handled = Report.objects.filter(status__in=[Status.DISPOSITIONED, Status.IN_PROGRESS])
    assert not handled.filter(completion_due_at__isnull=True).exists()
    finished = Report.objects.filter(status__in=[Status.CLOSED, Status.ARCHIVED, Status.WITHDRAWN])
    assert not finished.filter(next_due_at__isnull=False).exists()
    assert not Report.objects.filter(status=Status.ARCHIVED, archive_reason="").exists()


def test_the_event_chain_head_matches_the_report(generated):
    report = Report.objects.filter(status=Status.CLOSED).order_by("pk").first()
    last = report.events.order_by("-seq").first()
    assert (last.seq, last.hash) == (report.last_event_seq, report.last_event_hash)
    assert report.events.filter(to_status=Status.CLOSED, at=report.closed_at).exists()


def test_no_personal_data_is_stored_in_plaintext(generated):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, email, phone FROM {Reporter._meta.db_table}")
        rows = cursor.fetchall()
    assert len(rows) >= 1000
    for name, email, phone in rows[:200]:
        assert "@" not in email and " " not in name
        assert not phone.startswith("08")
    # Decrypted through the model, they are real-looking contacts.
    reporter = Reporter.objects.filter(email__isnull=False).exclude(email="").first()
    assert "@example.com" in reporter.email


def test_it_refuses_to_run_before_the_demo_is_seeded(db):
    with pytest.raises(CommandError, match="load_regions"):
        run("generate_reports", "--count", "5")
