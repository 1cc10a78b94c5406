"""The worker's deadline scan at scale: what one scan reads once every notice due so far
went out (the steady state: the scan runs every minute).

    DATABASE_URL=postgres://aduan:aduan@127.0.0.1:5432/aduan_bench \
        .venv/bin/python bench/deadline_scan.py [--name deadline_scan]

1. The notices the deadlines of the generated reports call for now are recorded as sent
   (`DeadlineNotice` rows, as a worker running all along would have left them; the
   generator records none). Nothing is sent and no event is written.
2. **Before**: the scan's former candidate query (every open report this node owns with a
   deadline passed or within the 12-day reminder window, with its notices), read and
   judged as the scan judged it; timed over `--repeat` passes.
3. **After**: the scan itself (`sla.scan_deadlines`), once to settle (it moves each
   report's `next_notice_at` past the notices already sent: a one-off after the upgrade),
   then timed over `--repeat` passes, with the number of reports it read.
4. **Settling after an upgrade**, twice per round over `--settle-rounds` rounds: every open
   report is put back at its first notice time (what the upgrade's migration does), and
   the first scan is timed with its moves of `next_notice_at` written one report at a time
   (`MOVE_BATCH` 1, as before the moves were batched) and a batch at a time (the default).

Only 127.0.0.1; rows are written to the benchmark database only.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench_settings")

import django  # noqa: E402

django.setup()

from common import write_result  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db.models import F  # noqa: E402

from aduan.core import clock  # noqa: E402
from aduan.reports import deadlines, sla  # noqa: E402
from aduan.reports.models import DeadlineNotice, Report, Status  # noqa: E402

CHUNK = sla.CHUNK


def former_candidates(now):
    """The candidate query the scan used before `next_notice_at`: every open report with
    a deadline passed or within the reminder window."""
    return sla.judged(
        Report.objects.filter(
            owner_node=settings.NODE_ID, next_due_at__lt=now + deadlines.REMINDER_LOOKAHEAD
        )
    )


def record_notices(now) -> int:
    """Record as sent every notice the reports' deadlines call for now."""
    made = 0
    batch = []
    for report in former_candidates(now).iterator(chunk_size=CHUNK):
        sent = {(n.deadline, n.due_at, n.kind) for n in report.deadline_notices.all()}
        for deadline, due, kind in deadlines.notices_due(report, now):
            if (deadline, due, kind) not in sent:
                batch.append(
                    DeadlineNotice(report=report, deadline=deadline, due_at=due, kind=kind)
                )
        if len(batch) >= 5000:
            DeadlineNotice.objects.bulk_create(batch, ignore_conflicts=True)
            made += len(batch)
            batch = []
    DeadlineNotice.objects.bulk_create(batch, ignore_conflicts=True)
    return made + len(batch)


def former_pass(now) -> tuple[int, int]:
    """(reports read, notices found due and not sent) by the former scan's reading."""
    read = due = 0
    for report in former_candidates(now).iterator(chunk_size=CHUNK):
        read += 1
        sent = {(n.deadline, n.due_at, n.kind) for n in report.deadline_notices.all()}
        due += sum(1 for n in deadlines.notices_due(report, now) if n not in sent)
    return read, due


def timed(fn, repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(round(time.perf_counter() - started, 3))
    return times, result


def reset_to_first_notice() -> int:
    """Every open report back at its first notice time, as the upgrade's migration left
    it (the deadline minus the reminder window; none while waiting on the reporter)."""
    return (
        Report.objects.filter(owner_node=settings.NODE_ID, next_due_at__isnull=False)
        .exclude(status=Status.RESPONDED)
        .update(next_notice_at=F("next_due_at") - deadlines.REMINDER_LOOKAHEAD)
    )


def settle_rounds(now, rounds: int) -> dict:
    """The first scan after the reset, its moves one at a time and batched, interleaved."""
    batched = sla.MOVE_BATCH
    out = {"reports_reset": 0, "one_at_a_time": [], "batched": [], "batch": batched}
    try:
        for _ in range(rounds):
            for label, size in (("one_at_a_time", 1), ("batched", batched)):
                out["reports_reset"] = reset_to_first_notice()
                sla.MOVE_BATCH = size
                started = time.perf_counter()
                result = sla.scan_deadlines(now)
                seconds = round(time.perf_counter() - started, 2)
                assert not result.errors, result.errors
                out[label].append(seconds)
                print(f"settle, moves {label}: {seconds} s ({out['reports_reset']} reset)")
    finally:
        sla.MOVE_BATCH = batched
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--name", default="deadline_scan")
    parser.add_argument("--settle-rounds", type=int, default=2)
    args = parser.parse_args()
    now = clock.now()
    open_reports = Report.objects.filter(owner_node=settings.NODE_ID, next_due_at__isnull=False)
    facts = {
        "reports": Report.objects.count(),
        "open_with_a_running_deadline": open_reports.count(),
        "of_which_overdue": open_reports.filter(next_due_at__lt=now).count(),
    }
    print(facts, flush=True)
    started = time.perf_counter()
    facts["notices_recorded"] = record_notices(now)
    facts["recording_seconds"] = round(time.perf_counter() - started, 1)
    print(f"notices recorded as sent: {facts['notices_recorded']}", flush=True)

    before_times, (before_read, before_due) = timed(lambda: former_pass(now), args.repeat)
    print(f"before: read {before_read} reports ({before_due} due) in {before_times} s", flush=True)

    reset_to_first_notice()  # as the upgrade left them (also when the database is reused)
    started = time.perf_counter()
    settle = sla.scan_deadlines(now)
    settle_seconds = round(time.perf_counter() - started, 1)
    print(f"after, first scan (settles next_notice_at): {settle_seconds} s, {settle}", flush=True)

    def after_pass():
        read = sla._candidates(now).count()
        result = sla.scan_deadlines(now)
        return read, result

    after_times, (after_read, after_result) = timed(after_pass, args.repeat)
    print(f"after: {after_read} candidates, scan {after_times} s, {after_result}", flush=True)
    settling = settle_rounds(now, args.settle_rounds)
    result = {
        **facts,
        "now": now.isoformat(),
        "before": {"reports_read": before_read, "notices_due": before_due, "seconds": before_times},
        "after_first_scan": {"seconds": settle_seconds, "errors": len(settle.errors)},
        "after": {
            "reports_read": after_read,
            "seconds": after_times,
            "sent": {
                "reminders": after_result.reminders,
                "overdue": after_result.overdue,
                "escalations": after_result.escalations,
                "auto_closed": after_result.auto_closed,
            },
        },
        "settle_after_upgrade": settling,
    }
    print("->", write_result(args.name, result))


if __name__ == "__main__":
    main()
