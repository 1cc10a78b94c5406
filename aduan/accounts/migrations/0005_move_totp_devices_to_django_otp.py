"""Move the staff authenticator devices from StaffTOTPDevice to django-otp's TOTPDevice.

StaffTOTPDevice copied django-otp's TOTPDevice field for field, and its keys were made the
same way (django_otp.util.random_hex(20): 20 random bytes, hex-encoded, which is the format
TOTPDevice stores), so each row is copied as it is:
- the key, so the codes in the staff member's authenticator app stay valid;
- `confirmed`, so nobody enrolled loses the second factor and nobody half-way through the
  setup gains one;
- `last_t`, so a code accepted just before the migration cannot be replayed after it;
- the clock drift, the throttling state after wrong codes, and the timestamps.
A key that is not hex would stop the migration rather than drop someone's second factor
silently (the app never made such keys: there was no form to type one).
"""

from binascii import Error as HexError
from binascii import unhexlify

from django.db import migrations

COPIED_FIELDS = (
    "user_id",
    "name",
    "confirmed",
    "key",
    "step",
    "t0",
    "digits",
    "tolerance",
    "drift",
    "last_t",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "created_at",
    "last_used_at",
)
# TOTPDevice.key holds at most 40 bytes, hex-encoded.
MAX_KEY_LENGTH = 80


def totp_device_fields(row: dict) -> dict:
    """The TOTPDevice field values for one StaffTOTPDevice row (a `.values()` dict)."""
    key = row["key"]
    try:
        secret = unhexlify(key.encode("ascii"))
    except (HexError, UnicodeEncodeError):
        secret = b""
    if not secret or len(key) > MAX_KEY_LENGTH:
        # Never print the key itself: it is the second factor.
        raise ValueError(
            f"Authenticator device {row['id']} of user {row['user_id']} has a key that is not "
            f"a hex-encoded secret of at most {MAX_KEY_LENGTH // 2} bytes; fix or delete it "
            "before migrating."
        )
    return {field: row[field] for field in COPIED_FIELDS}


def move_devices(apps, schema_editor):
    StaffTOTPDevice = apps.get_model("accounts", "StaffTOTPDevice")
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    rows = list(StaffTOTPDevice.objects.order_by("pk").values("id", *COPIED_FIELDS))
    devices = TOTPDevice.objects.bulk_create(
        [TOTPDevice(**totp_device_fields(row)) for row in rows], batch_size=500
    )
    # created_at is auto_now_add, so the insert stamped it with the present time; put back
    # the date each device was set up.
    for device, row in zip(devices, rows, strict=True):
        device.created_at = row["created_at"]
    TOTPDevice.objects.bulk_update(devices, ["created_at"], batch_size=500)


def move_devices_back(apps, schema_editor):
    StaffTOTPDevice = apps.get_model("accounts", "StaffTOTPDevice")
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    rows = list(TOTPDevice.objects.order_by("pk").values(*COPIED_FIELDS))
    devices = StaffTOTPDevice.objects.bulk_create(
        [StaffTOTPDevice(**row) for row in rows], batch_size=500
    )
    for device, row in zip(devices, rows, strict=True):
        device.created_at = row["created_at"]
    StaffTOTPDevice.objects.bulk_update(devices, ["created_at"], batch_size=500)
    TOTPDevice.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_language"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(move_devices, move_devices_back)]
