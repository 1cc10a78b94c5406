import uuid

from django.db import migrations, models


def give_rules_uuids(apps, schema_editor):
    RoutingRule = apps.get_model("agencies", "RoutingRule")
    for rule in RoutingRule.objects.filter(uuid__isnull=True).only("pk"):
        RoutingRule.objects.filter(pk=rule.pk).update(uuid=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="agency",
            name="node",
            field=models.CharField(blank=True, db_index=True, max_length=12, verbose_name="simpul"),
        ),
        # A global key for routing rules, which travel between nodes: added empty, filled
        # row by row, then made unique.
        migrations.AddField(
            model_name="routingrule",
            name="uuid",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(give_rules_uuids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="routingrule",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
