"""Revoke an API key by its prefix (the part after `aduan_`, shown in the admin)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from aduan.api.keys import revoke
from aduan.api.models import ApiKey


class Command(BaseCommand):
    help = _("Mencabut kunci API berdasarkan awalannya; permintaan dengan kunci itu ditolak.")

    def add_arguments(self, parser):
        parser.add_argument("prefix", help=_("Awalan kunci, mis. 3f9a12bc"))

    def handle(self, *args, **options):
        prefix = options["prefix"].strip()
        if prefix.startswith("aduan_"):
            prefix = prefix.split("_")[1]
        key = ApiKey.objects.filter(prefix=prefix).first()
        if key is None:
            raise CommandError(_("Kunci API tidak ditemukan: %(prefix)s") % {"prefix": prefix})
        if not key.is_active:
            self.stdout.write(_("Kunci %(key)s sudah dicabut.") % {"key": key})
            return
        revoke(key)
        self.stdout.write(_("Kunci %(key)s dicabut.") % {"key": key})
