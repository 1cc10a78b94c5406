"""Check every report's event history for edits, deletions and reordering.

    python manage.py verify_audit_chain                 # all reports
    python manage.py verify_audit_chain PST-26-0000001-5 # some reports

Exits with status 1 (and lists each problem) when any chain is broken.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F

from aduan.reports.events import verify_report_chain
from aduan.reports.models import Report
from aduan.reports.tracking import normalise


class Command(BaseCommand):
    help = "Verify the tamper-evident hash chain of report events."

    def add_arguments(self, parser):
        parser.add_argument("tracking_numbers", nargs="*")

    def handle(self, *args, **options):
        reports = Report.objects.order_by("pk")
        if options["tracking_numbers"]:
            numbers = [normalise(n) or n for n in options["tracking_numbers"]]
            reports = reports.filter(tracking_number__in=numbers)
        checked = 0
        problems = []
        rows = reports.only(
            "pk",
            "uuid",
            "tracking_number",
            "last_event_seq",
            "last_event_hash",
            "status",
            "is_confidential",
            "is_anonymous",
        ).annotate(agency_uuid=F("agency__uuid"))
        for report in rows.iterator(chunk_size=500):
            problems.extend(verify_report_chain(report))
            checked += 1
        for problem in problems:
            where = f"#{problem.seq}" if problem.seq is not None else "head"
            self.stderr.write(f"{problem.tracking_number} {where}: {problem.problem}")
        if problems:
            raise CommandError(
                f"Rantai audit rusak pada {len(problems)} titik dari {checked} laporan. / "
                f"Audit chain broken at {len(problems)} point(s) across {checked} reports."
            )
        self.stdout.write(
            f"Rantai audit utuh untuk {checked} laporan. / Audit chain intact for {checked} reports."
        )
