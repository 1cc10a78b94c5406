"""Routing suggestions (docs/DESIGN.md, Routing): the most specific active rule wins, then the
regional government of the deepest jurisdiction, then nobody (the national admin decides),
and the suggestion always says why.

The world has one rule: damaged roads in Kabupaten Kutai Timur go to its Dinas PU.
"""

import pytest

from aduan.agencies.models import Agency, AgencyKind, RoutingRule
from aduan.agencies.routing import suggest_route, suggest_unit
from aduan.regions.models import RegionLevel
from conftest import make_region

VILLAGE = "64.08.04.1001"  # Singa Gembara, Sangatta Utara, Kutai Timur


def rule(world, *, agency=None, unit=None, category=None, region=None, **extra):
    return RoutingRule.objects.create(
        agency=agency or (unit.parent if unit else world.pemkab),
        unit=unit,
        category=category,
        region=region,
        **extra,
    )


@pytest.fixture
def pemprov(world):
    """The provincial government of Kalimantan Timur and one of its units."""
    province = Agency.objects.create(
        name="Pemerintah Provinsi Kalimantan Timur",
        short_name="Pemprov Kaltim",
        kind=AgencyKind.PROVINCE,
    )
    province.jurisdiction.add(world.kaltim)
    return province


@pytest.fixture
def pupr_kaltim(pemprov):
    return Agency.objects.create(
        name="Dinas PUPR Provinsi Kalimantan Timur",
        short_name="PUPR Kaltim",
        kind=AgencyKind.UNIT,
        parent=pemprov,
    )


# ------------------------------------------------------------------------------ specificity


def test_a_rule_for_the_report_s_category_and_region_is_followed(world):
    route = suggest_route(world.jalan, VILLAGE)

    assert (route.agency, route.unit, route.rule) == (
        world.pemkab,
        world.dinas_pu,
        world.rule_jalan,
    )


def test_a_deeper_region_wins_village_over_district_over_regency_over_province_over_anywhere(
    world, pupr_kaltim
):
    anywhere = rule(world, agency=world.national, category=world.jalan, priority=1)
    province = rule(world, unit=pupr_kaltim, category=world.jalan, region=world.kaltim, priority=1)
    # world.rule_jalan: Kutai Timur (regency) → Dinas PU
    district = rule(world, unit=world.dlh, category=world.jalan, region=world.sangatta_utara)
    village = rule(world, agency=world.pemkab, category=world.jalan, region=world.village)

    assert suggest_route(world.jalan, VILLAGE).rule == village
    village.delete()
    assert suggest_route(world.jalan, VILLAGE).rule == district
    district.delete()
    assert suggest_route(world.jalan, VILLAGE).rule == world.rule_jalan
    world.rule_jalan.delete()
    assert suggest_route(world.jalan, VILLAGE).rule == province
    province.delete()
    assert suggest_route(world.jalan, VILLAGE).rule == anywhere


def test_a_rule_for_a_sibling_region_does_not_apply(world):
    rule(world, unit=world.dlh, category=world.jalan, region=world.sangkulirang, priority=1)

    assert suggest_route(world.jalan, VILLAGE).rule == world.rule_jalan


def test_a_deeper_region_wins_even_over_a_more_specific_category(world):
    district_any_topic = rule(world, unit=world.dlh, region=world.sangatta_utara)

    route = suggest_route(world.jalan, VILLAGE)

    assert route.rule == district_any_topic
    assert route.unit == world.dlh


def test_the_sub_category_rule_wins_over_the_parent_category_rule(world):
    parent = rule(
        world, unit=world.dlh, category=world.infrastruktur, region=world.kutim, priority=1
    )

    assert suggest_route(world.jalan, VILLAGE).rule == world.rule_jalan
    # A report filed under the parent category only matches the parent's rule.
    assert suggest_route(world.infrastruktur, VILLAGE).rule == parent


def test_a_parent_category_rule_covers_its_sub_categories(world):
    parent = rule(world, unit=world.dlh, category=world.lingkungan, region=world.kutim)

    assert suggest_route(world.limbah, VILLAGE).rule == parent


