"""Full-text search over the title and body of reports (aduan/reports/search.py): on
PostgreSQL a tsvector side table with a GIN index, on SQLite an FTS5 table, both kept by
triggers and filled here from the existing reports (on PostgreSQL about a minute per
million reports, with writes to reports waiting until it commits)."""

from django.db import migrations


def create_search_index(apps, schema_editor):
    from aduan.reports import search

    search.install(schema_editor.connection)


def drop_search_index(apps, schema_editor):
    from aduan.reports import search

    search.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0016_alter_report_channel"),
    ]

    operations = [
        migrations.RunPython(create_search_index, drop_search_index),
    ]
