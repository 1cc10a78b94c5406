import hashlib
import hmac

from django.conf import settings
from django.db import migrations, models


def seal_existing_events(apps, schema_editor):
    """Seal the events stored before seals existed, under the first audit key (the same
    computation as `aduan.reports.events.seal_of`, frozen here). Whatever was edited
    before this migration is sealed as it stands: the hash chain, checked by
    `verify_audit_chain`, still shows it."""
    ReportEvent = apps.get_model("reports", "ReportEvent")
    key = settings.AUDIT_CHAIN_KEYS[0].encode("utf-8")
    key_id = hashlib.sha256(b"aduan-audit-key:" + key).hexdigest()[:8]
    last = 0
    while True:
        batch = list(
            ReportEvent.objects.filter(pk__gt=last, seal="")
            .order_by("pk")
            .values_list("pk", "report__uuid", "seq", "hash")[:5000]
        )
        if not batch:
            return
        rows = []
        for pk, report_uuid, seq, digest in batch:
            mac = hmac.new(key, f"{report_uuid}:{seq}:{digest}".encode(), hashlib.sha256)
            rows.append(ReportEvent(pk=pk, seal=f"{key_id}:{mac.hexdigest()}"))
        ReportEvent.objects.bulk_update(rows, ["seal"], batch_size=1000)
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [("reports", "0016_alter_report_channel")]

    operations = [
        migrations.AddField(
            model_name="reportevent",
            name="seal",
            field=models.CharField(blank=True, max_length=80),
        ),
        migrations.RunPython(seal_existing_events, migrations.RunPython.noop),
    ]
