"""Staff who set up an authenticator app before the move to django-otp's TOTPDevice keep
using the same app, with the same codes, after the migration."""

import datetime as dt
import importlib
import time

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

move = importlib.import_module("aduan.accounts.migrations.0005_move_totp_devices_to_django_otp")

BEFORE_THE_MOVE = [("accounts", "0004_user_language")]
PASSWORD = "kata-sandi-uji-123"
CODE_PAGE = "/akun/masuk/kode/"
# A Monday morning in Samarinda (WITA), 08:00.
MONDAY_MORNING = dt.datetime(2026, 3, 2, 0, 0, 0, tzinfo=dt.UTC)
SET_UP_AT = dt.datetime(2025, 11, 3, 1, 30, tzinfo=dt.UTC)


def code_from_app(key: str) -> str:
    """The code an authenticator app holding this hex key shows now."""
    totp = TOTP(bytes.fromhex(key))
    totp.time = time.time()
    return f"{totp.token():06d}"


def time_step_now() -> int:
    return int(time.time()) // 30


def staff_device_row(**changes) -> dict:
    """A StaffTOTPDevice row as `.values()` returns it."""
    row = {
        "id": 7,
        "user_id": 42,
        "name": "Aplikasi autentikator",
        "confirmed": True,
        "key": random_hex(20),
        "step": 30,
        "t0": 0,
        "digits": 6,
        "tolerance": 1,
        "drift": -1,
        "last_t": 59_000_000,
        "throttling_failure_timestamp": None,
        "throttling_failure_count": 0,
        "created_at": SET_UP_AT,
        "last_used_at": SET_UP_AT + dt.timedelta(days=3),
    }
    return row | changes


class TestTotpDeviceFields:
    def test_the_secret_and_the_device_state_are_copied_unchanged(self):
        row = staff_device_row()

        fields = move.totp_device_fields(row)

        assert fields == {name: value for name, value in row.items() if name != "id"}
        assert TOTPDevice(**fields).bin_key == bytes.fromhex(row["key"])

    def test_a_device_half_way_through_its_setup_stays_unconfirmed(self):
        fields = move.totp_device_fields(staff_device_row(confirmed=False))

        assert fields["confirmed"] is False

    @pytest.mark.parametrize("key", ["JBSWY3DPEHPK3PXP", "abc", "", "ab" * 41, "é" * 40])
    def test_a_key_that_is_not_a_hex_secret_stops_the_migration_without_showing_it(self, key):
        with pytest.raises(ValueError, match="device 7 of user 42") as error:
            move.totp_device_fields(staff_device_row(key=key))

        if key:
            assert key not in str(error.value)


@pytest.mark.django_db(transaction=True)
def test_an_enrolled_staff_member_signs_in_with_the_same_app_after_the_migration(client):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_THE_MOVE)
    old_apps = executor.loader.project_state(BEFORE_THE_MOVE).apps
    OldUser = old_apps.get_model("accounts", "User")
    StaffTOTPDevice = old_apps.get_model("accounts", "StaffTOTPDevice")
    officer = OldUser.objects.create(
        username="petugas_lama", password=make_password(PASSWORD), role="unit_officer"
    )
    newcomer = OldUser.objects.create(
        username="petugas_baru", password=make_password(PASSWORD), role="unit_officer"
    )
    key = random_hex(20)

    with time_machine.travel(MONDAY_MORNING, tick=False) as clock:
        used_code = code_from_app(key)
        StaffTOTPDevice.objects.create(
            user=officer,
            name="Aplikasi autentikator",
            key=key,
            confirmed=True,
            last_t=time_step_now(),  # the officer signed in with this code a moment ago
        )
        StaffTOTPDevice.objects.filter(user=officer).update(created_at=SET_UP_AT)
        # Scanned the QR code but never typed a code: not a second factor yet.
        StaffTOTPDevice.objects.create(user=newcomer, name="Aplikasi autentikator", confirmed=False)

        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

        device = TOTPDevice.objects.get(user__username="petugas_lama")
        assert (device.key, device.confirmed, device.created_at) == (key, True, SET_UP_AT)
        assert TOTPDevice.objects.get(user__username="petugas_baru").confirmed is False
        assert "accounts_stafftotpdevice" not in connection.introspection.table_names()

        # The password alone is not enough: the second factor survived the migration.
        response = client.post("/akun/masuk/", {"username": "petugas_lama", "password": PASSWORD})
        assert response["Location"] == CODE_PAGE
        # The code already used before the migration is not accepted again ...
        assert client.post(CODE_PAGE, {"code": used_code}).status_code == 400
        # ... the next one from the same app is.
        clock.shift(dt.timedelta(seconds=30 + 3))  # the next time step, past the back-off
        response = client.post(CODE_PAGE, {"code": code_from_app(key)})
        assert response.status_code == 302
        assert client.session[SESSION_KEY] == str(device.user_id)

        # Someone who never finished the setup still signs in with the password.
        client.logout()
        response = client.post("/akun/masuk/", {"username": "petugas_baru", "password": PASSWORD})
        assert response["Location"] == "/petugas/"
