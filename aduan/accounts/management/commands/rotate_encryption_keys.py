"""Re-encrypt all personal data with the newest key in PERSONAL_DATA_KEYS.

Rotation: put a new key first in PERSONAL_DATA_KEYS (keep the old ones after it), deploy,
run this command, then remove the old keys. Without --commit it only counts (dry run).
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from aduan.accounts.crypto import EncryptedTextField
from aduan.accounts.models import Reporter
from aduan.channels.models import Conversation, Message
from aduan.notifications.models import Notification


class Command(BaseCommand):
    help = "Re-encrypt personal data with the first key of PERSONAL_DATA_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--commit", action="store_true", help="Write the changes.")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, **options):
        total = 0
        for model in (Reporter, Notification, Message, Conversation):
            fields = [f.attname for f in model._meta.fields if isinstance(f, EncryptedTextField)]
            qs = model.objects.order_by("pk").values_list("pk", flat=True)
            count = 0
            for pk_batch in _batches(
                qs.iterator(chunk_size=options["batch_size"]), options["batch_size"]
            ):
                with transaction.atomic():
                    rows = model.objects.filter(pk__in=pk_batch).select_for_update()
                    for row in rows:
                        if options["commit"]:
                            # Loading decrypts with any key; saving encrypts with the first.
                            row.save(update_fields=fields)
                        count += 1
            total += count
            self.stdout.write(f"{model.__name__}: {count}")
        verb = (
            "dienkripsi ulang / re-encrypted"
            if options["commit"]
            else "akan dienkripsi ulang (uji coba) / would be re-encrypted (dry run)"
        )
        self.stdout.write(f"{total} baris {verb}.")


def _batches(iterator, size):
    batch = []
    for item in iterator:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
