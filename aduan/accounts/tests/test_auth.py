"""Signing in and out, the growing delays after repeated failures, citizen registration and
password change."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from aduan.accounts.models import (
    LOGIN_THROTTLE_ADDRESS,
    LOGIN_THROTTLE_PAIR,
    LOGIN_THROTTLE_USERNAME,
    LoginFailure,
    Reporter,
    Role,
    User,
)

PASSWORD = "kata-sandi-uji-123"
LOGIN = "/akun/masuk/"


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


# -- login and logout ---------------------------------------------------------------------


def test_the_login_page_has_the_labels_staff_and_the_browser_helper_rely_on(client, db):
    page = client.get(LOGIN).content.decode()
    assert '<label for="id_username">Nama pengguna</label>' in page
    assert '<label for="id_password">Kata sandi</label>' in page
    assert ">Masuk</button>" in page


def test_staff_land_in_their_inbox_after_signing_in(client, world):
    response = sign_in(client, "admin_kutim")
    assert response.status_code == 302
    assert response["Location"] == "/petugas/"
    assert signed_in_user_id(client) == str(world.agency_admin.pk)


def test_a_citizen_lands_on_the_portal_after_signing_in(client, world):
    response = sign_in(client, "warga")
    assert response["Location"] == "/"


def test_signing_in_follows_a_safe_next_link_but_never_an_outside_one(client, world):
    response = client.post(
        LOGIN + "?next=/petugas/laporan-baru/", {"username": "admin_kutim", "password": PASSWORD}
    )
    assert response["Location"] == "/petugas/laporan-baru/"
    client.logout()
    response = client.post(
        LOGIN, {"username": "admin_kutim", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/petugas/"


def test_signing_in_rotates_the_session_key(client, world):
    client.get(LOGIN)
    client.session["probe"] = 1
    before = client.session.session_key
    sign_in(client, "admin_kutim")
    assert client.session.session_key != before


def test_a_wrong_password_is_refused_with_a_message_that_does_not_say_which_part_was_wrong(
    client, world
):
    wrong_password = sign_in(client, "admin_kutim", "salah-sekali-123")
    unknown_user = sign_in(client, "tidak_ada", "salah-sekali-123")
    for response in (wrong_password, unknown_user):
        assert response.status_code == 400
        assert "Nama pengguna atau kata sandi salah." in response.content.decode()
    assert signed_in_user_id(client) is None


def test_an_empty_form_is_refused_with_field_messages(client, db):
    response = client.post(LOGIN, {"username": "", "password": ""})
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"username", "password"}


def test_an_inactive_account_cannot_sign_in(client, world):
    world.officer.is_active = False
    world.officer.save(update_fields=["is_active"])
    response = sign_in(client, "petugas_pu")
    assert response.status_code == 400
    assert signed_in_user_id(client) is None


def test_the_login_page_speaks_english_on_request(client, db):
    client.cookies["django_language"] = "en"
    page = client.get(LOGIN).content.decode()
    assert ">Username</label>" in page
    assert ">Password</label>" in page
    assert ">Log in</button>" in page


def test_logout_needs_a_post_and_ends_the_session(client, world):
    client.force_login(world.agency_admin)
    assert client.get("/akun/keluar/").status_code == 405
    assert signed_in_user_id(client) is not None
    response = client.post("/akun/keluar/")
    assert response.status_code == 302
    assert signed_in_user_id(client) is None


def test_logout_is_protected_against_cross_site_requests(world):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(world.agency_admin)
    assert csrf_client.post("/akun/keluar/").status_code == 403
    assert signed_in_user_id(csrf_client) is not None


def test_the_login_form_is_protected_against_cross_site_requests(world):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(LOGIN, {"username": "admin_kutim", "password": PASSWORD})
    assert response.status_code == 403


# -- login throttle (growing delays, never a lockout) ---------------------------------------

PAIR_FREE = LOGIN_THROTTLE_PAIR.free


def fail(client, username, times, ip="10.1.1.1"):
    for _ in range(times):
        sign_in(client, username, "salah-sekali-123", REMOTE_ADDR=ip)


def test_failures_from_one_address_make_that_address_wait_even_with_the_right_password(
    client, world
):
    fail(client, "admin_kutim", PAIR_FREE)
    response = sign_in(client, "admin_kutim", REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Terlalu banyak percobaan masuk yang gagal" in page
    assert "1 menit" in page
    assert signed_in_user_id(client) is None


def test_the_failure_that_starts_a_wait_already_says_so(client, world):
    fail(client, "admin_kutim", PAIR_FREE - 1)
    response = sign_in(client, "admin_kutim", "salah-sekali-123", REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.content.decode()


def test_the_wait_does_not_reveal_whether_a_username_exists(client, world):
    fail(client, "admin_kutim", PAIR_FREE)
    fail(client, "tidak_pernah_ada", PAIR_FREE)
    existing = sign_in(client, "admin_kutim", REMOTE_ADDR="10.1.1.1")
    missing = sign_in(client, "tidak_pernah_ada", REMOTE_ADDR="10.1.1.1")
    assert existing.status_code == missing.status_code == 429
    assert existing.context["form"].non_field_errors() == missing.context["form"].non_field_errors()


def test_five_wrong_passwords_from_an_attacker_do_not_lock_the_owner_out(client, world):
    """The attack: anyone could lock a staff account with five wrong passwords."""
    fail(client, "Admin_Kutim", PAIR_FREE, ip="198.51.100.66")
    response = sign_in(client, "admin_kutim", REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(world.agency_admin.pk)


def test_the_delays_grow_with_each_failure_and_then_end(client, world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(client, "admin_kutim", PAIR_FREE)  # waits 1 minute
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        fail(client, "admin_kutim", 1)  # the sixth: waits 2 minutes
        assert sign_in(client, "admin_kutim", REMOTE_ADDR="10.1.1.1").status_code == 429
    with time_machine.travel(start + dt.timedelta(seconds=61 + 100), tick=False):
        # Refused while waiting, and these refusals do not make the wait longer.
        assert (
            sign_in(client, "admin_kutim", "salah-sekali-123", REMOTE_ADDR="10.1.1.1").status_code
            == 429
        )
        assert LoginFailure.objects.count() == PAIR_FREE + 1
    with time_machine.travel(start + dt.timedelta(seconds=61 + 121), tick=False):
        response = sign_in(client, "admin_kutim", REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(world.agency_admin.pk)


def test_the_longest_wait_is_an_hour_however_many_failures(client, world):
    start = timezone.now()
    for i in range(PAIR_FREE + 12):
        # Each failure made after the previous wait ended.
        with time_machine.travel(start + dt.timedelta(hours=i), tick=False):
            fail(client, "admin_kutim", 1)
    last = start + dt.timedelta(hours=PAIR_FREE + 11)
    with time_machine.travel(last + dt.timedelta(minutes=59), tick=False):
        assert sign_in(client, "admin_kutim", REMOTE_ADDR="10.1.1.1").status_code == 429
    with time_machine.travel(last + dt.timedelta(minutes=61), tick=False):
        assert sign_in(client, "admin_kutim", REMOTE_ADDR="10.1.1.1").status_code == 302


def test_a_successful_login_forgets_its_own_failures(client, world):
    fail(client, "admin_kutim", PAIR_FREE - 1)
    assert sign_in(client, "admin_kutim", REMOTE_ADDR="10.1.1.1").status_code == 302
    client.logout()
    fail(client, "admin_kutim", PAIR_FREE - 1)
    assert sign_in(client, "admin_kutim", REMOTE_ADDR="10.1.1.1").status_code == 302


def test_many_failures_from_one_address_slow_that_address_for_every_username(client, world):
    for i in range(LOGIN_THROTTLE_ADDRESS.free):
        sign_in(client, f"tebakan{i}", "salah-sekali-123", REMOTE_ADDR="10.2.2.2")
    assert sign_in(client, "petugas_pu", REMOTE_ADDR="10.2.2.2").status_code == 429
    assert sign_in(client, "petugas_pu", REMOTE_ADDR="10.3.3.3").status_code == 302


def test_guessing_one_username_from_many_addresses_is_slowed_but_not_on_the_owners_browser(
    client, world
):
    from django.test import Client

    owner = Client()
    assert sign_in(owner, "admin_kutim", REMOTE_ADDR="10.5.5.5").status_code == 302
    owner.post("/akun/keluar/")  # signs out; the browser keeps its cookies
    for i in range(LOGIN_THROTTLE_USERNAME.free):
        fail(client, "admin_kutim", 1, ip=f"198.51.100.{i + 1}")
    # A new browser at a new address waits (at most a quarter of an hour) ...
    assert sign_in(Client(), "admin_kutim", REMOTE_ADDR="10.6.6.6").status_code == 429
    # ... the browser the owner signed in from before does not.
    assert sign_in(owner, "admin_kutim", REMOTE_ADDR="10.5.5.5").status_code == 302


def test_failures_are_counted_in_the_database_without_the_typed_username(client, world):
    fail(client, "admin_kutim", 2)
    rows = list(LoginFailure.objects.all())
    assert len(rows) == 2
    assert all(row.username_hash != "admin_kutim" and len(row.username_hash) == 64 for row in rows)
    assert {row.ip_address for row in rows} == {"10.1.1.1"}


def test_behind_a_trusted_proxy_the_forwarded_client_address_is_counted(client, world, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    sign_in(
        client,
        "admin_kutim",
        "salah-sekali-123",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.7, 10.0.0.2",
    )
    assert LoginFailure.objects.get().ip_address == "203.0.113.7"


def test_without_a_trusted_proxy_a_forwarded_address_is_ignored(client, world, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    sign_in(
        client,
        "admin_kutim",
        "salah-sekali-123",
        REMOTE_ADDR="198.51.100.9",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert LoginFailure.objects.get().ip_address == "198.51.100.9"


# -- registration -------------------------------------------------------------------------

REGISTRATION = {
    "username": "rina_warga",
    "name": "Rina Marlina",
    "email": "rina@example.com",
    "phone": "",
    "password1": "sandi-rahasia-rina-77",
    "password2": "sandi-rahasia-rina-77",
}


def register(client, data=None):
    """The registration form, then the code it sends (by e-mail or SMS)."""
    import re

    from django.core import mail

    from aduan.notifications import sms
    from conftest import run_tasks

    data = REGISTRATION if data is None else data
    response = client.post("/akun/daftar/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/akun/daftar/kode/"
    run_tasks()
    text = mail.outbox[-1].body if data.get("email") else sms.outbox[-1].text
    code = re.search(r"\b(\d{6})\b", text).group(1)
    return client.post("/akun/daftar/kode/", {"code": code})


def test_a_citizen_registers_and_is_signed_in_with_an_encrypted_reporter_record(client, db):
    response = register(client)
    assert response.status_code == 302
    user = User.objects.get(username="rina_warga")
    assert user.role == Role.CITIZEN
    assert user.email == ""  # contact lives encrypted on the reporter, not on the user
    assert signed_in_user_id(client) == str(user.pk)
    reporter = Reporter.objects.get(user=user)
    assert (reporter.name, reporter.email) == ("Rina Marlina", "rina@example.com")
    assert reporter.contact_verified_at is not None
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, email FROM accounts_reporter WHERE id = %s", [reporter.pk])
        raw_name, raw_email = cursor.fetchone()
    assert "Rina" not in raw_name and "rina@" not in raw_email


def test_registration_accepts_a_phone_number_instead_of_an_email(client, db):
    data = REGISTRATION | {"email": "", "phone": "0812-3456-7890"}
    assert register(client, data).status_code == 302
    # Stored in the one form every channel uses.
    assert Reporter.objects.get(user__username="rina_warga").phone == "+6281234567890"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "", "phone": ""}, "email"),
        ({"email": "bukan-surel"}, "email"),
        ({"phone": "abc"}, "phone"),
        ({"phone": "021 555 1234"}, "phone"),
        ({"phone": "+60 12 345 6789"}, "phone"),
        ({"password2": "lain-sekali-999"}, "password2"),
        ({"password1": "123", "password2": "123"}, "password1"),
        ({"username": "warga"}, "username"),
        ({"username": "nama dengan spasi"}, "username"),
        ({"name": ""}, "name"),
        ({"phone": "0812 3456 7890"}, "phone"),  # one contact: the code goes to one address
    ],
)
def test_bad_registrations_are_refused_with_a_message_and_nothing_is_written(
    client, world, change, field
):
    users_before = User.objects.count()
    response = client.post("/akun/daftar/", REGISTRATION | change)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert User.objects.count() == users_before
    assert not Reporter.objects.filter(user__username="rina_warga").exists()


def test_staff_cannot_be_created_through_registration(client, db):
    register(client, REGISTRATION | {"role": "national_admin"})
    assert User.objects.get(username="rina_warga").role == Role.CITIZEN


# -- password change ----------------------------------------------------------------------


def test_password_change_needs_a_signed_in_user(client, db):
    response = client.get("/akun/kata-sandi/")
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/")


def test_a_user_changes_their_password_and_stays_signed_in(client, world):
    client.force_login(world.officer)
    response = client.post(
        "/akun/kata-sandi/",
        {
            "old_password": PASSWORD,
            "new_password1": "sandi-baru-yang-kuat-42",
            "new_password2": "sandi-baru-yang-kuat-42",
        },
    )
    assert response.status_code == 302
    world.officer.refresh_from_db()
    assert world.officer.check_password("sandi-baru-yang-kuat-42")
    assert client.get("/petugas/").status_code == 200


def test_a_wrong_current_password_changes_nothing(client, world):
    client.force_login(world.officer)
    response = client.post(
        "/akun/kata-sandi/",
        {
            "old_password": "bukan-sandi-lama",
            "new_password1": "sandi-baru-yang-kuat-42",
            "new_password2": "sandi-baru-yang-kuat-42",
        },
    )
    assert response.status_code == 400
    world.officer.refresh_from_db()
    assert world.officer.check_password(PASSWORD)


# -- the admin ------------------------------------------------------------------------------


def test_a_signed_in_account_without_admin_access_is_told_so_not_looped(client, world):
    """The attack: a logged-in non-superuser opening /admin/ was redirected forever."""
    client.force_login(world.agency_admin)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) <= 2
    assert "Halaman admin hanya untuk pengelola sistem" in response.content.decode()


def test_a_visitor_opening_the_admin_is_sent_to_our_login(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302
    login = client.get(response["Location"])
    assert login.status_code == 302
    assert login["Location"].startswith("/akun/masuk/?next=")


def test_an_admin_account_reaches_the_admin(client, world):
    superuser = User.objects.create_superuser("akar", "akar@example.com", PASSWORD)
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/").status_code == 302
