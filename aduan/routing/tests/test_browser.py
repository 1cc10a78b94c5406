"""Real-browser check (Playwright, Debian's chromium) of the category suggestion on the
verifier's page: read, then used with one click. Saves a screenshot under var/screenshots/."""

import pytest

from aduan.reports.models import Report
from aduan.routing.suggest import make_suggestions
from conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_verifier_uses_the_suggested_category(page, world, current_seed_model):
    report = world.submit(
        category="limbah",
        title="Jln berlubang dpn SD",
        body="jalan rusak parah banyak lubang, motor sering jatuh tlg diperbaiki",
    )
    assert make_suggestions() == 1  # the worker's job

    login(page, "admin_nasional")
    page.get_by_role("heading", name="Kotak masuk").wait_for()
    page.goto(f"/petugas/laporan/{report.tracking_number}/")
    card = page.get_by_test_id("category-suggestion")
    text = card.inner_text()
    assert "pilihan pelapor: Lingkungan Hidup › Limbah" in text
    assert "Infrastruktur › Jalan rusak" in text
    card.scroll_into_view_if_needed()
    screenshot(page, "category-suggestion")
    card.get_by_role("button", name="Gunakan kategori ini").first.click()

    page.get_by_role("heading", name="Rincian laporan").wait_for()
    assert Report.objects.get(pk=report.pk).category == world.jalan
