"""People: staff and citizen accounts, reporters (with encrypted personal data), and the
log of every staff read of a reporter's personal data."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

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
    # Empty for an account of this node. A staff member of another node who acted on a
    # report held here is kept as a copy (name, role, agency) so that the history can name
    # them; such a copy can never sign in here.
    home_node = models.CharField(max_length=12, blank=True)
    # The language picked with the switch in the page header; empty until the person picks
    # one (pages are then in Indonesian). Kept on the account so the choice follows them to
    # other browsers and later sessions.
    language = models.CharField(
        _("bahasa"), max_length=8, choices=settings.LANGUAGES, blank=True, default=""
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
    # Indexed in Meta (exact matches only: no LIKE index beside them).
    email_lookup = models.CharField(max_length=64, blank=True)
    phone_lookup = models.CharField(max_length=64, blank=True)
    contact_verified_at = models.DateTimeField(null=True, blank=True)
    # Where the reporter asked to hear about their reports: "" is on the channel each
    # report came in by (`notifications.service.notify_reporter`), else one of their own
    # contacts' channels, chosen on a report's page.
    reply_channel = models.CharField(
        _("kabar dikirim melalui"),
        max_length=10,
        blank=True,
        choices=[("sms", "SMS"), ("whatsapp", "WhatsApp"), ("email", _("Surel"))],
    )
    created_at = ClockDateTimeField(auto_now_add=True)
    # When the identity and contacts were erased (on the person's request or by the
    # retention schedule, `aduan.privacy.erasure`). The row stays, empty, because reports
    # point at it; a replicated copy of this reporter is never filled in again.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pelapor")
        verbose_name_plural = _("pelapor")
        indexes = [
            models.Index(fields=["email_lookup"], name="reporter_email_lookup_idx"),
            models.Index(fields=["phone_lookup"], name="reporter_phone_lookup_idx"),
        ]

    def __str__(self) -> str:
        # Never the name: objects are printed in logs and the admin's history.
        return f"Reporter {self.uuid}"

    def save(self, *args, **kwargs):
        self.set_lookups()
        super().save(*args, **kwargs)

    def set_lookups(self) -> None:
        """The blind indexes of the contacts (also for rows written with bulk_create)."""
        self.email_lookup = lookup_hash(self.email) if self.email else ""
        self.phone_lookup = lookup_hash(normalise_phone(self.phone)) if self.phone else ""


def normalise_phone(phone: str) -> str:
    """The key of a phone number in the `phone_lookup` blind index: its digits with the
    country code (+62 812-3456-789 / 0812 3456 789 / 62812... -> 628123456789).

    Numbers are stored in E.164 form ("+628...", `identity.clean_phone`) since that rule
    was introduced; rows written before keep the spelling they were typed in. Both give the
    same key, so this function must keep reading the older spellings as it always did:
    changing it would silently orphan the index entries of existing rows."""
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


# -- login security (staff login) -------------------------------------------------------


@dataclass(frozen=True)
class LoginThrottle:
    """Growing delays after failed sign-ins for one key: the first `free` failures cost
    nothing; after that each failure makes the key wait `first_delay`, doubled for every
    further failure, never more than `longest_delay`. Attempts refused while a key waits
    are not counted, so they do not make the wait longer."""

    free: int
    first_delay: dt.timedelta
    longest_delay: dt.timedelta

    def next_allowed(self, failures: int, newest: dt.datetime | None) -> dt.datetime | None:
        if newest is None or failures < self.free:
            return None
        doublings = min(failures - self.free, 20)
        return newest + min(self.first_delay * (2**doublings), self.longest_delay)


# Failures older than this are forgotten (and their rows deleted).
LOGIN_FAILURE_MEMORY = dt.timedelta(days=1)
# One username from one address: a person's typos, or one machine guessing one account.
LOGIN_THROTTLE_PAIR = LoginThrottle(5, dt.timedelta(minutes=1), dt.timedelta(hours=1))
# One address, whatever the username. Government offices often reach the internet through
# one shared address, so an address gets more free tries than a username.
LOGIN_THROTTLE_ADDRESS = LoginThrottle(20, dt.timedelta(minutes=1), dt.timedelta(hours=1))
# One username from any address (guessing spread over many machines). Gentler, and
# skipped on a browser the account signed in from before (`known device`), so that
# failures by others never keep the owner out.
LOGIN_THROTTLE_USERNAME = LoginThrottle(10, dt.timedelta(minutes=1), dt.timedelta(minutes=15))


class LoginFailure(models.Model):
    """One failed password or second-factor attempt, kept a day for the login throttle
    (counted in the database so every web process sees the same count).

    The typed username is stored only as a keyed hash: people type passwords into the
    username field, and a hash still lets us count attempts on names that do not exist,
    so a refusal never reveals whether an account exists."""

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
        return lookup_hash((username or "").strip().lower())

    @classmethod
    def _next_allowed(cls, rows, throttle: LoginThrottle, now):
        summary = rows.filter(at__gte=now - LOGIN_FAILURE_MEMORY).aggregate(
            failures=models.Count("pk"), newest=models.Max("at")
        )
        until = throttle.next_allowed(summary["failures"], summary["newest"])
        return until if until is not None and until > now else None

    @classmethod
    def locked_until(
        cls, username: str, ip_address: str | None, now, *, known_device: bool = False
    ):
        """Until when a sign-in for this username from this address must wait, or None
        when it may be tried now. `known_device`: the browser signed in to this account
        before, so failures elsewhere on the username do not hold it back."""
        by_username = cls.objects.filter(username_hash=cls.hash_username(username))
        ends = []
        if not known_device:
            ends.append(cls._next_allowed(by_username, LOGIN_THROTTLE_USERNAME, now))
        if ip_address:
            ends.append(
                cls._next_allowed(
                    by_username.filter(ip_address=ip_address), LOGIN_THROTTLE_PAIR, now
                )
            )
            ends.append(
                cls._next_allowed(
                    cls.objects.filter(ip_address=ip_address), LOGIN_THROTTLE_ADDRESS, now
                )
            )
        ends = [end for end in ends if end is not None]
        return max(ends) if ends else None

    @classmethod
    def record(cls, username: str, ip_address: str | None, now) -> None:
        cls.objects.create(
            username_hash=cls.hash_username(username), ip_address=ip_address or None, at=now
        )
        # Old rows serve no purpose; drop them as we go (indexed on `at`).
        cls.objects.filter(at__lt=now - LOGIN_FAILURE_MEMORY).delete()

    @classmethod
    def clear(cls, username: str, ip_address: str | None = None) -> None:
        """A successful sign-in forgets this username's failures from this address;
        others' failures on it (from elsewhere) still count."""
        rows = cls.objects.filter(username_hash=cls.hash_username(username))
        if ip_address:
            rows = rows.filter(ip_address=ip_address)
        rows.delete()


# -- getting back in (password reset, the secret link, "my reports") -----------------------


class RecoveryRequest(models.Model):
    """One request to get back in — a password reset, a secret link sent again, a code to
    see one's reports — kept for a day to enforce the hourly limits (`recovery.throttle`).

    Counted in the database so that every web process sees the same count. Whatever the
    request names (an e-mail address, a phone number, a tracking number) is stored only as
    a keyed hash, and it is counted whether or not it matched anything: a limit reached
    never says whether an account, a contact or a report exists."""

    kind = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "key_hash", "at"], name="recovery_key_idx"),
            models.Index(fields=["kind", "ip_address", "at"], name="recovery_ip_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} request at {self.at:%Y-%m-%d %H:%M}"
