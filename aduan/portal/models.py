"""Guest reporters' contact verification: a 6-digit code sent by e-mail or SMS.

A guest without an account proves that the e-mail address or phone number they give is
theirs before their report is accepted, so that the agency can reach them and nobody can
file reports in someone else's name. The address is personal data: it is stored encrypted,
with a keyed hash for look-ups (throttling per address); the code is stored only as a
keyed hash."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from aduan.accounts.crypto import EncryptedTextField
from aduan.notifications.models import NotificationChannel


class Purpose(models.TextChoices):
    """What a verified contact opens: filing a report as a guest, the guest's own reports
    ("my reports" without an account), a new account, or a new password."""

    REPORT = "report", _("Melapor tanpa akun")
    MY_REPORTS = "my_reports", _("Laporan saya tanpa akun")
    REGISTRATION = "registration", _("Pendaftaran akun")
    PASSWORD_RESET = "password_reset", _("Atur ulang kata sandi")


class ContactVerification(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(max_length=8, choices=NotificationChannel.choices)
    purpose = models.CharField(max_length=16, choices=Purpose.choices, default=Purpose.REPORT)
    # False for a password reset asked for a number that no account has: the row then
    # behaves like every other (attempts, expiry, throttles), so that the pages never
    # reveal whether an account exists, but no code is ever sent to the number.
    send_codes = models.BooleanField(default=True)
    address = EncryptedTextField()
    # lookup_hash() of the normalised address: throttling per address without decrypting.
    address_lookup = models.CharField(max_length=64)
    # The name the guest gave (optional): it becomes the reporter's name.
    name = EncryptedTextField(blank=True)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    send_count = models.PositiveSmallIntegerField(default=1)
    last_sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("verifikasi kontak")
        verbose_name_plural = _("verifikasi kontak")
        indexes = [
            models.Index(fields=["address_lookup", "created_at"], name="contact_verif_address_idx"),
            models.Index(fields=["created_at"], name="contact_verif_created_idx"),
        ]

    def __str__(self) -> str:
        # Never the address: objects end up in logs.
        return f"ContactVerification {self.uuid}"


def pending_upload_path(instance: "PendingUpload", filename: str) -> str:
    # Never the client's file name (see reports.models.attachment_path).
    return f"pending/{instance.uuid}{instance.extension}"


class PendingUpload(models.Model):
    """A file a citizen sent with a report form that was not accepted yet (another field
    had an error), kept so they need not choose it again.

    The file already passed every upload check (`core.uploads.process_upload`): what is
    stored is the cleaned content, attached as is when the report is filed. It belongs to
    one browser session (`owner`, a keyed hash of a random value kept in the session) and
    is deleted when the report is filed, when the citizen removes it, or by the worker
    once `expires_at` has passed (`portal.tasks.purge_pending_uploads`).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.CharField(max_length=64, db_index=True)
    file = models.FileField(upload_to=pending_upload_path, max_length=200)
    # The citizen's own name for the file, shown back to them only: personal data (it
    # can name them), so encrypted, and gone with the row.
    display_name = EncryptedTextField(blank=True)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    kind = models.CharField(max_length=10)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("berkas tertunda")
        verbose_name_plural = _("berkas tertunda")

    def __str__(self) -> str:
        # Never the file's name: objects end up in logs.
        return f"PendingUpload {self.uuid}"
