"""The optional second factor for staff: an authenticator app (TOTP, django-otp's TOTPDevice).
Codes are computed from the device's secret, as the staff member's phone would show them."""

import datetime as dt
import time
from base64 import b32encode

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY, get_user_model
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from aduan.accounts.models import LOGIN_THROTTLE_PAIR

PASSWORD = "kata-sandi-uji-123"
SECURITY = "/akun/keamanan/"
CODE_PAGE = "/akun/masuk/kode/"


@pytest.fixture
def clock():
    """Frozen time that tests move on explicitly (TOTP codes change every 30 s)."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def current_code(device: TOTPDevice) -> str:
    """The code the authenticator app shows now (RFC 6238, as the phone computes it)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def set_up_device(client, user, clock) -> TOTPDevice:
    client.force_login(user)
    client.post(SECURITY, {"action": "start"})
    device = TOTPDevice.objects.get(user=user)
    response = client.post(SECURITY, {"action": "confirm", "code": current_code(device)})
    assert response.status_code == 302
    client.logout()
    clock.shift(dt.timedelta(seconds=31))  # the next login needs a fresh code
    device.refresh_from_db()
    return device


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


def test_the_security_page_offers_to_set_up_an_authenticator(client, world):
    client.force_login(world.agency_admin)
    page = client.get(SECURITY).content.decode()
    assert "Siapkan aplikasi autentikator" in page
    assert not TOTPDevice.objects.exists()


def test_setting_up_shows_a_qr_code_and_the_secret_as_text(client, world):
    client.force_login(world.agency_admin)
    response = client.post(SECURITY, {"action": "start"})
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=world.agency_admin)
    assert device.confirmed is False
    page = client.get(SECURITY).content.decode()
    assert "<svg" in page
    assert b32encode(device.bin_key).decode() in page.replace(" ", "")
    assert device.config_url.startswith("otpauth://totp/Aduan%3Aadmin_kutim?secret=")


