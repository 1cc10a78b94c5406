"""Searching the staff inbox: the same full-text search as the public list (title and
body), over the reports the user may see, with an order of relevance; a tracking number
opens the report only for those who may see it."""

import pytest

from aduan.reports import actions as a

INBOX = "/petugas/"


def listed(response) -> list[str]:
    return [r.title for r in response.context["reports"]]


@pytest.fixture
def reports(world):
    return {
        "road": world.submit(
            title="Jalan poros berlubang", body="Lubang besar di KM 12, motor sering jatuh."
        ),
        "flood": world.submit(
            title="Banjir di perumahan", body="Drainase tersumbat, jalan tergenang tiap hujan."
        ),
        "paser": a.dispose_report(
            world.submit(title="Jalan rusak di Paser", region="64.01"),
            world.pemkab_paser,
            actor=world.national_admin,
        ),
    }


def test_staff_search_the_body_too_and_the_best_match_comes_first(signed_in, world, reports):
    client = signed_in(world.national_admin)
    response = client.get(INBOX, {"tab": "semua", "q": "jalan"})
    assert response.status_code == 200
    assert listed(response)[0] in {"Jalan poros berlubang", "Jalan rusak di Paser"}
    assert set(listed(response)) == {
        "Jalan poros berlubang",
        "Banjir di perumahan",
        "Jalan rusak di Paser",
    }
    assert response.context["sort"] == "relevance"
    assert "paling sesuai lebih dulu" in response.content.decode()
    assert listed(client.get(INBOX, {"tab": "semua", "q": "tergenang"})) == ["Banjir di perumahan"]
    # Another order can still be chosen while searching.
    newest = client.get(INBOX, {"tab": "semua", "q": "jalan", "sort": "newest"})
    assert listed(newest) == [
        "Jalan rusak di Paser",
        "Banjir di perumahan",
        "Jalan poros berlubang",
    ]


def test_staff_search_only_their_own_reports(signed_in, world, reports):
    # The admin of Kutai Timur does not see the report disposed to Paser.
    client = signed_in(world.other_admin)
    assert listed(client.get(INBOX, {"tab": "semua", "q": "jalan"})) == ["Jalan rusak di Paser"]


def test_a_tracking_number_the_user_may_not_see_opens_nothing(signed_in, world, reports):
    client = signed_in(world.other_admin)
    response = client.get(INBOX, {"tab": "semua", "q": reports["road"].tracking_number})
    assert response.status_code == 200
    assert listed(response) == []
    response = client.get(INBOX, {"q": reports["paser"].tracking_number})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "text", ['"jalan', "jalan AND OR", "NEAR(a b)", "title:x", "jalan* ^", "😀 jalan", "%_\\ x"]
)
def test_odd_queries_answer_normally(signed_in, world, reports, text):
    client = signed_in(world.national_admin)
    for sort in ("relevance", "newest", "deadline"):
        assert client.get(INBOX, {"tab": "semua", "q": text, "sort": sort}).status_code == 200


def test_unusable_queries_are_refused_with_a_message(signed_in, world, reports):
    client = signed_in(world.national_admin)
    for text in ("-jalan", "jalan " * 100, "jalan\x00", '"', "😀", "%_\\"):
        response = client.get(INBOX, {"tab": "semua", "q": text})
        assert response.status_code == 400, text
        assert "q" in response.context["form"].errors


def test_a_search_costs_a_fixed_number_of_queries(
    signed_in, world, reports, django_assert_max_num_queries
):
    client = signed_in(world.national_admin)
    client.get(INBOX, {"tab": "semua", "q": "jalan"})
    with django_assert_max_num_queries(14):
        few = client.get(INBOX, {"tab": "semua", "q": "jalan"})
    for i in range(30):
        world.submit(title=f"Jalan desa rusak {i}")
    with django_assert_max_num_queries(14):
        many = client.get(INBOX, {"tab": "semua", "q": "jalan"})
    assert len(listed(few)) == 3 and len(listed(many)) == 25
    second = client.get(INBOX, {"tab": "semua", "q": "jalan", "halaman": "2"})
    assert len(listed(second)) == 8


def test_many_matches_list_the_same(signed_in, world, reports, monkeypatch):
    from aduan.reports import search

    client = signed_in(world.national_admin)
    expected = {
        sort: listed(client.get(INBOX, {"tab": "semua", "q": "jalan", "sort": sort}))
        for sort in ("relevance", "newest", "deadline")
    }
    monkeypatch.setattr(search, "FEW_MATCHES", 1)
    for sort, titles in expected.items():
        assert listed(client.get(INBOX, {"tab": "semua", "q": "jalan", "sort": sort})) == titles
