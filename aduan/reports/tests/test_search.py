"""Full-text search (aduan/reports/search.py): the query language, the index kept by the
database's triggers, ranking, and hostile input — the same answers on SQLite and
PostgreSQL."""

import pytest
from django.db import connection

from aduan.reports import actions as a
from aduan.reports import search
from aduan.reports.access import public_reports
from aduan.reports.models import Report


def found(text, queryset=None) -> set[str]:
    qs = queryset if queryset is not None else Report.objects.all()
    return set(search.search(qs, text).values_list("title", flat=True))


# ------------------------------------------------------------------------------ the parser


def test_words_phrases_or_and_exclusions_are_parsed():
    query = search.parse('jalan  "lubang besar" banjir OR genangan -sampah')
    assert query.clauses == (
        search.Clause(("jalan",)),
        search.Clause(("lubang besar",)),
        search.Clause(("banjir", "genangan")),
        search.Clause(("sampah",), excluded=True),
    )
    # ATAU is Indonesian for OR; case does not matter.
    assert search.parse("banjir atau genangan").clauses == (search.Clause(("banjir", "genangan")),)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        '"',
        '""',
        "OR",
        "-",
        "- -",
        "!!! ??? ...",
        "-jalan",  # exclusions only: no search
        "\x00\x01\x02",
        "(((",
    ],
)
def test_input_without_a_word_to_find_is_no_query(text):
    assert not search.parse(text)


def test_hostile_input_is_cleaned_and_bounded():
    query = search.parse("jalan\x00rusak " + "kata " * 5000)
    assert query.terms[:2] == ["jalan", "rusak"]
    assert len(query.terms) == search.MAX_TERMS
    assert len(search.clean("x" * 10_000)) == search.MAX_QUERY_LENGTH
    # Typographic quotes are quotes; full-width letters are letters.
    assert search.parse("“jalan rusak”").clauses == (search.Clause(("jalan rusak",)),)
    assert search.parse("ｊａｌａｎ").terms == ["jalan"]


def test_the_fts5_expression_quotes_every_term():
    query = search.parse('title:jalan NEAR(a b) "x OR y" -z* OR')
    expression = search.fts5_expression(query)
    assert expression == '(("title:jalan") AND ("NEAR(a") AND ("b)") AND ("x OR y")) NOT ("z*")'


# ------------------------------------------------------------------------------ matching


@pytest.fixture
def reports(world):
    return {
        "road": world.report_in(
            "in_progress",
            title="Jalan poros berlubang",
            body="Lubang besar di KM 12, pengendara motor sering jatuh.",
        ),
        "flood": world.report_in(
            "closed",
            title="Banjir di perumahan",
            body="Drainase tersumbat sampah sehingga jalan tergenang setiap hujan.",
        ),
        "waste": world.report_in(
            "dispositioned",
            title="Sampah menumpuk di pasar",
            body="Sampah tidak diangkut seminggu, baunya sampai ke sekolah.",
        ),
        "cafe": world.report_in(
            "in_progress",
            title="Izin Café Kopi Tepi Sungai",
            body="Pengurusan izin usaha berbelit-belit di kantor perizinan.",
        ),
    }


def test_words_are_found_in_title_and_body_in_any_case(reports):
    assert found("JALAN") == {"Jalan poros berlubang", "Banjir di perumahan"}
    assert found("lubang") == {"Jalan poros berlubang"}
    assert found("motor jatuh") == {"Jalan poros berlubang"}
    assert found("sampah") == {"Banjir di perumahan", "Sampah menumpuk di pasar"}


def test_phrases_or_and_exclusion_mean_the_same_on_every_database(reports):
    assert found('"sampah menumpuk"') == {"Sampah menumpuk di pasar"}
    assert found('"menumpuk sampah"') == set()
    assert found("banjir OR pasar") == {"Banjir di perumahan", "Sampah menumpuk di pasar"}
    assert found("sampah -banjir") == {"Sampah menumpuk di pasar"}
    assert found("sampah hujan OR sekolah") == {
        "Banjir di perumahan",
        "Sampah menumpuk di pasar",
    }


def test_accents_do_not_matter(reports):
    assert found("cafe") == {"Izin Café Kopi Tepi Sungai"}
    assert found("CAFÉ") == {"Izin Café Kopi Tepi Sungai"}


