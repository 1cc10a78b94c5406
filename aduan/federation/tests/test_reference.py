"""Reference data flows from its authority: the category tree and the governments from
central, a hosted government's units and routing rules from its regional node."""

from aduan.agencies.models import Agency, AgencyKind, RoutingRule
from aduan.categories.models import Category
from aduan.federation import reference

from .helpers import as_node, make_peer, roundtrip


def test_a_regional_node_takes_the_category_tree_and_governments_from_central(world, tmp_path):
    world.pemkab.node = "KTM"
    world.pemkab.save()
    exported = roundtrip(reference.export_reference())
    assert exported["etag"]
    # The regional copy drifted: a renamed category, a child moved to the top, a new one.
    world.jalan.name, world.jalan.parent = "Jalan", None
    world.jalan.save()
    Category.objects.create(slug="lokal", name="Lokal")
    with as_node("KTM", tmp_path):
        reference.apply_reference(make_peer("PST", tmp_path), exported)
    world.jalan.refresh_from_db()
    assert (world.jalan.name, world.jalan.parent) == ("Jalan rusak", world.infrastruktur)
    assert not Category.objects.get(slug="lokal").is_active
    assert Agency.objects.get(uuid=world.pemkab.uuid).node == "KTM"


def test_central_takes_only_the_units_and_rules_of_what_a_region_hosts(world, tmp_path):
    world.pemkab.node = "KTM"
    world.pemkab.save()
    with as_node("KTM", tmp_path):
        exported = roundtrip(reference.export_reference())
    units = {row["name"] for row in exported["agencies"]}
    assert units == {"Dinas Pekerjaan Umum Kutai Timur", "Dinas Lingkungan Hidup Kutai Timur"}
    assert [r["uuid"] for r in exported["rules"]] == [str(world.rule_jalan.uuid)]
    assert exported["categories"] == []
    # A region may not rename another government's unit, nor create a national agency.
    exported["agencies"].append(
        {
            "uuid": str(world.pu_paser.uuid),
            "name": "Diambil alih",
            "kind": AgencyKind.UNIT,
            "parent": str(world.pemkab_paser.uuid),
        }
    )
    exported["agencies"][0]["name"] = "Dinas PUPR Kutai Timur"
    reference.apply_reference(make_peer("KTM", tmp_path), exported)
    world.pu_paser.refresh_from_db()
    assert world.pu_paser.name == "Dinas PU Paser"
    assert Agency.objects.filter(name="Dinas PUPR Kutai Timur").exists()
    assert RoutingRule.objects.get(uuid=world.rule_jalan.uuid).is_active