def test_a_rule_with_a_category_wins_over_one_without(world):
    any_topic = rule(world, unit=world.dlh, region=world.kutim, priority=1)

    assert suggest_route(world.jalan, VILLAGE).rule == world.rule_jalan
    assert suggest_route(world.limbah, VILLAGE).rule == any_topic
    assert suggest_route(None, VILLAGE).rule == any_topic


def test_a_rule_for_another_category_does_not_apply(world):
    assert suggest_route(world.limbah, VILLAGE).rule is None
    assert suggest_route(None, VILLAGE).rule is None


def test_the_lower_priority_number_breaks_a_tie(world):
    # Created after the existing rule (priority 100), so creation order cannot be the reason.
    preferred = rule(world, unit=world.dlh, category=world.jalan, region=world.kutim, priority=10)

    assert suggest_route(world.jalan, VILLAGE).rule == preferred
    preferred.priority = 200
    preferred.save()
    assert suggest_route(world.jalan, VILLAGE).rule == world.rule_jalan


def test_an_inactive_rule_is_ignored(world):
    world.rule_jalan.is_active = False
    world.rule_jalan.save()
    fallback = rule(world, unit=world.dlh, category=world.jalan, region=world.kaltim)

    assert suggest_route(world.jalan, VILLAGE).rule == fallback


def test_a_rule_pointing_to_an_inactive_agency_is_ignored(world):
    backup = rule(world, agency=world.national, category=world.jalan)
    world.pemkab.is_active = False
    world.pemkab.save()

    assert suggest_route(world.jalan, VILLAGE).rule == backup


def test_a_rule_pointing_to_an_inactive_unit_suggests_the_agency_only(world):
    world.dinas_pu.is_active = False
    world.dinas_pu.save()

    route = suggest_route(world.jalan, VILLAGE)

    assert (route.agency, route.unit) == (world.pemkab, None)
    # The reason names what is suggested, not the inactive unit.
    assert "biasanya ditangani Pemkab Kutim" in route.reason
    assert "Dinas PU" not in route.reason


# ------------------------------------------------------------------------------ fallbacks


def test_without_a_rule_the_regional_government_of_the_deepest_jurisdiction_is_suggested(
    world, pemprov
):
    route = suggest_route(world.limbah, VILLAGE)

    assert (route.agency, route.unit, route.rule) == (world.pemkab, None, None)
    assert route.reason == (
        "Laporan di Kabupaten Kutai Timur biasanya ditangani Pemkab Kutim — tanpa aturan; "
        "wilayah kerja instansi"
    )
    assert route.reason_en == (
        "Reports in Kabupaten Kutai Timur are usually handled by Pemkab Kutim — no rule; "
        "the agency's jurisdiction"
    )


def test_a_region_without_a_regency_government_falls_back_to_the_province(world, pemprov):
    berau = make_region("64.03", "Kabupaten Berau", RegionLevel.REGENCY, world.kaltim)
    make_region("64.03.01", "Tanjung Redeb", RegionLevel.DISTRICT, berau)

    route = suggest_route(world.jalan, "64.03.01")

    assert (route.agency, route.unit, route.rule) == (pemprov, None, None)


def test_an_inactive_government_is_no_fallback(world, pemprov):
    world.pemkab.is_active = False
    world.pemkab.save()

    assert suggest_route(world.limbah, VILLAGE).agency == pemprov


def test_a_unit_with_a_jurisdiction_is_no_fallback(world):
    world.dinas_pu.jurisdiction.add(world.sangatta_utara)

    assert suggest_route(world.limbah, VILLAGE).agency == world.pemkab


def test_with_no_rule_and_no_government_the_national_admin_decides(world):
    for region in ("31", None, ""):
        route = suggest_route(world.jalan, region)
        assert (route.agency, route.unit, route.rule) == (None, None, None), region
        assert "admin nasional" in route.reason
        assert "national admin" in route.reason_en


