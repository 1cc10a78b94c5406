"""The verifier sees the category suggestion beside the citizen's category, explained and
stored with the model's version; only the admin's click changes the report. The worker
makes the suggestions; the page only reads them. Without a rule, the agency and unit
suggestions follow what admins chose for similar reports."""

import re

import pytest
from django.test import Client

from aduan.core import scheduler
from aduan.reports import actions as a
from aduan.routing import learning
from aduan.routing.models import CategorySuggestion, ClassifierModel
from aduan.routing.suggest import make_suggestions
from aduan.routing.tasks import suggest_categories


@pytest.fixture
def signed_in():
    def sign_in(user):
        client = Client()
        client.force_login(user)
        return client

    return sign_in


def page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def url(report, suffix=""):
    return f"/petugas/laporan/{report.tracking_number}/{suffix}"


def road_report_filed_as_waste(world):
    return world.submit(
        category="limbah",
        title="Jln berlubang dpn SD",
        body="jalan rusak parah banyak lubang, motor sering jatuh tlg diperbaiki",
    )


def test_the_verifier_sees_the_suggestion_beside_the_citizens_category(
    signed_in, world, current_seed_model
):
    report = road_report_filed_as_waste(world)

    # The worker's periodic job makes it (run here as the worker runs it).
    assert suggest_categories.call() == {"suggested": 1}
    response = signed_in(world.national_admin).get(url(report))

    assert response.status_code == 200
    page = page_text(response)
    assert "Saran kategori dari isi laporan" in page
    assert "(pilihan pelapor: Lingkungan Hidup › Limbah)" in page
    assert "Infrastruktur › Jalan rusak — keyakinan" in page
    assert re.search(r"Karena kata: [a-z, ]*jalan", page)
    stored = CategorySuggestion.objects.get(report=report)
    assert stored.model_version == current_seed_model.version
    assert stored.citizen_category == world.limbah
    assert stored.best["category"] == "jalan-rusak"
    # The report is untouched until the admin decides.
    report.refresh_from_db()
    assert report.category == world.limbah


