"""The harness's reference data and staff, created on each node as its own authority.

    python -m harness.setup_node central      # categories, governments, national staff
    python -m harness.setup_node regional     # (after pulling central's reference data)
                                              # the hosted government's units and staff

Central hosts the national agency and the province; Pemkab Kutai Timur works on node KTM
(and verifies its own region), Pemkab Paser on node PSR (verified by the national admins)."""

import sys

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from aduan.accounts.models import Role, User  # noqa: E402
from aduan.agencies.models import Agency, AgencyKind, RoutingRule  # noqa: E402
from aduan.categories.models import Category  # noqa: E402
from aduan.regions.models import Region  # noqa: E402

GOVERNMENTS = {
    "KTM": ("Pemerintah Kabupaten Kutai Timur", "64.08", True),
    "PSR": ("Pemerintah Kabupaten Paser", "64.01", False),
}


def user(username, role, agency=None):
    account, _ = User.objects.get_or_create(
        username=username, defaults={"role": role, "agency": agency, "email": f"{username}@x.id"}
    )
    # Nobody signs in to the harness: its load acts through perform(), so no password.
    account.set_unusable_password()
    account.save()
    return account


def central():
    call_command("seed_categories", verbosity=0)
    national, _ = Agency.objects.get_or_create(
        name="Pengelola Nasional", defaults={"kind": AgencyKind.NATIONAL}
    )
    province, _ = Agency.objects.get_or_create(
        name="Pemerintah Provinsi Kalimantan Timur",
        defaults={"kind": AgencyKind.PROVINCE, "timezone": "Asia/Makassar"},
    )
    province.jurisdiction.set([Region.objects.get(code="64")])
    for node, (name, region, verifies) in GOVERNMENTS.items():
        agency, _ = Agency.objects.get_or_create(
            name=name,
            defaults={
                "kind": AgencyKind.REGENCY,
                "timezone": "Asia/Makassar",
                "node": node,
                "verifies_own_region": verifies,
            },
        )
        agency.jurisdiction.set([Region.objects.get(code=region)])
    user("nasional", Role.NATIONAL_ADMIN, national)
    user("admin_kaltim", Role.AGENCY_ADMIN, province)
    user("pengawas", Role.SUPERVISOR)


def regional():
    name, region, _ = GOVERNMENTS[settings.NODE_ID]
    government = Agency.objects.get(name=name)
    units = []
    for unit_name in ("Dinas PU", "Dinas Lingkungan Hidup", "Kecamatan Kota"):
        unit, _ = Agency.objects.get_or_create(
            name=f"{unit_name} {settings.NODE_ID}",
            defaults={"kind": AgencyKind.UNIT, "parent": government, "timezone": "Asia/Makassar"},
        )
        units.append(unit)
    jalan = Category.objects.get(slug="jalan-rusak")
    RoutingRule.objects.get_or_create(
        category=jalan, region=Region.objects.get(code=region), agency=government, unit=units[0]
    )
    user(f"admin_{settings.NODE_ID.lower()}", Role.AGENCY_ADMIN, government)
    for index, unit in enumerate(units):
        user(f"petugas_{settings.NODE_ID.lower()}_{index}", Role.UNIT_OFFICER, unit)


if __name__ == "__main__":
    {"central": central, "regional": regional}[sys.argv[1]]()
