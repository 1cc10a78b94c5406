"""Pages are in Indonesian unless the person picks English with the switch; the browser's
Accept-Language is not asked. The choice is remembered on the browser and, for a signed-in
person, on the account."""

import pytest
from django.test import Client

from aduan.accounts.models import User

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
SWITCH = "/i18n/setlang/"
LOGIN = "/akun/masuk/"
YEAR = 365 * 24 * 3600


def english_browser() -> Client:
    return Client(**ENGLISH_BROWSER)


def speaks(response) -> str:
    """The language a page was rendered in, as the page itself says."""
    assert response.status_code == 200
    page = response.content.decode()
    if '<html lang="en">' in page:
        assert ">Log in<" in page or ">Report<" in page or "Public reports" in page
        return "en"
    assert '<html lang="id">' in page
    return "id"


def pick(client, language, next_url="/"):
    return client.post(SWITCH, {"language": language, "next": next_url})


def sign_in(client, username):
    response = client.post(LOGIN, {"username": username, "password": "kata-sandi-uji-123"})
    assert response.status_code == 302, response.content[:500]
    return response


def test_an_english_browser_gets_indonesian_pages(db):
    client = english_browser()

    for path in ("/", LOGIN, "/lacak/", "/laporan/"):
        response = client.get(path)
        assert speaks(response) == "id", path
        assert response["Content-Language"] == "id"
        assert "Cookie" in response["Vary"]


def test_the_switch_to_english_sticks_across_requests_and_back(db):
    client = english_browser()

    response = pick(client, "en", next_url="/laporan/")

    assert response.status_code == 302
    assert response["Location"] == "/laporan/"
    cookie = response.cookies["django_language"]
    assert cookie.value == "en"
    assert cookie["max-age"] == YEAR
    assert cookie["samesite"] == "Lax" and cookie["httponly"]
    assert speaks(client.get("/laporan/")) == "en"
    assert speaks(client.get(LOGIN)) == "en"
    assert client.get("/")["Content-Language"] == "en"

    pick(client, "id")

    assert speaks(client.get(LOGIN)) == "id"


def test_a_signed_in_persons_choice_is_kept_on_the_account_for_the_next_session(world):
    laptop = english_browser()
    sign_in(laptop, "warga")

    pick(laptop, "en")

    assert User.objects.get(pk=world.citizen.pk).language == "en"
    assert speaks(laptop.get("/")) == "en"
    # Signed out, this browser keeps the choice.
    laptop.post("/akun/keluar/")
    assert speaks(laptop.get(LOGIN)) == "en"
    # Another browser (no cookie, and an Indonesian Accept-Language for good measure):
    # Indonesian until the person signs in, then their English.
    phone = Client(HTTP_ACCEPT_LANGUAGE="id-ID")
    assert speaks(phone.get(LOGIN)) == "id"
    sign_in(phone, "warga")
    assert speaks(phone.get("/")) == "en"
    # ... and the browser now remembers it too.
    assert phone.cookies["django_language"].value == "en"
    phone.post("/akun/keluar/")
    assert speaks(phone.get(LOGIN)) == "en"


def test_an_account_without_a_choice_takes_the_one_made_before_signing_in(world):
    client = english_browser()
    pick(client, "en")

    sign_in(client, "petugas_pu")

    assert User.objects.get(pk=world.officer.pk).language == "en"
    assert speaks(client.get("/")) == "en"


def test_an_accounts_own_choice_wins_over_an_older_cookie(world):
    User.objects.filter(pk=world.citizen.pk).update(language="id")
    client = english_browser()
    pick(client, "en")

    sign_in(client, "warga")

    assert speaks(client.get("/")) == "id"
    assert client.cookies["django_language"].value == "id"
    assert User.objects.get(pk=world.citizen.pk).language == "id"


@pytest.mark.parametrize("language", ["fr", "", "en-US<script>"])
def test_an_unknown_language_changes_nothing(world, language):
    client = english_browser()
    client.force_login(world.citizen)

    response = pick(client, language)

    assert response.status_code == 302
    assert "django_language" not in response.cookies
    assert User.objects.get(pk=world.citizen.pk).language == ""
    assert speaks(client.get("/")) == "id"


def test_the_switch_returns_to_the_page_it_was_pressed_on_and_never_off_the_site(db):
    client = english_browser()

    assert pick(client, "en", next_url="/statistik/")["Location"] == "/statistik/"
    assert pick(client, "en", next_url="https://evil.example/")["Location"] == "/"
    from_referer = client.post(SWITCH, {"language": "id"}, HTTP_REFERER="http://testserver/lacak/")
    assert from_referer["Location"] == "http://testserver/lacak/"


def test_the_switch_takes_only_a_post(db):
    response = english_browser().get(SWITCH, {"language": "en", "next": "/"})

    assert response.status_code == 405
    assert "django_language" not in response.cookies


def test_the_switch_is_protected_against_cross_site_requests(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.citizen)

    response = pick(client, "en")

    assert response.status_code == 403
    assert User.objects.get(pk=world.citizen.pk).language == ""


def test_open311_clients_still_choose_with_accept_language(db):
    """A program has no switch: under /open311/ the header is the way to ask."""
    client = english_browser()

    response = client.get("/open311/discovery.json")

    assert response["Content-Language"] == "en"
    assert "Accept-Language" in response["Vary"]
    assert Client().get("/open311/discovery.json")["Content-Language"] == "id"
