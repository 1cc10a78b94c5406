"""Full-text search over the title and body of reports (aduan/reports/search.py): on
PostgreSQL a tsvector side table with a GIN index, on SQLite an FTS5 table, both kept by
triggers and filled here from the existing reports (writes to reports wait until this
commits; see docs/PERFORMANCE.md, Search). The trigram index on titles that served the
former title-only search (0003) is dropped: nothing queries it any more, and every
submission paid for it."""

from django.db import migrations


def create_search_index(apps, schema_editor):
    from aduan.reports import search

    search.install(schema_editor.connection)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS report_title_trgm_idx")


def drop_search_index(apps, schema_editor):
    from aduan.reports import search

    search.uninstall(schema_editor.connection)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS report_title_trgm_idx ON reports_report "
            "USING gin (UPPER(title) gin_trgm_ops)"
        )


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0020_report_support"),
    ]

    operations = [
        migrations.RunPython(create_search_index, drop_search_index),
    ]