def test_words_are_matched_whole_without_stemming(reports):
    # Indonesian affixes are not stripped: PostgreSQL has no Indonesian stemmer, and the
    # choice is the same on SQLite (docs/DESIGN.md, Search).
    assert found("lubang") == {"Jalan poros berlubang"}  # the body's "Lubang"
    assert found("berlubang") == {"Jalan poros berlubang"}
    assert found("izin") == {"Izin Café Kopi Tepi Sungai"}
    assert found("perizin") == set()


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '"jalan',
        'jalan"',
        "jalan AND OR NOT",
        "NEAR(jalan rusak)",
        "title:jalan",
        "jalan*",
        "^jalan",
        "jalan & | ! <-> :* ()",
        "'; DROP TABLE reports_report; --",
        "\\x00",
        "jalan\x00rusak",
        "jalan \ufffe",
        "x" * 10_000,
        "ا ب ت ٣",
        "😀 jalan 😀",
        "-jalan -rusak",
    ],
)
def test_no_input_makes_the_database_fail(reports, text):
    list(search.search(Report.objects.all(), text).order_by("-search_rank"))
    search.search(Report.objects.all(), text).count()


def test_an_empty_query_finds_nothing(reports):
    assert found("") == set()
    assert found("-jalan") == set()


def test_the_index_follows_a_changed_title(world, reports):
    road = reports["road"]
    Report.objects.filter(pk=road.pk).update(title="Jembatan ambruk")
    assert found("jembatan") == {"Jembatan ambruk"}
    assert found("poros") == set()
    assert found("lubang") == {"Jembatan ambruk"}  # the body is unchanged


def test_the_index_follows_a_verification_that_corrects_the_title(world):
    report = world.submit(title="jln rusak", body="Lubang di depan sekolah.")
    a.verify_report(report, actor=world.national_admin, title="Jalan rusak di depan SDN 003")
    assert found("sdn") == {"Jalan rusak di depan SDN 003"}
    assert found("jln") == set()


def test_status_changes_leave_the_index_alone(world, reports):
    # The update trigger fires only on a changed title or body.
    a.acknowledge_report(
        a.dispose_report(
            world.submit(title="Lampu jalan mati"),
            world.pemkab,
            unit=world.dinas_pu,
            actor=world.national_admin,
        ),
        actor=world.officer,
    )
    assert "Lampu jalan mati" in found("lampu")


def test_a_title_match_ranks_above_a_body_match(reports):
    ranked = list(
        search.search(Report.objects.all(), "jalan")
        .order_by("-search_rank")
        .values_list("title", flat=True)
    )
    assert ranked == ["Jalan poros berlubang", "Banjir di perumahan"]


def test_search_narrows_the_given_queryset_and_nothing_more(world, reports):
    world.report_in("in_progress", title="Sampah rahasia", is_confidential=True)
    world.report_in("submitted", title="Sampah belum diverifikasi")
    assert found("sampah", public_reports()) == {
        "Banjir di perumahan",
        "Sampah menumpuk di pasar",
    }
    assert len(found("sampah")) == 4


def test_personal_data_is_not_searchable(world):
    # The citizen persona is "Siti Aminah", siti@example.com, NIK 6408041234567890.
    world.report_in("in_progress", title="Jalan rusak", address="Jl. Merdeka 5, rumah Siti")
    for text in ("siti", "aminah", "6408041234567890", "siti@example.com", "merdeka"):
        assert found(text) == set(), text


def test_a_lost_trigger_is_put_back_after_migrate(reports):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER {search.TABLE}_insert")
        else:
            cursor.execute(f"DROP TRIGGER {search.TABLE}_insert ON reports_report")
    assert search.missing_parts(connection) == [f"{search.TABLE}_insert"]
    assert search.ensure_index(connection) == [f"{search.TABLE}_insert"]
    assert search.missing_parts(connection) == []
    assert found("lubang") == {"Jalan poros berlubang"}


@pytest.mark.parametrize(
    "text",
    ["jalan", "sampah -banjir", '"sampah menumpuk"', "banjir OR pasar", "cafe", "tidakada"],
)
def test_the_few_and_the_many_matches_forms_agree(reports, monkeypatch, text):
    def titles(for_pages):
        qs = search.search(Report.objects.all(), text, for_pages=for_pages)
        return list(qs.order_by("-search_rank", "title").values_list("title", flat=True))

    few = titles(False)
    assert search.few_matches(search.parse(text)) is not None
    monkeypatch.setattr(search, "FEW_MATCHES", 0)
    if few:
        assert search.few_matches(search.parse(text)) is None
    assert titles(False) == few
    assert titles(True) == few
    assert search.search(public_reports(), text, for_pages=True).count() == len(
        found(text, public_reports())
    )


def test_the_index_is_asked_once_per_parsed_query(reports, django_assert_num_queries):
    query = search.parse("jalan")
    with django_assert_num_queries(3):
        list(search.search(Report.objects.all(), query))
        list(search.search(Report.objects.all(), query, for_pages=True))
