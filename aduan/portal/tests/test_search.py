"""Searching the public list: full text over title and body of published reports, a
tracking number that opens its report without revealing private ones, bounded result
counts, the three orders, and input that cannot break the page."""

import datetime as dt
import re
from urllib.parse import quote

import pytest
import time_machine
from django.utils import timezone, translation

from aduan.portal.views import lists
from aduan.reports import actions as a

LIST = "/laporan/"


def titles(response) -> list[str]:
    return [row["report"].title for row in response.context["rows"]]


def published(world, title, body="Mohon segera ditindaklanjuti.", *, at=None, **data):
    at = at or timezone.now() - dt.timedelta(days=1)
    with time_machine.travel(at, tick=False):
        report = world.submit(title=title, body=body, **data)
        return a.dispose_report(
            report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin
        )


@pytest.fixture
def corpus(world):
    day = timezone.now() - dt.timedelta(days=10)
    return {
        "road": published(
            world,
            "Jalan poros berlubang",
            "Lubang besar di KM 12, pengendara motor sering jatuh.",
            at=day,
        ),
        "flood": published(
            world,
            "Banjir di perumahan",
            "Drainase tersumbat sehingga jalan tergenang setiap hujan.",
            at=day + dt.timedelta(days=1),
        ),
        "waste": published(
            world,
            "Sampah menumpuk di pasar",
            "Sampah tidak diangkut seminggu, baunya sampai ke jalan.",
            at=day + dt.timedelta(days=2),
        ),
    }


# ------------------------------------------------------------------------------ what is found


def test_words_are_found_in_the_title_and_the_body(client, corpus):
    response = client.get(LIST, {"cari": "tergenang"})
    assert response.status_code == 200
    assert titles(response) == ["Banjir di perumahan"]
    html = response.content.decode()
    assert "1 laporan ditemukan" in html
    assert "paling sesuai lebih dulu" in html


def test_only_published_reports_are_searched(client, world, corpus):
    world.report_in("in_progress", title="Sampah rahasia", is_confidential=True)
    world.report_in("submitted", title="Sampah belum diverifikasi")
    world.report_in("archived", title="Sampah diarsipkan")
    world.report_in("withdrawn", title="Sampah dicabut")
    response = client.get(LIST, {"cari": "sampah"})
    assert titles(response) == ["Sampah menumpuk di pasar"]
    assert "1 laporan ditemukan" in response.content.decode()
    # Not even a count gives a private report away.
    response = client.get(LIST, {"cari": "rahasia"})
    assert titles(response) == []
    assert "0 laporan ditemukan" in response.content.decode()


def test_the_reporters_identity_and_address_are_not_searched(client, world):
    # The citizen persona is Siti Aminah, siti@example.com, NIK 6408041234567890.
    published(world, "Jalan rusak", address="Jl. Merdeka 5, depan rumah Siti")
    for text in ("siti", "aminah", "siti@example.com", "6408041234567890", "merdeka"):
        response = client.get(LIST, {"cari": text})
        assert titles(response) == [], text
        assert "Siti" not in response.content.decode().replace(f"“{text}”", "")


def test_search_combines_with_the_filters(client, world, corpus):
    published(world, "Jalan rusak di Paser", region="64.01")
    response = client.get(LIST, {"cari": "jalan", "kabupaten": "64.01", "provinsi": "64"})
    assert titles(response) == ["Jalan rusak di Paser"]
    response = client.get(LIST, {"cari": "sampah", "kategori": "lingkungan-hidup"})
    assert titles(response) == []


# ------------------------------------------------------------------------------ order and pages


def test_relevance_puts_title_matches_first_and_dates_order_either_way(client, corpus):
    relevance = titles(client.get(LIST, {"cari": "jalan"}))
    assert relevance[0] == "Jalan poros berlubang"
    assert set(relevance) == {
        "Jalan poros berlubang",
        "Banjir di perumahan",
        "Sampah menumpuk di pasar",
    }
    assert titles(client.get(LIST, {"cari": "jalan", "urut": "terbaru"})) == [
        "Sampah menumpuk di pasar",
        "Banjir di perumahan",
        "Jalan poros berlubang",
    ]
    assert titles(client.get(LIST, {"cari": "jalan", "urut": "terlama"})) == [
        "Jalan poros berlubang",
        "Banjir di perumahan",
        "Sampah menumpuk di pasar",
    ]


