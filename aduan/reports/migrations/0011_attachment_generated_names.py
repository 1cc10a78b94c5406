"""Attachments stop carrying their client's file name: a name like "Budi_0812....pdf"
identifies an anonymous reporter. `original_name` becomes `name`, and every existing row
gets a generated name ("foto-1.jpg", "lampiran-2.pdf", numbered per report in upload
order). Only the column changes: the stored files already live under generated paths and
are not touched.

The rows are rewritten a batch of reports at a time, in bounded memory on millions of
rows. Reversing keeps
the generated names: the original ones are gone.
"""

from django.db import migrations

BATCH = 2000
PREFIXES = {"image": "foto", "document": "lampiran"}


def generate_names(apps, schema_editor):
    """Number each report's files in upload order, a batch of reports at a time (no
    cursor stays open while rows are written)."""
    Attachment = apps.get_model("reports", "Attachment")
    last_report = 0
    while True:
        report_ids = list(
            Attachment.objects.filter(report_id__gt=last_report)
            .order_by("report_id")
            .values_list("report_id", flat=True)
            .distinct()[:BATCH]
        )
        if not report_ids:
            return
        rows = (
            Attachment.objects.filter(report_id__in=report_ids)
            .order_by("report_id", "created_at", "id")
            .values_list("id", "report_id", "kind", "extension")
        )
        numbers: dict[int, int] = {}
        renamed = []
        for pk, report_id, kind, extension in rows:
            numbers[report_id] = number = numbers.get(report_id, 0) + 1
            name = f"{PREFIXES.get(kind, 'lampiran')}-{number}{extension}"
            renamed.append(Attachment(pk=pk, name=name))
        Attachment.objects.bulk_update(renamed, ["name"], batch_size=BATCH)
        last_report = report_ids[-1]


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0010_overdue_notices_for_past_escalations"),
    ]

    operations = [
        migrations.RenameField(
            model_name="attachment",
            old_name="original_name",
            new_name="name",
        ),
        migrations.RunPython(generate_names, migrations.RunPython.noop, elidable=True),
    ]
