"""Reference data: categories, regions, agencies."""

from aduan.agencies.models import Agency, AgencyKind
from aduan.regions.models import Region


def test_categories_come_as_a_tree(world, anonymous):
    response = anonymous.get("/api/v1/categories")
    assert response.status_code == 200
    tree = {c["slug"]: [s["slug"] for s in c["children"]] for c in response.json()}
    assert tree == {"infrastruktur": ["jalan-rusak"], "lingkungan-hidup": ["limbah"]}
    first = response.json()[0]
    assert first["name"] == "Infrastruktur" and first["name_en"] == "Infrastructure"


def test_regions_list_provinces_then_children_of_a_code(world, anonymous):
    provinces = anonymous.get("/api/v1/regions").json()["results"]
    assert [r["code"] for r in provinces] == ["31", "64"]
    children = anonymous.get("/api/v1/regions", {"parent": "64.08"}).json()["results"]
    assert [r["code"] for r in children] == ["64.08.04", "64.08.05"]
    assert children[0]["level_name"] == "Kecamatan" and children[0]["level_name_en"] == "District"


def test_regions_are_searched_by_name_and_level(world, anonymous):
    found = anonymous.get("/api/v1/regions", {"q": "kutai"}).json()["results"]
    assert [r["code"] for r in found] == ["64.08"]
    found = anonymous.get("/api/v1/regions", {"q": "SANG", "level": 3}).json()["results"]
    assert [r["code"] for r in found] == ["64.08.04", "64.08.05"]
    found = anonymous.get("/api/v1/regions", {"q": "gembara", "parent": "64.08"}).json()["results"]
    assert [r["code"] for r in found] == ["64.08.04.1001"]
    found = anonymous.get("/api/v1/regions", {"level": 4}).json()["results"]
    assert [r["code"] for r in found] == ["64.08.04.1001"]


def test_region_lists_are_paginated_by_code(world, anonymous, django_assert_max_num_queries):
    parent = Region.objects.get(code="64.08.04")
    Region.objects.bulk_create(
        Region(code=f"64.08.04.{2000 + i}", name=f"Desa {i}", level=4, parent=parent)
        for i in range(150)
    )
    codes, cursor = [], None
    while True:
        params = {"parent": "64.08.04", "limit": 100} | ({"cursor": cursor} if cursor else {})
        with django_assert_max_num_queries(3):
            page = anonymous.get("/api/v1/regions", params).json()
        assert len(page["results"]) <= 100
        codes += [r["code"] for r in page["results"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(codes) == 151 and codes == sorted(set(codes))


def test_one_region_with_its_ancestors(world, anonymous):
    response = anonymous.get("/api/v1/regions/64.08.04.1001")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Singa Gembara" and body["parent_code"] == "64.08.04"
    assert [r["code"] for r in body["ancestors"]] == ["64", "64.08", "64.08.04"]
    assert anonymous.get("/api/v1/regions/99.99").status_code == 404


def test_agencies_list_and_detail_with_units(world, anonymous, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = anonymous.get("/api/v1/agencies", {"kind": "regency"})
    names = [a["name"] for a in response.json()["results"]]
    assert names == ["Pemerintah Kabupaten Kutai Timur", "Pemerintah Kabupaten Paser"]
    kutim = response.json()["results"][0]
    assert kutim["jurisdiction"] == ["64.08"]
    units = anonymous.get("/api/v1/agencies", {"parent": kutim["uuid"]}).json()["results"]
    assert {u["short_name"] for u in units} == {"Dinas PU", "DLH"}
    detail = anonymous.get(f"/api/v1/agencies/{kutim['uuid']}").json()
    assert [u["short_name"] for u in detail["units"]] == ["DLH", "Dinas PU"]  # by full name
    assert anonymous.get("/api/v1/agencies/00000000-0000-0000-0000-000000000000").status_code == 404
    assert anonymous.get("/api/v1/agencies/bukan-uuid").status_code in (400, 404)


def test_inactive_agencies_are_not_listed(world, anonymous):
    Agency.objects.filter(pk=world.dlh.pk).update(is_active=False)
    units = anonymous.get("/api/v1/agencies", {"kind": AgencyKind.UNIT}).json()["results"]
    assert "DLH" not in {u["short_name"] for u in units}
    assert anonymous.get(f"/api/v1/agencies/{world.dlh.uuid}").status_code == 404