def test_the_admin_confirms_the_suggestion_and_the_citizens_choice_is_kept(
    signed_in, world, current_seed_model
):
    report = road_report_filed_as_waste(world)
    make_suggestions()
    client = signed_in(world.national_admin)
    client.get(url(report))

    response = client.post(
        url(report, "tindakan/verify/"),
        {
            "verify-title": report.title,
            "verify-category": world.jalan.pk,
            "verify-region": report.region_id,
            "verify-report_type": report.report_type,
        },
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.category == world.jalan and report.verified_at is not None
    stored = CategorySuggestion.objects.get(report=report)
    assert stored.citizen_category == world.limbah
    # Shown again, the suggestion is the stored one, and no button repeats the choice.
    html = client.get(url(report)).content.decode()
    assert "Saran kategori dari isi laporan" in html
    assert f'name="verify-category" value="{world.jalan.pk}"' not in html


def test_the_page_never_makes_a_suggestion_and_shows_none_until_the_worker_has(
    signed_in, world, current_seed_model, monkeypatch
):
    report = road_report_filed_as_waste(world)

    def no_model_in_a_web_request(**kwargs):
        raise AssertionError("a web request loaded the classifier")

    monkeypatch.setattr(learning, "current_model", no_model_in_a_web_request)
    client = signed_in(world.national_admin)
    response = client.get(url(report))

    assert response.status_code == 200
    assert "Saran kategori dari isi laporan" not in page_text(response)
    assert not CategorySuggestion.objects.exists()
    monkeypatch.undo()
    make_suggestions()
    assert "Saran kategori dari isi laporan" in page_text(client.get(url(report)))


def test_the_worker_suggests_once_per_report_and_only_for_reports_awaiting_verification(
    world, current_seed_model
):
    waiting = road_report_filed_as_waste(world)
    disposed = a.dispose_report(
        world.submit(), world.pemkab, unit=world.dinas_pu, actor=world.national_admin
    )

    assert make_suggestions() == 1
    assert make_suggestions() == 0
    assert list(CategorySuggestion.objects.values_list("report", flat=True)) == [waiting.pk]
    assert not CategorySuggestion.objects.filter(report=disposed).exists()


def test_the_worker_suggests_a_bounded_number_per_run_oldest_first(world, current_seed_model):
    first = road_report_filed_as_waste(world)
    second = world.submit(title="Lampu jalan padam", body="lampu jalan di gang mati seminggu")
    assert first.pk != second.pk

    assert make_suggestions(limit=1) == 1
    assert list(CategorySuggestion.objects.values_list("report", flat=True)) == [first.pk]
    assert make_suggestions(limit=1) == 1
    assert CategorySuggestion.objects.filter(report=second).exists()


def test_a_worker_asked_to_stop_makes_no_more_suggestions(world, current_seed_model):
    report = road_report_filed_as_waste(world)
    scheduler.request_stop()
    try:
        assert make_suggestions() == 0
    finally:
        scheduler.clear_stop()
    assert make_suggestions() == 1
    assert CategorySuggestion.objects.filter(report=report).exists()


def test_without_a_model_the_worker_suggests_nothing_and_trains_nothing(signed_in, world):
    report = road_report_filed_as_waste(world)

    assert make_suggestions() == 0
    response = signed_in(world.national_admin).get(url(report))

    assert response.status_code == 200
    assert "Saran kategori dari isi laporan" not in page_text(response)
    assert not CategorySuggestion.objects.exists()
    assert not ClassifierModel.objects.exists()


def test_a_unit_officer_is_not_shown_the_category_suggestion(signed_in, world, current_seed_model):
    report = a.dispose_report(
        world.submit(), world.pemkab, unit=world.dinas_pu, actor=world.national_admin
    )

    page = page_text(signed_in(world.officer).get(url(report)))

    assert "Saran kategori dari isi laporan" not in page


def test_the_suggestion_is_explained_in_english_too(signed_in, world, current_seed_model):
    report = road_report_filed_as_waste(world)
    make_suggestions()
    client = signed_in(world.national_admin)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    page = page_text(client.get(url(report)))

    assert "Category suggested from the text" in page
    assert "(the reporter chose: Lingkungan Hidup › Limbah)" in page
    assert "Because of the words" in page


# -- agency and unit from history ---------------------------------------------------------


def forwarded_waste_reports(world, unit, n=3):
    for _ in range(n):
        report = a.dispose_report(
            world.submit(category="limbah"), world.pemkab, actor=world.national_admin
        )
        a.forward_to_unit(report, unit, actor=world.agency_admin)


def test_without_a_rule_the_unit_admins_chose_for_similar_reports_is_suggested(signed_in, world):
    forwarded_waste_reports(world, world.dlh)
    report = a.dispose_report(
        world.submit(category="limbah"), world.pemkab, actor=world.national_admin
    )

    response = signed_in(world.agency_admin).get(url(report))

    page = page_text(response)
    assert "Saran unit kerja: Dinas Lingkungan Hidup Kutai Timur" in page
    assert (
        "Untuk 3 dari 3 laporan Limbah di Kabupaten Kutai Timur, admin memilih DLH — "
        "riwayat keputusan, tanpa aturan"
    ) in page
    form = next(
        f["form"] for f in response.context["action_forms"] if f["key"] == "forward_to_unit"
    )
    assert form["unit"].value() == world.dlh.pk


def test_a_rule_always_wins_over_what_admins_chose(signed_in, world):
    for _ in range(3):
        report = a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)
        a.forward_to_unit(report, world.dlh, actor=world.agency_admin)
    report = a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)

    page = page_text(signed_in(world.agency_admin).get(url(report)))

    assert "Saran unit kerja: Dinas Pekerjaan Umum Kutai Timur" in page
    assert f"aturan #{world.rule_jalan.pk}" in page
    assert "riwayat keputusan" not in page


def test_too_few_or_divided_decisions_leave_the_suggestion_as_it_was(signed_in, world):
    forwarded_waste_reports(world, world.dlh, n=2)
    forwarded_waste_reports(world, world.dinas_pu, n=2)
    report = a.dispose_report(
        world.submit(category="limbah"), world.pemkab, actor=world.national_admin
    )

    page = page_text(signed_in(world.agency_admin).get(url(report)))

    assert "riwayat keputusan" not in page
    assert "pilih unit sendiri" in page


def test_the_national_admin_sees_the_agency_admins_chose_without_a_rule(signed_in, world):
    for _ in range(3):
        a.dispose_report(
            world.submit(category="limbah"), world.pemkab_paser, actor=world.national_admin
        )
    report = world.submit(category="limbah")

    response = signed_in(world.national_admin).get(url(report))

    page = page_text(response)
    assert "Saran disposisi: Pemerintah Kabupaten Paser" in page
    assert "Untuk 3 dari 3 laporan Limbah di Kabupaten Kutai Timur, admin memilih" in page


def test_a_confidence_under_one_percent_reads_less_than_one_not_zero(world):
    from aduan.routing.suggest import displayed

    suggestion = CategorySuggestion(
        suggestions=[
            {
                "category": "jalan-rusak",
                "topic": "infrastruktur",
                "confidence": 0.9965,
                "because": [],
            },
            {
                "category": "limbah",
                "topic": "lingkungan-hidup",
                "confidence": 0.0004,
                "because": [],
            },
        ]
    )

    rows = displayed(suggestion)

    assert [(row["category"].slug, row["percent"]) for row in rows] == [
        ("jalan-rusak", 100),
        ("limbah", "<1"),
    ]
