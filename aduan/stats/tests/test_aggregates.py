"""The aggregate tables always equal a direct recount of the reports table."""

import datetime as dt
from collections import Counter
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth

from aduan.reports import actions as a
from aduan.reports.models import OPEN_STATUSES, Report, Status
from aduan.reports.sla import scan_deadlines
from aduan.stats import maintenance
from aduan.stats.contributions import BOUNDS_HOURS, bucket_of, bucket_range
from aduan.stats.models import DailyFlow, DurationCube, ReportCube
from conftest import aware

from .lifecycle import Walk

WIB = ZoneInfo("Asia/Jakarta")


def cube_sum(measure: str, **filters) -> int:
    return ReportCube.objects.filter(**filters).aggregate(n=Sum(measure))["n"] or 0


def cube_counts(*dims: str) -> Counter:
    counts: Counter = Counter()
    for row in ReportCube.objects.values(*dims).annotate(n=Sum("reports")):
        if row["n"]:
            counts[tuple(row[d] for d in dims)] = row["n"]
    return counts


def report_counts(*fields: str) -> Counter:
    counts: Counter = Counter()
    for row in Report.objects.values(*fields).annotate(n=Count("pk")):
        counts[tuple(row[f] if row[f] is not None else 0 for f in fields)] = row["n"]
    return counts


def assert_equal_to_recount() -> None:
    """The stored tables equal the recount, and the figures they hold equal direct
    queries on the reports table written independently of the aggregation code."""
    assert maintenance.check() == []
    reports = Report.objects.all()
    assert cube_sum("reports") == reports.count()
    assert cube_counts("status") == report_counts("status")
    assert cube_counts("agency_id", "unit_id") == report_counts("agency_id", "unit_id")
    assert cube_counts("category_id", "report_type", "channel") == report_counts(
        "category_id", "report_type", "channel"
    )
    assert cube_counts("province_code", "regency_code", "is_confidential") == report_counts(
        "province_code", "regency_code", "is_confidential"
    )
    by_month = Counter(
        {
            (row["m"],): row["n"]
            for row in reports.annotate(m=TruncMonth("submitted_at", tzinfo=WIB))
            .values("m")
            .annotate(n=Count("pk"))
        }
    )
    assert cube_counts("month") == Counter({(m.date(),): n for (m,), n in by_month.items()})
    assert cube_sum("pending") == reports.filter(status__in=OPEN_STATUSES).count()
    assert cube_sum("closed") == reports.filter(status=Status.CLOSED).count()
    assert (
        cube_sum("handled")
        == reports.filter(dispositioned_at__isnull=False).exclude(status=Status.WITHDRAWN).count()
    )
    assert cube_sum("forwarded") == reports.filter(dispositioned_at__isnull=False).count()
    assert cube_sum("responded") == reports.filter(first_response_at__isnull=False).count()
    assert (
        cube_sum("responded_on_time")
        == reports.filter(first_response_at__lte=F("first_response_due_at")).count()
    )
    assert (
        cube_sum("unanswered_overdue")
        == reports.filter(
            first_response_at__isnull=True,
            is_overdue=True,
            status__in=[Status.DISPOSITIONED, Status.RETURNED, Status.IN_PROGRESS],
        ).count()
    )
    assert (
        cube_sum("closed_on_time")
        == reports.filter(status=Status.CLOSED, closed_at__lte=F("completion_due_at")).count()
    )
    assert cube_sum("overdue") == reports.filter(is_overdue=True, status__in=OPEN_STATUSES).count()
    assert cube_sum("escalated") == reports.filter(escalation_level__gt=0).count()
    assert cube_sum("anonymous") == reports.filter(is_anonymous=True).count()
    assert cube_sum("rated") == reports.filter(rating__isnull=False).count()
    assert cube_sum("rating_sum") == (reports.aggregate(s=Sum("rating"))["s"] or 0)
    closed = reports.filter(status=Status.CLOSED, closed_at__gte=F("dispositioned_at"))
    assert (
        DurationCube.objects.filter(measure="closure").aggregate(n=Sum("reports"))["n"] or 0
    ) == closed.count()
    answered = reports.filter(first_response_at__gte=F("dispositioned_at"))
    assert (
        DurationCube.objects.filter(measure="first_response").aggregate(n=Sum("reports"))["n"] or 0
    ) == answered.count()
    flow = DailyFlow.objects.aggregate(r=Sum("received"), c=Sum("closed"), e=Sum("ended"))
    assert (flow["r"] or 0) == reports.count()
    assert (flow["c"] or 0) == reports.filter(status=Status.CLOSED).count()
    assert (flow["e"] or 0) == reports.filter(
        status__in=[Status.ARCHIVED, Status.WITHDRAWN]
    ).count()
    received_by_day = Counter(
        {
            row["d"]: row["n"]
            for row in reports.annotate(d=TruncDate("submitted_at", tzinfo=WIB))
            .values("d")
            .annotate(n=Count("pk"))
        }
    )
    stored_by_day = Counter(
        {
            row["day"]: row["n"]
            for row in DailyFlow.objects.values("day").annotate(n=Sum("received"))
            if row["n"]
        }
    )
    assert stored_by_day == received_by_day


