"""Erase one reporter's identity and contacts on this node, for a request received in
writing or for the copy of a reporter another node already erased (docs/PRIVACY.md,
Across nodes). A dry run unless --commit."""

from django.core.management.base import BaseCommand, CommandError

from aduan.accounts.models import Reporter
from aduan.privacy import erasure, subject
from aduan.privacy.models import ErasureSource


class Command(BaseCommand):
    help = "Erase a reporter's personal data by reporter UUID (a dry run unless --commit)."

    def add_arguments(self, parser):
        parser.add_argument("reporter", help="the reporter's UUID")
        parser.add_argument("--commit", action="store_true")

    def handle(self, *args, reporter, commit=False, **options):
        try:
            row = Reporter.objects.filter(uuid=reporter).first()
        except Exception as exc:  # a malformed UUID
            raise CommandError(f"not a reporter UUID: {reporter}") from exc
        if row is None:
            raise CommandError(f"no reporter {reporter} on this node")
        person = subject.for_reporter(row)
        if row.user_id:
            person.user = row.user
            person.contacts.add_email(row.user.email)
        reports = person.reports().count()
        self.stdout.write(f"reporter {row.uuid}: {reports} report(s), erased_at={row.erased_at}")
        if not commit:
            self.stdout.write("Dry run: nothing changed. Run again with --commit to erase.")
            return
        try:
            record = erasure.request_erasure(person, source=ErasureSource.ADMIN)
        except erasure.ErasureRefused as exc:
            raise CommandError(f"{exc} {', '.join(exc.reports)}") from exc
        record = erasure.carry_out_erasure(record.pk)
        self.stdout.write(f"erasure {record.uuid}: {record.status} {record.summary}")
