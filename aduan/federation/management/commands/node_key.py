"""Show or create this node's signing key.

python manage.py node_key                 # node id, role, public key and fingerprint
python manage.py node_key --generate      # create the key file (refuses to overwrite)
python manage.py node_key --generate --replace   # a new key (tell every peer: docs/FEDERATION.md)
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from aduan.federation import keys


class Command(BaseCommand):
    help = "Show or create this node's Ed25519 signing key."

    def add_arguments(self, parser):
        parser.add_argument("--generate", action="store_true")
        parser.add_argument("--replace", action="store_true")
        parser.add_argument("--fingerprint", action="store_true", help="Print only it.")

    def handle(self, *args, **options):
        if options["generate"]:
            try:
                path = keys.generate_key_file(overwrite=options["replace"])
            except FileExistsError as exc:
                raise CommandError(
                    f"Kunci sudah ada: {exc}. Pakai --replace untuk mengganti. / "
                    f"The key exists: {exc}. Use --replace to replace it."
                )
            self.stdout.write(f"Kunci baru / new key: {path}")
        public = keys.public_key_b64()
        if options["fingerprint"]:
            self.stdout.write(keys.fingerprint(public))
            return
        self.stdout.write(f"node_id     {settings.NODE_ID}")
        self.stdout.write(f"role        {settings.NODE_ROLE}")
        self.stdout.write(f"url         {settings.SITE_URL}")
        self.stdout.write(f"public_key  {public}")
        self.stdout.write(f"fingerprint {keys.fingerprint(public)}")
