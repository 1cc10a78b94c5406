"""`manage.py generate_reports`: bulk synthetic reports whose rows are what the domain
actions would write (statuses, events, hash chain, deadlines, tracking numbers)."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F, Max

from aduan.accounts.models import Reporter
from aduan.agencies.models import Agency
from aduan.core import clock, refcache
from aduan.devdata.tests.test_seed_demo import make_demo_regions
from aduan.regions.models import RegionLevel
from aduan.reports import actions, deadlines
from aduan.reports.actors import Actor
from aduan.reports.events import verify_report_chain
from aduan.reports.models import EventType, Report, ReportEvent, Status
from aduan.reports.tracking import normalise
from aduan.workdays.models import Holiday, HolidayKind
from conftest import aware, make_region

pytestmark = pytest.mark.django_db(transaction=False)

COUNT = 400
NOW = aware(2026, 3, 2, 10)


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
    # A regional holiday every Monday in Kalimantan Timur: deadlines there must count them
    # (the working-day calendar of the report's region), those in Jawa Barat must not.
    monday = dt.date(2022, 12, 26)
    Holiday.objects.bulk_create(
        Holiday(
            date=monday + dt.timedelta(weeks=n),
            name="Libur daerah",
            kind=HolidayKind.LOCAL,
            region_id="64",
        )
        for n in range(3 * 53 + 2)
    )
    refcache.bump()  # bulk_create sends no signal
    with time_machine.travel(NOW):
        run("seed_categories")
        run("seed_demo", "--count", "1")
        yield


@pytest.fixture
def generated(demo):
    before = Report.objects.count()
    output = run("generate_reports", "--count", str(COUNT), "--seed", "3", "--batch", "150")
    return before, output


def synthetic_reports():
    return Report.objects.exclude(reporter__user__isnull=False).select_related("region", "agency")


def test_it_writes_the_requested_number_of_reports_with_their_events(generated):
    before, output = generated
    assert Report.objects.count() == before + COUNT
    assert "Done: 400 reports" in output
    assert ReportEvent.objects.count() > 2 * COUNT


def test_every_status_of_the_lifecycle_is_present(generated):
    present = set(Report.objects.values_list("status", flat=True))
    assert present == set(Status.values)


def test_the_audit_chain_of_every_report_verifies(generated):
    for report in synthetic_reports():
        assert verify_report_chain(report) == [], report.tracking_number
    output = run("verify_audit_chain")
    assert f"Audit chain intact for {Report.objects.count()} reports" in output


def test_timestamps_are_those_of_the_history(generated):
    last_event = dict(
        ReportEvent.objects.values("report_id")
        .annotate(last=Max("at"))
        .values_list("report_id", "last")
    )
    for report in synthetic_reports():
        assert report.created_at == report.submitted_at
        assert report.updated_at == last_event[report.pk]
        assert report.updated_at <= NOW


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


def test_deadlines_are_those_deadlines_py_computes(generated):
    """Every report that never waited on its reporter has the deadlines that the domain's
    deadline functions give for its own timestamps, in its own zone and region."""
    checked = {"verify": 0, "disposition": 0, "reply": 0, "kaltim": 0}
    paused = set(
        ReportEvent.objects.filter(type=EventType.PUT_ON_HOLD).values_list("report_id", flat=True)
    )
    for report in synthetic_reports():
        if report.pk in paused:
            continue
        fresh = Report(
            report_type=report.report_type,
            needs_inspection=report.needs_inspection,
            region=report.region,
        )
        deadlines.on_submitted(fresh, report.submitted_at)
        assert report.verify_due_at == fresh.verify_due_at, report.tracking_number
        checked["verify"] += 1
        checked["kaltim"] += report.region_id.startswith("64")
        if report.dispositioned_at is not None:
            fresh.agency = report.agency
            deadlines.on_dispositioned(fresh, report.dispositioned_at)
            assert report.first_response_due_at == fresh.first_response_due_at
            assert report.completion_due_at == fresh.completion_due_at
            checked["disposition"] += 1
        if report.status == Status.RESPONDED:
            deadlines.on_responded(fresh, report.responded_at)
            assert report.reply_due_at == fresh.reply_due_at
            checked["reply"] += 1
        fresh.status, fresh.first_response_at = report.status, report.first_response_at
        fresh.reply_due_at = fresh.reply_due_at if report.status == Status.RESPONDED else None
        deadlines.refresh_next_due(fresh, NOW)
        assert report.next_due_at == fresh.next_due_at, report.tracking_number
    assert all(checked.values()), checked


# -- the same histories, played through the real actions ------------------------------


def _agency(payload: dict, key: str = "agency") -> Agency:
    return Agency.objects.get(uuid=payload[key])


def replay(report: Report) -> Report:
    """A new report taken through the domain actions along `report`'s history, each
    action at the moment of its event."""
    events = list(report.events.order_by("seq"))
    data = {
        "report_type": report.report_type,
        "title": report.title,
        "body": report.body,
        "region": report.region_id,
        "category": report.category.slug if report.category_id else "",
        "channel": report.channel,
        "incident_date": report.incident_date,
        "is_anonymous": report.is_anonymous,
        "is_confidential": report.is_confidential,
    }
    guest = actions.ReporterDetails(name="Warga Uji", email="warga.uji@example.com")
    with clock.frozen(events[0].at):
        copy = actions.submit_report(data, actor=None, reporter=guest).report
    reporter = Actor(reporter_id=copy.reporter_id)
    for index, event in enumerate(events[1:], start=1):
        staff = Actor(user=event.actor) if event.actor_id else None
        payload = event.payload
        with clock.frozen(event.at):
            match event.type:
                case EventType.PUT_ON_HOLD:
                    copy = actions.put_on_hold(copy, payload["question"], actor=staff)
                case EventType.INFORMATION_ADDED:
                    copy = actions.add_information(copy, payload["text"], actor=reporter)
                case EventType.DISPOSITIONED:
                    copy = actions.dispose_report(
                        copy,
                        _agency(payload),
                        actor=staff,
                        needs_inspection=report.needs_inspection,
                    )
                case EventType.REDISPOSITIONED:
                    copy = actions.redispose_report(
                        copy, _agency(payload), actor=staff, note=payload["note"]
                    )
                case EventType.FORWARDED:
                    copy = actions.forward_to_unit(copy, _agency(payload, "unit"), actor=staff)
                case EventType.ACKNOWLEDGED:
                    copy = actions.acknowledge_report(copy, actor=staff)
                case EventType.RETURNED:
                    copy = actions.return_not_authority(copy, payload["reason"], actor=staff)
                case EventType.FOLLOW_UP:
                    copy = actions.post_follow_up(copy, payload["text"], actor=staff)
                case EventType.REPORTER_REPLIED:
                    copy = actions.reporter_reply(copy, payload["text"], actor=reporter)
                case EventType.ACCEPTED:
                    rated = events[index + 1 :][:1]
                    rating = rated[0].payload if rated and rated[0].type == "rated" else {}
                    copy = actions.accept_response(
                        copy,
                        actor=reporter,
                        rating=rating.get("rating"),
                        comment=rating.get("comment", ""),
                    )
                case EventType.RATED:
                    pass  # given with the acceptance, as the reporter's form does
                case EventType.AUTO_CLOSED:
                    copy = actions.auto_close_report(copy, now=event.at)
                    assert copy is not None
                case EventType.CLOSED:
                    copy = actions.close_report(copy, actor=staff, note=payload["note"])
                case EventType.ARCHIVED:
                    copy = actions.archive_report(
                        copy, payload["reason"], actor=staff, note=payload["note"]
                    )
                case EventType.WITHDRAWN:
                    copy = actions.withdraw_report(copy, actor=reporter, reason=payload["reason"])
                case other:
                    raise AssertionError(f"no action for {other}")
    copy.refresh_from_db()
    return copy


COMPARED = (
    "status",
    "agency_id",
    "unit_id",
    "returned_to",
    "needs_inspection",
    "archive_reason",
    "rating",
    "rating_comment",
    "created_at",
    "updated_at",
    "submitted_at",
    "verified_at",
    "dispositioned_at",
    "first_response_at",
    "responded_at",
    "closed_at",
    "paused_at",
    *deadlines.DEADLINE_FIELDS,
    "next_due_at",
    "last_event_seq",
)


def history(report: Report) -> list[tuple]:
    return list(
        report.events.order_by("seq").values_list(
            "type", "visibility", "actor_id", "actor_role", "at", "from_status", "to_status",
            "payload",
        )
    )  # fmt: skip


def test_each_history_played_through_the_actions_gives_the_same_rows(generated):
    """One report of every lifecycle path and region: the real actions, run at the
    moments of its events, write the same status, timestamps, deadlines and events."""
    samples = {}
    for report in synthetic_reports().order_by("pk"):
        path = tuple(report.events.order_by("seq").values_list("type", flat=True))
        samples.setdefault((path, report.province_code), report)
    assert len(samples) >= 20
    for report in samples.values():
        copy = replay(report)
        for name in COMPARED:
            assert getattr(copy, name) == getattr(report, name), (report.tracking_number, name)
        # Where a report returns to after a hold only means something while it is on hold.
        if report.status == Status.ON_HOLD:
            assert copy.status_before_hold == report.status_before_hold
        assert history(copy) == history(report), report.tracking_number
