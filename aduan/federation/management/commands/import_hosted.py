"""Take over a government's units, routing rules and staff (run on the regional node,
after `host_agency` on central and `sync_now --reference`).

    python manage.py import_hosted hosted.json
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from aduan.accounts.models import User
from aduan.agencies.models import Agency, AgencyKind, RoutingRule
from aduan.categories.models import Category
from aduan.regions.models import Region


class Command(BaseCommand):
    help = "Import a hosted government's units, routing rules and staff accounts."

    def add_arguments(self, parser):
        parser.add_argument("path")

    @transaction.atomic
    def handle(self, *args, path, **options):
        from django.conf import settings

        with open(path) as handle:
            data = json.load(handle)
        government = Agency.objects.filter(uuid=data["government"]).first()
        if government is None or government.node != settings.NODE_ID:
            raise CommandError(
                "Pemerintah ini belum tercatat sebagai milik simpul ini; jalankan dulu "
                "`sync_now --reference`. / The government is not hosted here yet; run "
                "`sync_now --reference` first."
            )
        categories = {c.slug: c for c in Category.objects.all()}
        agencies = {str(government.uuid): government}
        for row in data["units"]:
            unit, _ = Agency.objects.update_or_create(
                uuid=row["uuid"],
                defaults={
                    "name": row["name"],
                    "short_name": row.get("short_name", ""),
                    "kind": AgencyKind.UNIT,
                    "parent": government,
                    "timezone": row.get("timezone", government.timezone),
                    "email": row.get("email", ""),
                    "is_active": row.get("is_active", True),
                    "node": settings.NODE_ID,
                },
            )
            unit.categories.set([categories[s] for s in row["categories"] if s in categories])
            unit.jurisdiction.set(Region.objects.filter(code__in=row["jurisdiction"]))
            agencies[row["uuid"]] = unit
        for row in data["rules"]:
            RoutingRule.objects.update_or_create(
                uuid=row["uuid"],
                defaults={
                    "category": categories.get(row["category"]) if row["category"] else None,
                    "region": Region.objects.filter(code=row["region"]).first()
                    if row["region"]
                    else None,
                    "agency": agencies[row["agency"]],
                    "unit": agencies.get(row["unit"]) if row["unit"] else None,
                    "priority": row["priority"],
                    "is_active": row["is_active"],
                    "note": row["note"],
                },
            )
        for row in data["staff"]:
            user = User.objects.filter(uuid=row["uuid"]).first() or User(uuid=row["uuid"])
            user.username = row["username"]
            user.password = row["password"]
            user.first_name, user.last_name = row["first_name"], row["last_name"]
            user.email = row["email"]
            user.role = row["role"]
            user.agency = agencies.get(row["agency"])
            user.is_active = row["is_active"]
            user.home_node = ""
            user.save()
        self.stdout.write(
            f"{len(data['units'])} unit, {len(data['rules'])} aturan, {len(data['staff'])} "
            "akun diimpor / units, rules, accounts imported"
        )
