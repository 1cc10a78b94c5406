"""Check every report's event history for edits, deletions and reordering.

    python manage.py verify_audit_chain                   # all reports
    python manage.py verify_audit_chain PST-26-0000001-5  # some reports
    python manage.py verify_audit_chain --since-checkpoint [--checkpoint FILE]

Each event's link, content and seal (an HMAC under a key outside the database), each
report row against what its events say, and (for all reports) the node's tracking numbers
without gaps (a hole is printed as a warning). `--since-checkpoint` also proves that nothing before the newest signed
checkpoint in AUDIT_CHECKPOINT_DIR (or FILE) changed and that no report was deleted since
(docs/SECURITY.md). Exits with status 1 (and lists each problem) when anything is wrong.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import F

from aduan.reports.events import verify_report_chain
from aduan.reports.models import Report
from aduan.reports.tracking import missing_numbers, normalise


class Command(BaseCommand):
    help = "Verify the tamper-evident, sealed history of report events."

    def add_arguments(self, parser):
        parser.add_argument("tracking_numbers", nargs="*")
        parser.add_argument(
            "--since-checkpoint",
            action="store_true",
            help="also check the history against the newest signed checkpoint",
        )
        parser.add_argument("--checkpoint", help="the checkpoint file to check against")

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
            for problem in verify_report_chain(report):
                where = f"#{problem.seq}" if problem.seq is not None else "head"
                problems.append(f"{problem.tracking_number} {where}: {problem.problem}")
            checked += 1
        if not options["tracking_numbers"]:
            # A hole is a question, not a proof: a submission that failed after taking its
            # number leaves one too (on PostgreSQL the sequence is not transactional). A
            # deleted report is proved by the checkpoint check below.
            for run in missing_numbers(settings.NODE_ID):
                self.stderr.write(
                    f"Peringatan / warning: {run}: nomor tanpa laporan / missing "
                    "(deleted, or a submission that failed after taking it)"
                )
        if options["since_checkpoint"] or options["checkpoint"]:
            problems += self._against_checkpoint(options["checkpoint"])
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(
                f"Rantai audit rusak pada {len(problems)} titik dari {checked} laporan. / "
                f"Audit chain broken at {len(problems)} point(s) across {checked} reports."
            )
        self.stdout.write(
            f"Rantai audit utuh untuk {checked} laporan. / Audit chain intact for {checked} reports."
        )

    def _against_checkpoint(self, path: str | None) -> list[str]:
        from aduan.audit import checkpoints

        file = Path(path) if path else checkpoints.newest_file()
        if file is None or not file.exists():
            raise CommandError(
                "Tidak ada berkas titik periksa. / No checkpoint file "
                f"({path or checkpoints.directory()})."
            )
        body, findings = checkpoints.verify_since(file)
        self.stdout.write(
            f"Titik periksa #{body.get('number')} ({body.get('created_at')}): "
            f"{body.get('reports')} laporan / reports, akar / root {body.get('root')}"
        )
        return [f"{finding.where}: {finding.problem}" for finding in findings]
