"""The reporter's page in a real browser at a phone's width: an information request
quotes the officer's question above the answer form, addressed to the reporter."""

import os

import pytest

from aduan.reports import actions as a
from conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "docs", "screenshots")
QUESTION = "Mohon kirim foto lubang dari dekat dan sebutkan patokan terdekat (toko, masjid, tiang listrik)."


def test_the_reporter_answers_the_question_they_read_on_their_page(phone_page, world):
    report = world.report_in("in_progress")
    a.put_on_hold(report, QUESTION, actor=world.officer)
    page = phone_page
    login(page, "warga")
    page.goto(f"/lacak/{report.tracking_number}/")
    card = page.locator("section.action-urgent")
    card.scroll_into_view_if_needed()
    assert card.get_by_text("Petugas bertanya kepada Anda:").is_visible()
    assert card.locator("blockquote").inner_text() == QUESTION
    assert page.get_by_text("Petugas menunggu informasi tambahan dari Anda.").is_visible()
    screenshot(page, "reporter-information-request-phone")
    if os.environ.get("ADUAN_DOCS_SCREENSHOTS"):
        card.screenshot(path=os.path.join(DOCS, "reporter-information-request-phone.png"))

    card.get_by_label("Informasi tambahan").fill(
        "Patokannya depan Masjid Al-Ikhlas, foto menyusul."
    )
    card.get_by_role("button", name="Kirim informasi").click()
    page.get_by_text("Informasi tambahan Anda telah dikirim ke petugas.").wait_for()
    assert page.get_by_text("Anda menambahkan informasi").first.is_visible()
    report.refresh_from_db()
    assert report.status == "in_progress"
