"""Real-browser checks (Playwright, Debian's chromium) of a supervisor's dashboard at
desktop and phone widths: breadcrumbs from the supervised region, and the overdue and
escalated queues, each saying what it holds. Screenshots go to var/screenshots/."""

import pytest
import time_machine

from aduan.accounts.models import Role, User
from conftest import aware, login, screenshot

from .test_supervisor_dashboard import build_late_and_escalated

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def kutim_supervisor(world):
    return User.objects.create_user(
        "inspektorat_kutim",
        password="kata-sandi-uji-123",
        role=Role.SUPERVISOR,
        scope_region=world.kutim,
    )


@pytest.fixture
def late_and_escalated(world):
    return build_late_and_escalated(world)


def check_dashboard(page, r):
    page.goto("/statistik/dasbor/")
    page.get_by_role("heading", name="Dasbor statistik").wait_for()
    crumbs = page.get_by_role("navigation", name="Wilayah")
    assert crumbs.inner_text().split() == ["Kalimantan", "Timur", "Kabupaten", "Kutai", "Timur"]
    assert crumbs.get_by_role("link").count() == 0  # the province is above the scope
    overdue = page.locator("section", has=page.get_by_role("heading", name="Antrean terlambat"))
    escalated = page.locator("section", has=page.get_by_role("heading", name="Antrean eskalasi"))
    assert overdue.get_by_text("tenggatnya sudah lewat").is_visible()
    assert escalated.get_by_text("dieskalasi ke admin nasional dan pengawas").is_visible()
    assert overdue.get_by_role("link", name=r["late"].tracking_number).is_visible()
    assert escalated.get_by_role("link", name=r["late"].tracking_number).count() == 0
    assert escalated.get_by_role("link", name=r["contested"].tracking_number).is_visible()
    assert overdue.get_by_role("link", name=r["contested"].tracking_number).count() == 0
    return overdue


def test_a_supervisor_s_dashboard_follows_the_scope(
    page, world, kutim_supervisor, late_and_escalated
):
    with time_machine.travel(aware(2026, 7, 17, 11), tick=True):
        login(page, "inspektorat_kutim")
        page.get_by_role("heading", name="Kotak masuk").wait_for()
        check_dashboard(page, late_and_escalated)
        page.set_viewport_size({"width": 1280, "height": 1100})
        screenshot(page, "stats-dashboard-supervisor")


def test_a_supervisor_s_dashboard_fits_a_phone(
    phone_page, world, kutim_supervisor, late_and_escalated
):
    page = phone_page
    with time_machine.travel(aware(2026, 7, 17, 11), tick=True):
        login(page, "inspektorat_kutim")
        page.get_by_role("heading", name="Kotak masuk").wait_for()
        overdue = check_dashboard(page, late_and_escalated)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        overdue.scroll_into_view_if_needed()
        screenshot(page, "stats-dashboard-supervisor-phone")