def test_without_a_search_the_list_is_newest_first_or_oldest_first(client, corpus):
    assert titles(client.get(LIST))[0] == "Sampah menumpuk di pasar"
    # "Most relevant" means nothing without words: newest first.
    assert titles(client.get(LIST, {"urut": "relevan"}))[0] == "Sampah menumpuk di pasar"
    assert titles(client.get(LIST, {"urut": "terlama"}))[0] == "Jalan poros berlubang"


def many(world, count, title="Lampu jalan mati nomor {i:02d}"):
    start = timezone.now() - dt.timedelta(days=3)
    return [
        published(world, title.format(i=i), at=start + dt.timedelta(minutes=i))
        for i in range(count)
    ]


def test_oldest_first_pages_by_keyset(client, world):
    reports = many(world, 23)
    first = client.get(LIST, {"cari": "lampu", "urut": "terlama"})
    assert titles(first) == [r.title for r in reports[:20]]
    second = client.get(
        LIST, {"cari": "lampu", "urut": "terlama", "setelah": reports[19].tracking_number}
    )
    assert titles(second) == [r.title for r in reports[20:]]
    back = client.get(
        LIST, {"cari": "lampu", "urut": "terlama", "sebelum": reports[20].tracking_number}
    )
    assert titles(back) == [r.title for r in reports[:20]]


def test_relevance_pages_are_numbered_and_bounded(client, world):
    reports = many(world, 23)
    first = client.get(LIST, {"cari": "lampu"})
    html = first.content.decode()
    assert len(titles(first)) == 20
    assert "halaman=2" in html and "Halaman 1" in html
    second = client.get(LIST, {"cari": "lampu", "halaman": "2"})
    assert len(titles(second)) == 3
    assert set(titles(first)) | set(titles(second)) == {r.title for r in reports}
    # Nonsense and out-of-range page numbers give a page, never an error.
    assert titles(client.get(LIST, {"cari": "lampu", "halaman": "x"})) == titles(first)
    assert client.get(LIST, {"cari": "lampu", "halaman": "-5"}).status_code == 200
    assert titles(client.get(LIST, {"cari": "lampu", "halaman": "99999999999"})) == []


def test_only_the_newest_matches_are_ranked(client, world, monkeypatch):
    from aduan.reports import search

    monkeypatch.setattr(search, "RANKED_CANDIDATES", 5)
    reports = many(world, 8)
    response = client.get(LIST, {"cari": "lampu"})
    assert set(titles(response)) == {r.title for r in reports[-5:]}
    assert "mencakup 5 hasil terbaru" in response.content.decode()
    # Date order still reaches every match.
    assert len(titles(client.get(LIST, {"cari": "lampu", "urut": "terlama"}))) == 8


# ------------------------------------------------------------------------------ counting


def test_counts_stop_at_the_limit(client, world, monkeypatch):
    monkeypatch.setattr(lists, "COUNT_LIMIT", 5)
    many(world, 7)
    response = client.get(LIST, {"cari": "lampu"})
    assert "5+ laporan ditemukan" in response.content.decode()


def test_the_capped_count_is_written_the_way_each_language_writes_numbers():
    with translation.override("id"):
        assert lists.count_text(10_001) == "10.000+ laporan ditemukan"
        assert lists.count_text(1234) == "1.234 laporan ditemukan"
    with translation.override("en"):
        assert lists.count_text(10_001) == "10,000+ reports found"
        assert lists.count_text(1) == "1 report found"


def test_the_unfiltered_list_does_not_count(client, corpus):
    response = client.get(LIST)
    assert response.context["result_count"] == ""


def test_a_search_page_costs_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    many(world, 3)
    client.get(LIST)  # warm the cached province list
    # Count, ranked ids, the page's rows (relevance); count and page (date order).
    with django_assert_max_num_queries(5):
        small = client.get(LIST, {"cari": "lampu"})
    many(world, 20, title="Lampu taman padam {i:02d}")
    with django_assert_max_num_queries(5):
        large = client.get(LIST, {"cari": "lampu"})
    with django_assert_max_num_queries(5):
        client.get(LIST, {"cari": "lampu", "urut": "terbaru"})
    assert len(titles(small)) == 3 and len(titles(large)) == 20


# ------------------------------------------------------------------------------ tracking numbers


