"""A real browser set to English (Playwright driving Debian's chromium) still gets the site
in Indonesian; the switch turns it to English for the pages that follow and for the next
visit, and a signed-in person finds their choice again in a fresh browser."""

import pytest

from aduan.accounts.models import User
from conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_english_browser_reads_indonesian_until_the_switch_is_pressed(new_page, world):
    page = new_page(locale="en-US")

    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_role("link", name="Laporkan").first.is_visible()

    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto("/akun/masuk/")
    assert page.get_by_role("button", name="Log in").is_visible()
    # The next visit in the same browser (a new tab) keeps the choice.
    later = page.context.new_page()
    later.goto("/laporan/")
    assert later.locator("html").get_attribute("lang") == "en"


def test_a_signed_in_persons_choice_follows_them_to_another_browser(new_page, world):
    laptop = new_page(locale="id-ID")
    login(laptop, "warga")
    laptop.get_by_role("button", name="English").click()
    laptop.wait_for_load_state()
    assert laptop.locator("html").get_attribute("lang") == "en"
    assert User.objects.get(pk=world.citizen.pk).language == "en"

    phone = new_page(locale="id-ID", mobile=True)
    login(phone, "warga")
    phone.goto("/")

    assert phone.locator("html").get_attribute("lang") == "en"
