from django.db import migrations

# Deadlines that passed before the overdue mark existed were escalated already: record
# their overdue notice too, so the first scan after the upgrade does not append an
# "overdue" event to every report that is late today.
FORWARD = """
INSERT INTO reports_deadlinenotice (report_id, deadline, due_at, kind, at)
SELECT report_id, deadline, due_at, 'overdue', at
FROM reports_deadlinenotice
WHERE kind = 'escalation_1'
"""
BACKWARD = "DELETE FROM reports_deadlinenotice WHERE kind = 'overdue'"


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0009_inspection_and_overdue_events"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD, elidable=True)]