def test_a_public_reports_number_opens_its_page(client, corpus):
    number = corpus["road"].tracking_number
    for typed in (number, number.lower(), number.replace("-", " "), f"  {number}  "):
        response = client.get(LIST, {"cari": typed})
        assert response.status_code == 302, typed
        assert response["Location"] == f"/lacak/{number}/"


def test_a_private_reports_number_reads_like_a_number_nobody_has(client, world):
    from aduan.reports import tracking

    confidential = world.report_in("in_progress", title="Rahasia", is_confidential=True)
    unverified = world.report_in("submitted", title="Belum diverifikasi")
    unused = tracking.format_number("PST", 26, 9_999_999)
    answers = []
    for number in (confidential.tracking_number, unverified.tracking_number, unused):
        response = client.get(LIST, {"cari": number})
        assert response.status_code == 302
        assert response["Location"] == f"/lacak/?nomor={quote(number)}"
        followed = client.get(response["Location"])
        assert followed.status_code == 404
        page = followed.content.decode().replace(number, "NOMOR")
        answers.append(re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", page))
    assert answers[0] == answers[1] == answers[2]
    assert "Rahasia" not in answers[0] and "Belum diverifikasi" not in answers[0]


def test_the_reporter_is_taken_to_their_own_private_report(client, world):
    confidential = world.report_in("in_progress", title="Rahasia saya", is_confidential=True)
    client.force_login(world.citizen)
    response = client.get(LIST, {"cari": confidential.tracking_number}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/lacak/{confidential.tracking_number}/"
    assert "Rahasia saya" in response.content.decode()


def test_a_mistyped_number_is_explained_on_the_tracking_page(client, corpus):
    number = corpus["road"].tracking_number
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    response = client.get(LIST, {"cari": wrong}, follow=True)
    assert response.status_code == 400
    assert "angka pemeriksa" in response.content.decode()


# ------------------------------------------------------------------------------ hostile input


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '"jalan',
        "jalan AND OR NOT",
        "NEAR(jalan lubang)",
        "title:jalan",
        "jalan* ^lubang",
        "jalan & | ! <-> :*",
        "'; DROP TABLE reports_report; --",
        "%",
        "_",
        "\\",
        "ا ب ت ٣",
        "😀",
        "PST-26",
        "OR OR OR",
    ],
)
def test_odd_queries_answer_normally(client, corpus, text):
    response = client.get(LIST, {"cari": text})
    assert response.status_code == 200
    for sort in ("relevan", "terbaru", "terlama"):
        assert client.get(LIST, {"cari": text, "urut": sort}).status_code == 200


def test_input_the_search_cannot_use_is_explained(client, corpus):
    too_long = client.get(LIST, {"cari": "jalan " * 2000})
    assert too_long.status_code == 200
    assert 'class="errorlist"' in too_long.content.decode()

    only_excluded = client.get(LIST, {"cari": "-jalan"})
    assert "Ketik setidaknya satu kata yang dicari" in only_excluded.content.decode()

    nul = client.get(LIST, {"cari": "jalan\x00rusak"})
    assert nul.status_code == 200
    assert 'class="errorlist"' in nul.content.decode()


def test_bytes_that_are_not_utf8_answer_normally(client, corpus):
    response = client.get(LIST + "?cari=%FF%FE%00jalan&urut=%C0")
    assert response.status_code == 200


def test_the_search_page_is_in_english_too(client, corpus):
    client.cookies["django_language"] = "en"
    response = client.get(LIST, {"cari": "jalan"})
    html = response.content.decode()
    assert "3 reports found" in html
    assert "most relevant first" in html


def test_many_matches_take_the_same_pages(client, world, monkeypatch):
    from aduan.reports import search

    reports = many(world, 23)
    expected = {
        sort: [titles(client.get(LIST, {"cari": "lampu", "urut": sort}))]
        for sort in ("relevan", "terbaru", "terlama")
    }
    # Past FEW_MATCHES the query checks each row against the index instead of a list of ids.
    monkeypatch.setattr(search, "FEW_MATCHES", 5)
    for sort, pages in expected.items():
        response = client.get(LIST, {"cari": "lampu", "urut": sort})
        assert [titles(response)] == pages, sort
        assert "23 laporan ditemukan" in response.content.decode()
    second = client.get(
        LIST, {"cari": "lampu", "urut": "terbaru", "setelah": reports[3].tracking_number}
    )
    assert len(titles(second)) == 3
