"""People: staff and citizen accounts, reporters (with encrypted personal data), and the
log of every staff read of a reporter's personal data."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

from aduan.core.clock import ClockDateTimeField

from .crypto import EncryptedTextField, lookup_hash


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Warga")
    NATIONAL_ADMIN = "national_admin", _("Admin nasional")
    AGENCY_ADMIN = "agency_admin", _("Admin instansi")
    UNIT_OFFICER = "unit_officer", _("Petugas unit")
    SUPERVISOR = "supervisor", _("Pengawas")


STAFF_ROLES = {Role.NATIONAL_ADMIN, Role.AGENCY_ADMIN, Role.UNIT_OFFICER, Role.SUPERVISOR}


class User(AbstractUser):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CITIZEN)
    # Agency admins: their government; unit officers: their unit.
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    # Supervisors: the region subtree they oversee (empty = nationwide).
    scope_region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["role", "agency"], name="user_role_agency_idx")]

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Reporter(models.Model):
    """The person behind a report: an account holder or a guest with a verified contact.

    Every identifying field is encrypted at rest; `email_lookup`/`phone_lookup` are keyed
    hashes so a returning guest can be found without decrypting the table."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reporter",
    )
    name = EncryptedTextField(blank=True)
    nik = EncryptedTextField(blank=True)
    phone = EncryptedTextField(blank=True)
    email = EncryptedTextField(blank=True)
    email_lookup = models.CharField(max_length=64, blank=True, db_index=True)
    phone_lookup = models.CharField(max_length=64, blank=True, db_index=True)
    contact_verified_at = models.DateTimeField(null=True, blank=True)
    created_at = ClockDateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pelapor")
        verbose_name_plural = _("pelapor")

    def __str__(self) -> str:
        # Never the name: objects are printed in logs and the admin's history.
        return f"Reporter {self.uuid}"

    def save(self, *args, **kwargs):
        self.email_lookup = lookup_hash(self.email) if self.email else ""
        self.phone_lookup = lookup_hash(normalise_phone(self.phone)) if self.phone else ""
        super().save(*args, **kwargs)


def normalise_phone(phone: str) -> str:
    """+62 812-3456-789 / 0812 3456 789 / 62812... -> 628123456789."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits


class PersonalDataAccess(models.Model):
    """One staff read of a reporter's personal data: who, whose, which report, why, when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reporter = models.ForeignKey(Reporter, on_delete=models.PROTECT, related_name="accesses")
    report = models.ForeignKey(
        "reports.Report", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fields = models.CharField(max_length=100)
    purpose = models.CharField(max_length=100)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("akses data pribadi")
        verbose_name_plural = _("akses data pribadi")

    def __str__(self) -> str:
        return (
            f"{self.user_id} read {self.fields} of {self.reporter_id} at {self.at:%Y-%m-%d %H:%M}"
        )


# -- login security (staff login, issue 2) ------------------------------------------------

LOGIN_FAILURE_WINDOW_MINUTES = 15
LOGIN_LOCKOUT_MINUTES = 15
LOGIN_FAILURES_PER_USERNAME = 5
# Government offices often reach the internet through one shared address, so one office's
# typos must not lock out the whole office: an address gets more tries than a username.
LOGIN_FAILURES_PER_ADDRESS = 20


class LoginFailure(models.Model):
    """One failed password attempt, kept for the lockout window (counted in the database so
    every web process sees the same count).

    The typed username is stored only as a keyed hash: people type passwords into the
    username field, and a hash still lets us count attempts on names that do not exist,
    so a lockout never reveals whether an account exists."""

    username_hash = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["username_hash", "-at"], name="loginfailure_username_idx"),
            models.Index(fields=["ip_address", "-at"], name="loginfailure_ip_idx"),
        ]

    def __str__(self) -> str:
        return f"login failure at {self.at:%Y-%m-%d %H:%M}"

    @staticmethod
    def hash_username(username: str) -> str:
        return lookup_hash(username or "")

    @classmethod
    def _locked_until(cls, rows, limit: int, now):
        """Locked while the last `limit` failures fell within the window and the newest
        of them is less than the lockout period old."""
        from datetime import timedelta

        times = list(rows.order_by("-at").values_list("at", flat=True)[:limit])
        if len(times) < limit:
            return None
        newest, oldest = times[0], times[-1]
        if newest - oldest > timedelta(minutes=LOGIN_FAILURE_WINDOW_MINUTES):
            return None
        until = newest + timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
        return until if until > now else None

    @classmethod
    def locked_until(cls, username: str, ip_address: str | None, now):
        """When the lockout for this username or address ends, or None if not locked."""
        ends = [
            cls._locked_until(
                cls.objects.filter(username_hash=cls.hash_username(username)),
                LOGIN_FAILURES_PER_USERNAME,
                now,
            )
        ]
        if ip_address:
            ends.append(
                cls._locked_until(
                    cls.objects.filter(ip_address=ip_address), LOGIN_FAILURES_PER_ADDRESS, now
                )
            )
        ends = [end for end in ends if end is not None]
        return max(ends) if ends else None

    @classmethod
    def record(cls, username: str, ip_address: str | None, now) -> None:
        from datetime import timedelta

        cls.objects.create(
            username_hash=cls.hash_username(username), ip_address=ip_address or None, at=now
        )
        # Old rows serve no purpose; drop them as we go (indexed on `at`).
        cls.objects.filter(at__lt=now - timedelta(days=1)).delete()

    @classmethod
    def clear(cls, username: str) -> None:
        cls.objects.filter(username_hash=cls.hash_username(username)).delete()


def _totp_default_key() -> str:
    from django_otp.util import random_hex

    return random_hex(20)


class StaffTOTPDevice(TimestampMixin, ThrottlingMixin, Device):
    """A staff member's authenticator app (TOTP, RFC 6238) as a django-otp device.

    Built on django-otp's abstract Device, its throttling (exponential back-off after wrong
    codes) and its TOTP implementation, so the project needs no extra installed app; it
    mirrors django-otp's own TOTPDevice. A device counts only once `confirmed`, i.e. after
    its owner typed a correct code during setup."""

    key = models.CharField(max_length=80, default=_totp_default_key)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    # The time step of the last accepted code: a code is never accepted twice.
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = _("perangkat autentikator")
        verbose_name_plural = _("perangkat autentikator")

    @property
    def bin_key(self) -> bytes:
        from binascii import unhexlify

        return unhexlify(self.key.encode())

    @property
    def base32_key(self) -> str:
        from base64 import b32encode

        return b32encode(self.bin_key).decode("ascii")

    def _totp(self):
        import time

        from django_otp.oath import TOTP

        totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
        totp.time = time.time()
        return totp

    def token(self) -> str:
        """The current code, as the authenticator app shows it."""
        return f"{self._totp().token():0{self.digits}d}"

    def verify_token(self, token) -> bool:
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        token = "".join(str(token or "").split())
        verified = False
        if token.isdigit() and len(token) == self.digits:
            totp = self._totp()
            verified = totp.verify(int(token), self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    def config_url(self, issuer: str = "Aduan") -> str:
        """The otpauth:// URL that authenticator apps read from the QR code."""
        from urllib.parse import quote, urlencode

        label = f"{issuer}:{self.user.get_username()}"
        params = urlencode(
            {
                "secret": self.base32_key,
                "algorithm": "SHA1",
                "digits": self.digits,
                "period": self.step,
            }
        )
        return f"otpauth://totp/{quote(label)}?{params}&issuer={quote(issuer)}"
