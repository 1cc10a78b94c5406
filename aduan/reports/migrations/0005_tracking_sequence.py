from django.conf import settings
from django.db import migrations


def create_sequence(apps, schema_editor):
    # The node's tracking-number sequence exists before the first submission, so
    # concurrent first submissions never race to create it (PostgreSQL only; SQLite uses
    # the TrackingCounter row).
    if schema_editor.connection.vendor != "postgresql":
        return
    name = f"report_tracking_{settings.NODE_ID.lower()}_seq"
    schema_editor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_escalation_index")]

    operations = [migrations.RunPython(create_sequence, migrations.RunPython.noop)]