@pytest.mark.parametrize("seed", range(12))
def test_aggregates_equal_a_recount_after_a_random_mix_of_lifecycle_actions(world, seed):
    walk = Walk(world, seed).run(steps=80)
    # The walk really exercised the lifecycle (refusals are part of it, and roll back).
    assert walk.done >= 15
    assert Report.objects.exclude(status=Status.SUBMITTED).exists()
    assert_equal_to_recount()


def test_the_walk_takes_every_action_including_auto_close_and_escalation(world):
    performed: Counter = Counter()
    for seed in range(100, 104):
        performed += Walk(world, seed).run(steps=80).performed
    expected = {
        "verify", "dispose", "hold", "archive", "duplicate", "add_information", "forward",
        "acknowledge", "follow_up", "return", "inspection", "redispose", "close", "reply",
        "accept", "contest", "rate", "withdraw", "auto_close", "escalation",
    }  # fmt: skip
    assert expected <= set(performed), expected - set(performed)
    assert Report.objects.filter(is_overdue=True).exists()
    assert Report.objects.filter(escalation_level__gt=0).exists()
    assert Report.objects.filter(appeal_used=True).exists()
    assert_equal_to_recount()


def test_a_new_report_counts_once_in_its_month_place_and_status(world):
    with time_machine.travel(aware(2026, 3, 2, 10), tick=False):
        report = world.submit(region="64.08.04.1001", is_anonymous=True)
    row = ReportCube.objects.get()
    assert (row.month, row.province_code, row.regency_code, row.district_code) == (
        dt.date(2026, 3, 1),
        "64",
        "64.08",
        "64.08.04",
    )
    assert (row.category_id, row.agency_id, row.unit_id) == (world.jalan.pk, 0, 0)
    assert (row.status, row.reports, row.anonymous) == ("submitted", 1, 1)
    assert DailyFlow.objects.get().received == 1
    assert report.pk


def test_a_change_moves_the_report_between_rows_without_leaving_a_count_behind(world):
    report = world.report_in("dispositioned")
    assert cube_counts("status") == Counter({("dispositioned",): 1})
    a.acknowledge_report(report, actor=world.officer)
    assert cube_counts("status") == Counter({("in_progress",): 1})
    assert ReportCube.objects.get(status="dispositioned").reports == 0


def test_the_month_is_the_submission_month_in_western_indonesian_time(world):
    # 00:30 WITA on 1 April is 23:30 WIB on 31 March.
    with time_machine.travel(aware(2026, 4, 1, 0, 30), tick=False):
        world.submit()
    assert ReportCube.objects.get().month == dt.date(2026, 3, 1)


def test_a_rolled_back_action_leaves_the_aggregates_untouched(world):
    report = world.report_in("dispositioned")
    with pytest.raises(RuntimeError), transaction.atomic():
        a.acknowledge_report(report, actor=world.officer)
        raise RuntimeError("rollback")
    assert cube_counts("status") == Counter({("dispositioned",): 1})
    assert_equal_to_recount()


def test_a_first_follow_up_on_time_and_a_closure_feed_the_deadline_measures(world):
    with time_machine.travel(aware(2026, 6, 8, 9), tick=False) as clock:
        report = world.report_in("in_progress")
        clock.shift(dt.timedelta(hours=30))
        report = a.post_follow_up(report, "Sudah diperbaiki.", actor=world.officer)
        clock.shift(dt.timedelta(days=2))
        a.accept_response(report, actor=world.citizen, rating=4)
    row = ReportCube.objects.get(reports=1)
    assert (row.responded, row.responded_on_time, row.closed_on_time) == (1, 1, 1)
    assert (row.rated, row.rating_sum) == (1, 4)
    first = DurationCube.objects.get(measure="first_response")
    assert first.bucket == bucket_of(30)
    closure = DurationCube.objects.get(measure="closure")
    assert closure.bucket == bucket_of(30 + 48)
    assert DailyFlow.objects.filter(closed=1).get().day == dt.date(2026, 6, 11)


