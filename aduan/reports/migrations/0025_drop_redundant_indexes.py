"""Indexes that no query needs are dropped: every one of them is written on every insert.

The fields' `db_index=False` is recorded in the state only; in the database the indexes are
dropped by name (the same on PostgreSQL and SQLite; the `_like` ones exist on PostgreSQL
only), so the foreign keys are not re-validated and SQLite does not rebuild the table.
Going back re-creates them as plain indexes (docs/PERFORMANCE.md, "Indexes")."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DROP = [
    'DROP INDEX IF EXISTS "reports_report_agency_id_fe64f2a4"',
    'DROP INDEX IF EXISTS "reports_report_assignee_id_12cff25a"',
    'DROP INDEX IF EXISTS "reports_report_category_id_7a7857a8"',
    'DROP INDEX IF EXISTS "reports_report_duplicate_of_id_61348c9b"',
    'DROP INDEX IF EXISTS "reports_report_province_code_c04045d1"',
    'DROP INDEX IF EXISTS "reports_report_province_code_c04045d1_like"',
    'DROP INDEX IF EXISTS "reports_report_regency_code_083deafc"',
    'DROP INDEX IF EXISTS "reports_report_regency_code_083deafc_like"',
    'DROP INDEX IF EXISTS "reports_report_region_id_b9529c1f"',
    'DROP INDEX IF EXISTS "reports_report_region_id_b9529c1f_like"',
    'DROP INDEX IF EXISTS "reports_report_suggested_region_id_32a870b9"',
    'DROP INDEX IF EXISTS "reports_report_suggested_region_id_32a870b9_like"',
    'DROP INDEX IF EXISTS "reports_report_unit_id_711212ce"',
    'DROP INDEX IF EXISTS "reports_reportevent_actor_id_66a03e55"',
    'DROP INDEX IF EXISTS "reports_reportevent_report_id_5031d186"',
]
RESTORE = [
    'CREATE INDEX IF NOT EXISTS "reports_report_agency_id_fe64f2a4" ON "reports_report" ("agency_id")',
    'CREATE INDEX IF NOT EXISTS "reports_report_assignee_id_12cff25a" ON "reports_report" ("assignee_id")',
    'CREATE INDEX IF NOT EXISTS "reports_report_category_id_7a7857a8" ON "reports_report" ("category_id")',
    'CREATE INDEX IF NOT EXISTS "reports_report_duplicate_of_id_61348c9b" ON "reports_report" ("duplicate_of_id")',
    'CREATE INDEX IF NOT EXISTS "reports_report_province_code_c04045d1" ON "reports_report" ("province_code")',
    'CREATE INDEX IF NOT EXISTS "reports_report_regency_code_083deafc" ON "reports_report" ("regency_code")',
    'CREATE INDEX IF NOT EXISTS "reports_report_region_id_b9529c1f" ON "reports_report" ("region_id")',
    'CREATE INDEX IF NOT EXISTS "reports_report_suggested_region_id_32a870b9" ON "reports_report" ("suggested_region_id")',
    'CREATE INDEX IF NOT EXISTS "reports_report_unit_id_711212ce" ON "reports_report" ("unit_id")',
    'CREATE INDEX IF NOT EXISTS "reports_reportevent_actor_id_66a03e55" ON "reports_reportevent" ("actor_id")',
    'CREATE INDEX IF NOT EXISTS "reports_reportevent_report_id_5031d186" ON "reports_reportevent" ("report_id")',
]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_reporter_lookup_indexes_without_like"),
        ("agencies", "0002_agency_node_routingrule_uuid"),
        ("categories", "0001_initial"),
        ("regions", "0003_region_tokens_for_search"),
        ("reports", "0024_cluster_event_types"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="report",
                    name="agency",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reports",
                        to="agencies.agency",
                    ),
                ),
                migrations.AlterField(
                    model_name="report",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assigned_reports",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="report",
                    name="category",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="categories.category",
                    ),
                ),
                migrations.AlterField(
                    model_name="report",
                    name="duplicate_of",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="duplicates",
                        to="reports.report",
                    ),
                ),
                migrations.AlterField(
                    model_name="report",
                    name="province_code",
                    field=models.CharField(blank=True, max_length=2),
                ),
                migrations.AlterField(
                    model_name="report",
                    name="regency_code",
                    field=models.CharField(blank=True, max_length=5),
                ),
                migrations.AlterField(
                    model_name="report",
                    name="region",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="regions.region",
                    ),
                ),
                migrations.AlterField(
                    model_name="report",
                    name="suggested_region",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="regions.region",
                    ),
                ),
                migrations.AlterField(
                    model_name="report",
                    name="unit",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="unit_reports",
                        to="agencies.agency",
                    ),
                ),
                migrations.AlterField(
                    model_name="reportevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="reportevent",
                    name="report",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="reports.report",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(DROP, RESTORE),
            ],
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(fields=["province_code"], name="report_province_idx"),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(fields=["regency_code"], name="report_regency_idx"),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(("duplicate_of__isnull", False)),
                fields=["duplicate_of"],
                name="report_duplicate_of_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(("suggested_region__isnull", False)),
                fields=["suggested_region"],
                name="report_suggested_region_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="reportevent",
            index=models.Index(
                condition=models.Q(("actor__isnull", False)),
                fields=["actor"],
                name="event_actor_idx",
            ),
        ),
    ]
