"""Move a government to a regional node (run on central).

    python manage.py host_agency KTM "Pemerintah Kabupaten Kutai Timur" --export hosted.json

- marks the government (and its units) as hosted by the regional node;
- hands every report of the government that central owns over to the node, with a
  `handed_over` event each (open and closed alike: a closed report can still be appealed);
- writes, with --export, what the regional node needs to take over: the government's units
  and routing rules and its staff accounts (with their password hashes, so people keep their
  passwords). Central keeps the accounts as copies that can no longer sign in here.

Dry run unless --commit. The regional node then runs `manage.py import_hosted hosted.json`.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from aduan.accounts.models import User
from aduan.agencies.models import Agency, AgencyKind, RoutingRule
from aduan.federation.models import NodeRole, Peer
from aduan.reports.actions import hand_over_report
from aduan.reports.actors import SYSTEM
from aduan.reports.models import Report


def export_hosted(government: Agency) -> dict:
    units = list(government.children.filter(kind=AgencyKind.UNIT))
    agencies = [government, *units]
    return {
        "government": str(government.uuid),
        "units": [
            {
                "uuid": str(u.uuid),
                "name": u.name,
                "short_name": u.short_name,
                "timezone": u.timezone,
                "email": u.email,
                "is_active": u.is_active,
                "categories": sorted(c.slug for c in u.categories.all()),
                "jurisdiction": sorted(r.code for r in u.jurisdiction.all()),
            }
            for u in units
        ],
        "rules": [
            {
                "uuid": str(r.uuid),
                "category": r.category.slug if r.category_id else None,
                "region": r.region_id,
                "agency": str(r.agency.uuid),
                "unit": str(r.unit.uuid) if r.unit_id else None,
                "priority": r.priority,
                "is_active": r.is_active,
                "note": r.note,
            }
            for r in RoutingRule.objects.filter(agency=government).select_related(
                "category", "agency", "unit"
            )
        ],
        "staff": [
            {
                "uuid": str(u.uuid),
                "username": u.username,
                "password": u.password,
                "first_name": u.first_name,
                "last_name": u.last_name,
                "email": u.email,
                "role": u.role,
                "agency": str(u.agency.uuid),
                "is_active": u.is_active,
            }
            for u in User.objects.filter(agency__in=agencies, home_node="").select_related("agency")
        ],
    }


class Command(BaseCommand):
    help = "Host a government (and its units, reports and staff) on a regional node."

    def add_arguments(self, parser):
        parser.add_argument("node")
        parser.add_argument("agency", help="The government's name or UUID.")
        parser.add_argument("--export", help="Write units, rules and staff to this file.")
        parser.add_argument("--commit", action="store_true")

    def handle(self, *args, node, agency, export, commit, **options):
        from django.conf import settings

        if settings.NODE_ROLE != NodeRole.CENTRAL:
            raise CommandError("Jalankan di simpul pusat. / Run this on the central node.")
        if not Peer.objects.filter(node_id=node, role=NodeRole.REGIONAL).exists():
            raise CommandError(
                f"Simpul daerah {node} belum dipasangkan (pair_node). / "
                f"Regional node {node} is not paired (pair_node)."
            )
        government = (
            Agency.objects.filter(uuid=agency).first()
            if len(agency) == 36
            else Agency.objects.filter(name=agency).first()
        )
        if government is None or government.kind == AgencyKind.UNIT:
            raise CommandError(f"Pemerintah tidak ditemukan / government not found: {agency}")
        reports = Report.objects.filter(owner_node=settings.NODE_ID).filter(
            agency=government
        ) | Report.objects.filter(owner_node=settings.NODE_ID, unit__parent=government)
        count = reports.count()
        data = export_hosted(government)
        self.stdout.write(
            f"{government.name} → {node}: {len(data['units'])} unit, {len(data['rules'])} "
            f"aturan, {len(data['staff'])} akun, {count} laporan / units, rules, accounts, reports"
        )
        if not commit:
            self.stdout.write("Uji coba; tambahkan --commit. / Dry run; add --commit.")
            return
        with transaction.atomic():
            government.node = node
            government.save(update_fields=["node"])
            government.children.update(node=node)
            User.objects.filter(uuid__in=[s["uuid"] for s in data["staff"]]).update(home_node=node)
        for report in reports.order_by("pk").iterator(chunk_size=200):
            hand_over_report(report, node, actor=SYSTEM)
        if export:
            with open(export, "w") as handle:
                json.dump(data, handle, indent=1)
            self.stdout.write(f"Ditulis / written: {export}")