def test_an_overdue_report_counts_as_overdue_and_unanswered_until_answered(world):
    with time_machine.travel(aware(2026, 6, 8, 9), tick=False) as clock:
        report = world.report_in("dispositioned")
        clock.shift(dt.timedelta(days=10))
        scan_deadlines()
        assert cube_sum("overdue") == 1
        assert cube_sum("unanswered_overdue") == 1
        assert cube_sum("escalated") == 1
        a.post_follow_up(report, "Maaf terlambat.", actor=world.officer)
    assert cube_sum("unanswered_overdue") == 0
    assert cube_sum("responded") == 1
    assert cube_sum("responded_on_time") == 0
    assert_equal_to_recount()


def test_a_contested_closure_is_no_longer_closed_that_day(world):
    report = world.report_in("closed")
    assert DailyFlow.objects.aggregate(c=Sum("closed"))["c"] == 1
    a.contest_response(report, "Lubang muncul lagi.", actor=world.citizen)
    assert DailyFlow.objects.aggregate(c=Sum("closed"))["c"] == 0
    assert not DurationCube.objects.filter(measure="closure", reports__gt=0).exists()
    assert_equal_to_recount()


def test_buckets_cover_every_duration_without_gaps():
    assert list(BOUNDS_HOURS) == sorted(set(BOUNDS_HOURS))
    assert bucket_of(0) == 0
    assert bucket_of(0.99) == 0
    assert bucket_of(1) == 1
    lower, upper = bucket_range(bucket_of(100))
    assert lower <= 100 < upper
    assert bucket_range(len(BOUNDS_HOURS)) == (float(BOUNDS_HOURS[-1]), None)


def test_rebuild_restores_the_aggregates_after_they_were_damaged(world):
    Walk(world, 7).run(steps=40)
    expected = sorted(
        ReportCube.objects.filter(~Q(reports=0)).values_list("month", "status", "reports")
    )
    ReportCube.objects.filter(status="submitted").update(reports=F("reports") + 5)
    DailyFlow.objects.all().delete()
    mismatches = maintenance.check()
    assert mismatches
    assert {m.table for m in mismatches} == {"cube", "flow"}

    out = StringIO()
    call_command("rebuild_stats", stdout=out)
    assert "rebuilt" in out.getvalue().lower() or "dibangun" in out.getvalue().lower()
    assert sorted(ReportCube.objects.values_list("month", "status", "reports")) == expected
    assert_equal_to_recount()


def test_check_stats_fails_loudly_when_the_aggregates_drift(world):
    world.report_in("closed")
    call_command("check_stats", stdout=StringIO())
    DurationCube.objects.update(reports=F("reports") + 1)
    with pytest.raises(CommandError):
        call_command("check_stats", stdout=StringIO(), stderr=StringIO())


def test_rebuild_in_small_chunks_gives_the_same_aggregates(world):
    for _ in range(5):
        world.report_in("closed")
    result = maintenance.rebuild(chunk_size=2)
    assert result.rows["cube"] == 1
    assert_equal_to_recount()


def test_changes_made_in_a_batch_are_written_once_and_equal_a_recount(world):
    with time_machine.travel(aware(2026, 3, 2, 10), tick=False):
        first = world.submit(region="64.08.04.1001")
        second = world.submit(region="64.08.04.1001")
    before = {r.pk: maintenance.snapshot(r) for r in (first, second)}
    calls = []
    real_apply = maintenance.apply
    maintenance.apply = lambda delta: (calls.append(delta), real_apply(delta))
    try:
        with transaction.atomic(), maintenance.batched():
            for report in (first, second):
                Report.objects.filter(pk=report.pk).update(status=Status.ON_HOLD)
                report.refresh_from_db()
                maintenance.on_report_changed(Report, report=report, before=before[report.pk])
            assert calls == []  # nothing written until the batch ends
    finally:
        maintenance.apply = real_apply
    assert len(calls) == 1
    assert cube_counts("status") == Counter({("on_hold",): 2})
    assert_equal_to_recount()


def test_a_batch_that_fails_writes_nothing(world):
    with time_machine.travel(aware(2026, 3, 2, 10), tick=False):
        report = world.submit(region="64.08.04.1001")
    before = maintenance.snapshot(report)
    with pytest.raises(RuntimeError), transaction.atomic(), maintenance.batched():
        Report.objects.filter(pk=report.pk).update(status=Status.ON_HOLD)
        report.refresh_from_db()
        maintenance.on_report_changed(Report, report=report, before=before)
        raise RuntimeError("rollback")
    assert cube_counts("status") == Counter({("submitted",): 1})
    assert_equal_to_recount()
    # After the failed batch, a change outside any batch is written at once again.
    Report.objects.filter(pk=report.pk).update(status=Status.ON_HOLD)
    report.refresh_from_db()
    maintenance.on_report_changed(Report, report=report, before=before)
    assert cube_counts("status") == Counter({("on_hold",): 1})
    assert_equal_to_recount()
