"""Issue an API key for an integrator; the secret is printed once and stored hashed."""

import uuid

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from aduan.accounts.models import Role, User
from aduan.agencies.models import Agency
from aduan.api.keys import issue_key

SERVICE_ROLES = (Role.AGENCY_ADMIN, Role.UNIT_OFFICER)


def find_agency(value: str) -> Agency:
    agency = None
    try:
        agency = Agency.objects.filter(uuid=uuid.UUID(value)).first()
    except ValueError:
        if value.isdigit():
            agency = Agency.objects.filter(pk=int(value)).first()
    if agency is None:
        raise CommandError(_("Instansi tidak ditemukan: %(value)s") % {"value": value})
    return agency


class Command(BaseCommand):
    help = _(
        "Membuat kunci API baru dan menampilkannya sekali. Dengan --agency dan --user kunci "
        "dapat membaca dan menindaklanjuti laporan instansi itu sebagai akun layanan."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help=_("Nama integrator, mis. 'Aplikasi Kutim Mantap'"))
        parser.add_argument("--agency", help=_("UUID atau id instansi cakupan kunci"))
        parser.add_argument(
            "--user",
            help=_("Nama pengguna akun layanan (admin instansi atau petugas unit instansi itu)"),
        )
        parser.add_argument(
            "--no-submit",
            action="store_true",
            help=_("Kunci tidak boleh mengirim laporan"),
        )
        parser.add_argument(
            "--rate", type=int, default=120, help=_("Batas permintaan per menit (bawaan 120)")
        )

    def handle(self, *args, **options):
        name = options["name"].strip()
        if not name or len(name) > 100:
            raise CommandError(_("Nama wajib diisi (maks. 100 karakter)."))
        if options["rate"] < 1:
            raise CommandError(_("Batas permintaan harus minimal 1 per menit."))
        agency = find_agency(options["agency"]) if options["agency"] else None
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None or not user.is_active:
                raise CommandError(
                    _("Pengguna tidak ditemukan atau tidak aktif: %(user)s")
                    % {"user": options["user"]}
                )
            if user.role not in SERVICE_ROLES:
                raise CommandError(_("Akun layanan harus admin instansi atau petugas unit."))
            if agency is None:
                agency = user.agency
            if agency is None or user.agency_id != agency.pk:
                raise CommandError(_("Akun layanan harus milik instansi kunci ini."))
        issued = issue_key(
            name,
            user=user,
            agency=agency,
            can_submit=not options["no_submit"],
            rate_limit_per_minute=options["rate"],
        )
        self.stdout.write(
            _(
                "Kunci API untuk %(name)s (awalan %(prefix)s). Simpan sekarang: kunci ini tidak "
                "akan ditampilkan lagi."
            )
            % {"name": name, "prefix": issued.key.prefix}
        )
        self.stdout.write(issued.secret)
