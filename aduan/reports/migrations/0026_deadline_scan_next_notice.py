"""The deadline scan's own key: when the scan next needs to look at a report
(reports/sla.py). Existing reports start where a new deadline starts, `next_due_at - 12
days` (deadlines.first_notice_at; none for a report waiting on its reporter's reply): the
first scans after the upgrade read them as before and move each one on as its notices are
found sent."""

import datetime as dt

from django.db import migrations, models
from django.db.models import F

# deadlines.REMINDER_LOOKAHEAD when this migration was written.
LOOKAHEAD = dt.timedelta(days=12)


def set_first_notice(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    reports = Report.objects.using(schema_editor.connection.alias)
    # Not the reports waiting on their reporter's reply: the scan closes those by its own
    # query and never reminds them.
    reports.filter(next_due_at__isnull=False).exclude(status="responded").update(
        next_notice_at=F("next_due_at") - LOOKAHEAD
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0025_drop_redundant_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="next_notice_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(set_first_notice, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(("next_notice_at__isnull", False)),
                fields=["owner_node", "next_notice_at"],
                name="report_notice_idx",
            ),
        ),
    ]
