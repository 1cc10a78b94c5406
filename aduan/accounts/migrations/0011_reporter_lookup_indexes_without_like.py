"""Indexes that no query needs are dropped: every one of them is written on every insert.

The fields' `db_index=False` is recorded in the state only; in the database the indexes are
dropped by name (the same on PostgreSQL and SQLite; the `_like` ones exist on PostgreSQL
only), so the foreign keys are not re-validated and SQLite does not rebuild the table.
Going back re-creates them as plain indexes (docs/PERFORMANCE.md, "Indexes")."""

from django.db import migrations, models

DROP = [
    'DROP INDEX IF EXISTS "accounts_reporter_email_lookup_f8e482e9"',
    'DROP INDEX IF EXISTS "accounts_reporter_email_lookup_f8e482e9_like"',
    'DROP INDEX IF EXISTS "accounts_reporter_phone_lookup_a66dd7ee"',
    'DROP INDEX IF EXISTS "accounts_reporter_phone_lookup_a66dd7ee_like"',
]
RESTORE = [
    'CREATE INDEX IF NOT EXISTS "accounts_reporter_email_lookup_f8e482e9" ON "accounts_reporter" ("email_lookup")',
    'CREATE INDEX IF NOT EXISTS "accounts_reporter_phone_lookup_a66dd7ee" ON "accounts_reporter" ("phone_lookup")',
]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_reporter_erased_at"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="reporter",
                    name="email_lookup",
                    field=models.CharField(blank=True, max_length=64),
                ),
                migrations.AlterField(
                    model_name="reporter",
                    name="phone_lookup",
                    field=models.CharField(blank=True, max_length=64),
                ),
            ],
            database_operations=[
                migrations.RunSQL(DROP, RESTORE),
            ],
        ),
        migrations.AddIndex(
            model_name="reporter",
            index=models.Index(fields=["email_lookup"], name="reporter_email_lookup_idx"),
        ),
        migrations.AddIndex(
            model_name="reporter",
            index=models.Index(fields=["phone_lookup"], name="reporter_phone_lookup_idx"),
        ),
    ]