def test_a_correct_code_confirms_the_device(client, world, clock):
    client.force_login(world.agency_admin)
    client.post(SECURITY, {"action": "start"})
    device = TOTPDevice.objects.get()
    response = client.post(SECURITY, {"action": "confirm", "code": current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed is True


def test_a_wrong_code_leaves_the_device_unconfirmed(client, world, clock):
    client.force_login(world.agency_admin)
    client.post(SECURITY, {"action": "start"})
    device = TOTPDevice.objects.get()
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(SECURITY, {"action": "confirm", "code": wrong})
    assert response.status_code == 400
    assert "Kode salah" in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False


def test_citizens_have_no_security_page(client, world):
    client.force_login(world.citizen)
    assert client.get(SECURITY).status_code == 404


def test_the_security_page_needs_a_signed_in_user(client, db):
    assert client.get(SECURITY).status_code == 302


def test_with_a_device_the_password_alone_does_not_sign_in(client, world, clock):
    set_up_device(client, world.agency_admin, clock)
    response = client.post("/akun/masuk/", {"username": "admin_kutim", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == CODE_PAGE
    assert signed_in_user_id(client) is None
    assert client.get("/petugas/").status_code == 302  # still sent to the login page


def test_the_code_from_the_device_completes_the_login(client, world, clock):
    device = set_up_device(client, world.agency_admin, clock)
    client.post("/akun/masuk/", {"username": "admin_kutim", "password": PASSWORD})
    assert client.get(CODE_PAGE).status_code == 200
    response = client.post(CODE_PAGE, {"code": current_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/petugas/"
    assert signed_in_user_id(client) == str(world.agency_admin.pk)


def test_a_wrong_code_does_not_sign_in(client, world, clock):
    device = set_up_device(client, world.agency_admin, clock)
    client.post("/akun/masuk/", {"username": "admin_kutim", "password": PASSWORD})
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(CODE_PAGE, {"code": wrong})
    assert response.status_code == 400
    assert signed_in_user_id(client) is None


def test_a_code_cannot_be_used_twice(client, world, clock):
    device = set_up_device(client, world.agency_admin, clock)
    code = current_code(device)
    client.post("/akun/masuk/", {"username": "admin_kutim", "password": PASSWORD})
    client.post(CODE_PAGE, {"code": code})
    client.logout()
    client.post("/akun/masuk/", {"username": "admin_kutim", "password": PASSWORD})
    assert client.post(CODE_PAGE, {"code": code}).status_code == 400
    assert signed_in_user_id(client) is None


def test_wrong_codes_slow_down_further_tries(client, world, clock):
    device = set_up_device(client, world.agency_admin, clock)
    client.post("/akun/masuk/", {"username": "admin_kutim", "password": PASSWORD})
    client.post(CODE_PAGE, {"code": "000000" if current_code(device) != "000000" else "111111"})
    # Right away even the right code is refused (django-otp's exponential back-off) ...
    assert client.post(CODE_PAGE, {"code": current_code(device)}).status_code == 400
    # ... and accepted once the back-off has passed.
    clock.shift(dt.timedelta(seconds=3))
    assert client.post(CODE_PAGE, {"code": current_code(device)}).status_code == 302


def test_wrong_codes_count_towards_the_login_lockout(client, world, clock):
    device = set_up_device(client, world.agency_admin, clock)
    client.post("/akun/masuk/", {"username": "admin_kutim", "password": PASSWORD})
    for _ in range(LOGIN_THROTTLE_PAIR.free):
        clock.shift(dt.timedelta(seconds=40))
        client.post(CODE_PAGE, {"code": "abcdef"})
    response = client.post(CODE_PAGE, {"code": current_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/akun/masuk/"
    assert signed_in_user_id(client) is None


def test_the_code_step_expires_after_five_minutes(client, world, clock):
    device = set_up_device(client, world.agency_admin, clock)
    client.post("/akun/masuk/", {"username": "admin_kutim", "password": PASSWORD})
    clock.shift(dt.timedelta(minutes=6))
    response = client.post(CODE_PAGE, {"code": current_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/akun/masuk/"
    assert signed_in_user_id(client) is None


def test_the_code_page_without_a_password_step_sends_back_to_login(client, world):
    response = client.get(CODE_PAGE)
    assert response.status_code == 302
    assert response["Location"] == "/akun/masuk/"


def test_an_unconfirmed_device_does_not_ask_for_a_code(client, world):
    TOTPDevice.objects.create(user=world.agency_admin, name="x", confirmed=False)
    response = client.post("/akun/masuk/", {"username": "admin_kutim", "password": PASSWORD})
    assert response["Location"] == "/petugas/"


def test_disabling_needs_a_current_code(client, world, clock):
    device = set_up_device(client, world.agency_admin, clock)
    client.force_login(world.agency_admin)
    assert client.post(SECURITY, {"action": "disable", "code": "12"}).status_code == 400
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    clock.shift(dt.timedelta(seconds=3))  # past the back-off after the wrong code
    response = client.post(SECURITY, {"action": "disable", "code": current_code(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.exists()


def test_the_admin_lists_devices_without_their_secret(client, world, clock):
    device = set_up_device(client, world.agency_admin, clock)
    superuser = get_user_model().objects.create_superuser(
        username="admin_pusat", email="admin@example.go.id", password=PASSWORD
    )
    client.force_login(superuser)

    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")

    assert page.status_code == 200
    assert "admin_kutim" in page.text
    assert device.key not in page.text
    assert b32encode(device.bin_key).decode() not in page.text
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 403
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code == 403


def test_staff_without_admin_rights_cannot_open_the_device_admin(client, world, clock):
    device = set_up_device(client, world.agency_admin, clock)
    client.force_login(world.agency_admin)

    response = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# -- required for some roles -------------------------------------------------------------


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["national_admin", "agency_admin"]


def test_an_admin_without_an_authenticator_is_sent_to_set_one_up_first(
    client, world, required, clock
):
    client.force_login(world.national_admin)
    for path in ("/petugas/", "/admin/", "/statistik/dasbor/"):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, SECURITY), path
    page = client.get(SECURITY).content.decode()
    assert "wajib memakai verifikasi dua langkah" in page
    client.post(SECURITY, {"action": "start"})
    device = TOTPDevice.objects.get(user=world.national_admin)
    client.post(SECURITY, {"action": "confirm", "code": current_code(device)})
    assert client.get("/petugas/").status_code == 200
    # Required: it can be replaced, not switched off.
    clock.shift(dt.timedelta(seconds=31))
    response = client.post(
        SECURITY, {"action": "disable", "code": current_code(device)}, follow=True
    )
    assert "hanya dapat diganti, tidak dimatikan" in response.content.decode()
    assert TOTPDevice.objects.filter(user=world.national_admin, confirmed=True).exists()


def test_other_roles_and_citizens_go_on_as_before(client, world, required):
    client.force_login(world.officer)
    assert client.get("/petugas/").status_code == 200
    client.force_login(world.citizen)
    assert client.get("/laporan-saya/").status_code == 200


def test_production_requires_it_for_the_admins_by_default():
    import os
    import subprocess
    import sys

    from cryptography.fernet import Fernet

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "TWO_FACTOR_REQUIRED_ROLES", "AUDIT_CHAIN_KEYS"}
    } | {
        "DEBUG": "false",
        "SECRET_KEY": "a-real-secret-" + "x" * 40,
        "PERSONAL_DATA_KEYS": Fernet.generate_key().decode(),
        "PERSONAL_DATA_LOOKUP_KEY": "lookup-" + "y" * 40,
        "AUDIT_CHAIN_KEYS": "audit-" + "z" * 40,
        "ALLOWED_HOSTS": "aduan.example.go.id",
        "SITE_URL": "https://aduan.example.go.id",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.TWO_FACTOR_REQUIRED_ROLES)",
        ],
        env=env | {"DJANGO_SETTINGS_MODULE": "aduan.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "['national_admin', 'agency_admin']"
