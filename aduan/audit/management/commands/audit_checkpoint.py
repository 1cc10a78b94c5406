"""Take a signed checkpoint of this node's whole history now (the worker takes one every
AUDIT_CHECKPOINT_MINUTES) and print where its files are.

    python manage.py audit_checkpoint
"""

from django.core.management.base import BaseCommand

from aduan.audit import checkpoints
from aduan.audit.tasks import deliver_to_peers


class Command(BaseCommand):
    help = "Take a signed checkpoint of the audit history and send it to the paired nodes."

    def handle(self, *args, **options):
        checkpoint = checkpoints.make_checkpoint()
        json_path, heads_path = checkpoints.paths(checkpoint.node, checkpoint.number)
        delivered = deliver_to_peers()
        self.stdout.write(
            f"Titik periksa #{checkpoint.number}: {checkpoint.reports} laporan, "
            f"{checkpoint.events} peristiwa, akar {checkpoint.root}. / "
            f"Checkpoint #{checkpoint.number}: {checkpoint.reports} reports, "
            f"{checkpoint.events} events, root {checkpoint.root}.\n"
            f"{json_path}\n{heads_path}\n"
            f"Dikirim ke / sent to: {', '.join(delivered) or '-'}"
        )
