"""Write the monthly report ("Laporan Bulanan Pengelolaan Pengaduan") of one agency as PDF."""

import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from aduan.agencies.models import Agency, AgencyKind
from aduan.stats import monthly
from aduan.stats.params import BadParameter, parse_month


class Command(BaseCommand):
    help = "Write an agency's monthly complaint-handling report as a PDF file."

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="Agency id or UUID.")
        parser.add_argument("--month", required=True, help="Month as YYYY-MM, e.g. 2026-10.")
        parser.add_argument("--output", required=True, help="Path of the PDF file to write.")
        parser.add_argument("--language", default="id", choices=["id", "en"])
        parser.add_argument("--html", action="store_true", help="Write the HTML instead.")

    def handle(self, *args, **options):
        value = options["agency"].strip()
        agency = None
        if value.isdigit():
            agency = Agency.objects.filter(pk=int(value)).first()
        else:
            try:
                agency = Agency.objects.filter(uuid=uuid.UUID(value)).first()
            except ValueError:
                agency = None
        if agency is None or agency.kind == AgencyKind.UNIT:
            raise CommandError(
                f"Instansi tidak dikenal / unknown agency: {value!r} (units have no monthly report)"
            )
        try:
            month = parse_month(options["month"], "month")
        except BadParameter as error:
            raise CommandError(f"{error.message_id} / {error.message_en}")
        output = Path(options["output"])
        with translation.override(options["language"]):
            if options["html"]:
                output.write_text(monthly.render_html(agency, month), encoding="utf-8")
            else:
                output.write_bytes(monthly.render_pdf(agency, month))
        self.stdout.write(self.style.SUCCESS(f"{output} ({agency.name}, {month:%Y-%m})"))
