from django.db import migrations

# The national admins' verification queue, sorted by deadline with NULLs last: the first
# inbox page at a million reports went from 510 ms to 0.3 ms (docs/PERFORMANCE.md).
# PostgreSQL only: SQLite cannot declare NULLS LAST in an index (and needs none here).
CREATE = (
    "CREATE INDEX IF NOT EXISTS report_verify_queue_idx ON reports_report "
    "(next_due_at ASC NULLS LAST, submitted_at DESC, id DESC) "
    "WHERE agency_id IS NULL AND status IN ('submitted', 'on_hold')"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS report_verify_queue_idx")


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_tracking_sequence")]

    operations = [migrations.RunPython(create_index, drop_index)]