def test_a_catch_all_rule_applies_everywhere(world):
    catch_all = rule(world, agency=world.national)

    for region in ("31", None, VILLAGE):
        assert suggest_route(world.limbah, region).rule == catch_all


# ------------------------------------------------------------------------------ the reason


def test_the_reason_is_a_sentence_naming_category_region_target_and_rule(world):
    route = suggest_route(world.jalan, VILLAGE)

    rule_id = world.rule_jalan.pk
    assert route.reason == (
        f"Jalan rusak di Kabupaten Kutai Timur biasanya ditangani Dinas PU — aturan #{rule_id}"
    )
    assert route.reason_en == (
        f"Damaged road in Kabupaten Kutai Timur is usually handled by Dinas PU — rule #{rule_id}"
    )


def test_the_reason_of_a_catch_all_rule_says_any_category_anywhere(world):
    catch_all = rule(world, agency=world.national)

    route = suggest_route(world.limbah, "31")

    assert route.reason == (
        "Laporan di seluruh Indonesia biasanya ditangani Pengelola SP4N-LAPOR! Nasional — "
        f"aturan #{catch_all.pk}"
    )
    assert route.reason_en == (
        "Reports in all of Indonesia are usually handled by Pengelola SP4N-LAPOR! Nasional — "
        f"rule #{catch_all.pk}"
    )


# ------------------------------------------------------------------------------ units


def test_the_unit_comes_from_the_agency_s_own_rule_with_the_same_sentence(world):
    route = suggest_unit(world.pemkab, world.jalan, VILLAGE)

    assert (route.agency, route.unit, route.rule) == (
        world.pemkab,
        world.dinas_pu,
        world.rule_jalan,
    )
    assert route.reason == (
        "Jalan rusak di Kabupaten Kutai Timur biasanya ditangani Dinas PU — "
        f"aturan #{world.rule_jalan.pk}"
    )
    assert route.reason_en.startswith("Damaged road in Kabupaten Kutai Timur is usually")


def test_another_agency_s_rules_never_suggest_a_unit(world):
    rule(world, unit=world.pu_paser, category=world.limbah)

    route = suggest_unit(world.pemkab, world.limbah, VILLAGE)

    assert route.unit is None
    assert route.reason == "Tidak ada aturan atau unit yang bidangnya cocok; pilih unit sendiri."


def test_without_a_rule_the_unit_whose_topics_and_area_cover_the_report_is_suggested(world):
    world.dlh.categories.add(world.lingkungan)
    district_office = Agency.objects.create(
        name="Kantor Kecamatan Sangatta Utara",
        short_name="Kec. Sangatta Utara",
        kind=AgencyKind.UNIT,
        parent=world.pemkab,
    )
    district_office.categories.add(world.limbah)
    district_office.jurisdiction.add(world.sangatta_utara)

    route = suggest_unit(world.pemkab, world.limbah, VILLAGE)

    # The office whose area is the report's district wins over the regency-wide DLH.
    assert (route.unit, route.rule) == (district_office, None)
    assert route.reason == (
        "Limbah di Sangatta Utara biasanya ditangani Kec. Sangatta Utara — tanpa aturan; "
        "bidang dan wilayah kerja unit"
    )
    # Elsewhere in the regency the district office does not cover it; DLH does, by its
    # parent topic, named with its government's area.
    route = suggest_unit(world.pemkab, world.limbah, "64.08.05")
    assert route.unit == world.dlh
    assert route.reason.startswith(
        "Lingkungan Hidup di Kabupaten Kutai Timur biasanya ditangani DLH"
    )


def test_the_unit_that_returned_the_report_is_not_suggested_again(world):
    world.dlh.categories.add(world.infrastruktur)

    route = suggest_unit(world.pemkab, world.jalan, VILLAGE, exclude=world.dinas_pu.pk)

    assert route.unit == world.dlh


def test_an_inactive_unit_is_never_suggested(world):
    world.dinas_pu.is_active = False
    world.dinas_pu.save()

    assert suggest_unit(world.pemkab, world.jalan, VILLAGE).unit is None
