"""Indexes that no query needs are dropped: every one of them is written on every insert.

The fields' `db_index=False` is recorded in the state only; in the database the indexes are
dropped by name (the same on PostgreSQL and SQLite; the `_like` ones exist on PostgreSQL
only), so the foreign keys are not re-validated and SQLite does not rebuild the table.
Going back re-creates them as plain indexes (docs/PERFORMANCE.md, "Indexes")."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DROP = [
    'DROP INDEX IF EXISTS "notifications_notification_recipient_user_id_0323d78e"',
]
RESTORE = [
    'CREATE INDEX IF NOT EXISTS "notifications_notification_recipient_user_id_0323d78e" ON "notifications_notification" ("recipient_user_id")',
]


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_notification_claimed_by"),
        ("reports", "0024_cluster_event_types"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="notification",
                    name="recipient_user",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(DROP, RESTORE),
            ],
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("recipient_user__isnull", False)),
                fields=["recipient_user"],
                name="notification_recipient_idx",
            ),
        ),
    ]
