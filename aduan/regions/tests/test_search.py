"""Finding a region by name: the search behind the region picker, its JSON endpoint and
the form field staff use instead of typing a code."""

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from aduan.regions.forms import RegionField
from aduan.regions.models import RegionLevel, RegionToken
from aduan.regions.search import label, rebuild_tokens, search_regions
from conftest import make_region

SEARCH = "/wilayah/cari.json"


class PickerForm(forms.Form):
    region = RegionField()


def codes(regions):
    return [r.code for r in regions]


def test_a_region_is_found_by_a_word_of_its_name_and_labelled_with_its_parents(world):
    found = search_regions("sangatta")

    assert codes(found) == ["64.08.04"]
    assert label(found[0]) == "Kecamatan Sangatta Utara, Kab. Kutai Timur, Kalimantan Timur"


def test_words_may_name_the_parents_and_be_cut_short_in_any_order(world):
    assert codes(search_regions("kutai sangat")) == ["64.08.04"]
    assert codes(search_regions("SINGA gembara")) == ["64.08.04.1001"]
    assert codes(search_regions("singa paser")) == []


def test_the_region_whose_own_name_matches_more_words_comes_first(world):
    # "timur" is in Kutai Timur's own name, and in the name of everything's province.
    found = search_regions("kutai timur")

    assert codes(found)[0] == "64.08"
    assert label(found[0]) == "Kabupaten Kutai Timur, Kalimantan Timur"


def test_a_kemendagri_code_is_looked_up_as_a_code(world):
    assert codes(search_regions("64.08.04.1001")) == ["64.08.04.1001"]
    assert search_regions("99.99") == []


@pytest.mark.parametrize("query", ["", "  ", "a", "%", "' OR 1=1 --", "zzzzzz"])
def test_empty_short_or_odd_queries_find_nothing_and_never_fail(world, query):
    assert search_regions(query) == []


def test_villages_are_labelled_desa_or_kelurahan_by_their_code(world):
    desa = make_region("64.08.04.2003", "Swarga Bara", RegionLevel.VILLAGE, world.sangatta_utara)

    assert label(desa).startswith("Desa Swarga Bara, Kec. Sangatta Utara, Kab. Kutai Timur")
    assert label(world.village).startswith("Kelurahan Singa Gembara, Kec. Sangatta Utara")
    with translation.override("en"):
        assert label(world.sangatta_utara) == (
            "District Sangatta Utara, Kab. Kutai Timur, Kalimantan Timur"
        )
        assert label(world.village).startswith("Urban village Singa Gembara, Dist. Sangatta")


def test_a_renamed_region_is_found_by_its_new_name(world):
    world.sangkulirang.name = "Sangkulirang Baru"
    world.sangkulirang.save()

    assert codes(search_regions("baru")) == ["64.08.05"]


def test_rebuilding_writes_one_token_per_word(world):
    assert rebuild_tokens() == RegionToken.objects.count()
    assert set(RegionToken.objects.filter(region=world.kutim).values_list("token", flat=True)) == {
        "kabupaten",
        "kutai",
        "timur",
    }


def test_the_search_reads_a_bounded_number_of_statements(world):
    with CaptureQueriesContext(connection) as queries:
        search_regions("sangatta utara kutai")
    assert len(queries) <= 2


# -- the JSON endpoint ----------------------------------------------------------------------


def test_the_endpoint_answers_codes_names_and_labels(client, world):
    response = client.get(SEARCH, {"q": "sangatta"})

    assert response.status_code == 200
    assert response.json() == {
        "query": "sangatta",
        "results": [
            {
                "code": "64.08.04",
                "name": "Sangatta Utara",
                "level": 3,
                "label": "Kecamatan Sangatta Utara, Kab. Kutai Timur, Kalimantan Timur",
            }
        ],
    }


def test_the_endpoint_refuses_an_overlong_query_in_both_languages(client, world):
    response = client.get(SEARCH, {"q": "x" * 101})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "query_too_long"
    assert "terlalu panjang" in error["message_id"]
    assert "too long" in error["message_en"]


def test_the_endpoint_takes_only_get(client, world):
    assert client.post(SEARCH, {"q": "sangatta"}).status_code == 405


# -- the form field -------------------------------------------------------------------------


def test_one_match_is_taken(world):
    form = PickerForm({"region": "Sangatta"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["region"] == world.sangatta_utara


def test_the_region_chosen_in_the_list_is_taken_when_its_label_is_unchanged(world):
    text = "Kecamatan Sangatta Utara, Kab. Kutai Timur, Kalimantan Timur"
    form = PickerForm({"region": text, "region_code": "64.08.04"})
    assert form.is_valid()
    assert form.cleaned_data["region"] == world.sangatta_utara


def test_a_text_changed_after_choosing_is_searched_again(world):
    # Without JavaScript the hidden code keeps its old value.
    form = PickerForm({"region": "Sangkulirang", "region_code": "64.08.04"})
    assert form.is_valid()
    assert form.cleaned_data["region"] == world.sangkulirang


def test_several_matches_are_offered_as_choices_and_nothing_is_taken(world):
    form = PickerForm({"region": "sang", "region_code": ""})

    assert not form.is_valid()
    assert "Beberapa wilayah cocok dengan “sang”" in form.errors["region"][0]
    html = str(form["region"])
    assert 'name="region_pick" value="64.08.04"' in html
    assert 'name="region_pick" value="64.08.05"' in html
    assert "Kecamatan Sangkulirang, Kab. Kutai Timur, Kalimantan Timur" in html

    picked = PickerForm({"region": "sang", "region_pick": "64.08.05"})
    assert picked.is_valid()
    assert picked.cleaned_data["region"] == world.sangkulirang


def test_no_match_and_unknown_codes_say_so(world):
    form = PickerForm({"region": "Atlantis"})
    assert not form.is_valid()
    assert "Tidak ada wilayah bernama “Atlantis”" in form.errors["region"][0]

    for data in ({"region": "99.99.99"}, {"region": "x", "region_pick": "99"}):
        form = PickerForm(data)
        assert not form.is_valid()
        assert form.errors["region"] == ["Kode wilayah tidak dikenal."]


def test_an_empty_text_means_no_region(world):
    form = PickerForm({"region": "", "region_code": "64.08.04"})
    assert form.is_valid()
    assert form.cleaned_data["region"] is None


def test_an_initial_code_is_shown_as_its_label(world):
    html = str(PickerForm(initial={"region": "64.08.04"})["region"])
    assert 'value="Kecamatan Sangatta Utara, Kab. Kutai Timur, Kalimantan Timur"' in html
    assert 'name="region_code" value="64.08.04"' in html


# -- loading --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_regions_writes_the_search_tokens_and_renews_those_of_renamed_regions(tmp_path):
    import shutil

    from .helpers import MINI_DATA, load

    data = tmp_path / "data"
    shutil.copytree(MINI_DATA, data)
    load(data)
    assert codes(search_regions("teluk lingga")) == ["64.08.04.1010"]

    villages = data / "villages.csv"
    villages.write_text(
        villages.read_text(encoding="utf-8").replace("Teluk Lingga", "Teluk Permai"),
        encoding="utf-8",
    )
    load(data)

    assert search_regions("lingga") == []
    assert codes(search_regions("teluk permai")) == ["64.08.04.1010"]
