"""The unit suggestion an agency admin sees when forwarding a report, and re-disposing
what a unit returned: the same kind of sentence as the national admin's agency
suggestion, and the unit chosen in the form beforehand."""

import re

from aduan.reports import actions as a

from .helpers import action_url, report_url


def page_text(response) -> str:
    """The page as a reader sees it: tags dropped, white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def forward_form(response):
    return next(
        f["form"] for f in response.context["action_forms"] if f["key"] == "forward_to_unit"
    )


def test_the_agency_admin_forwarding_sees_the_unit_suggestion_with_its_reason(signed_in, world):
    report = a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)

    response = signed_in(world.agency_admin).get(report_url(report))

    page = page_text(response)
    assert "Saran unit kerja: Dinas Pekerjaan Umum Kutai Timur" in page
    assert (
        "Jalan rusak di Kabupaten Kutai Timur biasanya ditangani Dinas PU — "
        f"aturan #{world.rule_jalan.pk}"
    ) in page
    assert "Saran disposisi" not in page
    assert forward_form(response)["unit"].value() == world.dinas_pu.pk


def test_the_unit_suggestion_is_in_english_for_an_english_reader(signed_in, world):
    report = a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)
    client = signed_in(world.agency_admin)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    page = page_text(client.get(report_url(report)))

    assert "Suggested unit" in page
    assert "Damaged road in Kabupaten Kutai Timur is usually handled by Dinas PU" in page


def test_without_a_matching_unit_the_page_says_so_and_chooses_nothing(signed_in, world):
    report = a.dispose_report(
        world.submit(category="limbah"), world.pemkab, actor=world.national_admin
    )

    response = signed_in(world.agency_admin).get(report_url(report))

    assert "pilih unit sendiri" in page_text(response)
    assert forward_form(response)["unit"].value() is None


def test_after_a_unit_returns_the_report_another_unit_is_suggested(signed_in, world):
    world.dlh.categories.add(world.infrastruktur)
    report = world.report_in("returned")  # Dinas PU returned it to its agency admin

    response = signed_in(world.agency_admin).get(report_url(report))

    page = page_text(response)
    assert "Saran unit kerja: Dinas Lingkungan Hidup Kutai Timur" in page
    assert "Infrastruktur di Kabupaten Kutai Timur biasanya ditangani DLH" in page
    redispose = next(f["form"] for f in response.context["action_forms"] if f["key"] == "redispose")
    assert redispose["unit"].value() == world.dlh.pk


def test_the_national_admin_disposing_still_sees_the_agency_suggestion(signed_in, world):
    report = world.submit()

    page = page_text(signed_in(world.national_admin).get(report_url(report)))

    assert "Saran disposisi: Pemerintah Kabupaten Kutai Timur › Dinas Pekerjaan Umum" in page
    assert "biasanya ditangani Dinas PU" in page


def test_forwarding_to_the_suggested_unit_records_it(signed_in, world):
    report = a.dispose_report(world.submit(), world.pemkab, actor=world.national_admin)
    client = signed_in(world.agency_admin)

    response = client.post(
        action_url(report, "forward_to_unit"), {"forward_to_unit-unit": world.dinas_pu.pk}
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.unit == world.dinas_pu
