"""Erasing a person's identity and contacts (the right to erasure, UU 27/2022 PDP
articles 8 and 16): the one door through which personal data is erased, for a request
(`request_erasure` then `carry_out_erasure`) and for the retention schedule
(`erase_reporters`, `privacy.retention`).

What is erased: the reporter's name, NIK, phone, e-mail and their keyed hashes; the
account's names, e-mail and password (the account is disabled and renamed); the sender
and text of messages received from them on a channel; the addresses and secret values of
the messages sent to them; their contact verifications, chat drafts and alert
subscriptions. What stays: the reports and their public content, their history (events
are append-only and sealed: never edited), the files attached to them, the statistics,
and the log of staff reads (accountability, deleted by the retention schedule)."""

import datetime as dt
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.accounts.models import Reporter, User
from aduan.alerts.models import Subscriber
from aduan.channels.models import Conversation, Message
from aduan.notifications.models import Notification, NotificationChannel, NotificationStatus
from aduan.portal.models import ContactVerification
from aduan.reports.models import OPEN_STATUSES, Report

from .models import ErasureRequest, ErasureStatus
from .subject import Contacts, Subject


class ErasureRefused(Exception):
    def __init__(self, code: str, message, reports: list[str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.reports = reports or []

    def __str__(self) -> str:
        return str(self.message)


def open_reports(subject: Subject) -> list[str]:
    return list(
        subject.reports()
        .filter(status__in=OPEN_STATUSES)
        .order_by("submitted_at")
        .values_list("tracking_number", flat=True)[:20]
    )


def request_erasure(
    subject: Subject, *, source: str, recorded_by: User | None = None
) -> ErasureRequest:
    """Record a request to erase `subject`'s data and queue it for the worker.

    Refused while one of their reports is still being handled: the agency must be able to
    reach the reporter until it has answered (Perpres 76/2013 on complaints handling is
    the legal basis of that processing); the reporter may withdraw a report first."""
    from .tasks import erase_personal_data

    if subject.user is not None and subject.user.is_staff_role:
        # A staff account names its holder in every history it acted in, and its agency
        # answers for it: the agency closes it, not this page.
        raise ErasureRefused(
            "staff", _("Akun petugas tidak dihapus di sini; hubungi admin instansi Anda.")
        )
    if not subject.reporter_ids and subject.user is None:
        raise ErasureRefused("nothing", _("Tidak ada data pribadi Anda di Aduan."))
    still_open = open_reports(subject)
    if still_open:
        raise ErasureRefused(
            "open_reports",
            _(
                "Data Anda belum dapat dihapus karena laporan berikut masih ditangani: "
                "petugas perlu menghubungi Anda sampai laporan selesai. Tunggu sampai "
                "selesai atau cabut laporannya."
            ),
            still_open,
        )
    with transaction.atomic():
        pending = ErasureRequest.objects.filter(
            status=ErasureStatus.REQUESTED, reporters__in=subject.reporter_ids
        )
        if subject.user is not None:
            pending = ErasureRequest.objects.filter(status=ErasureStatus.REQUESTED).filter(
                Q(pk__in=pending.values("pk")) | Q(user=subject.user)
            )
        existing = pending.first()
        if existing is not None:
            return existing  # asked twice: one request
        record = ErasureRequest.objects.create(
            source=source, user=subject.user, recorded_by=recorded_by
        )
        record.reporters.set(subject.reporter_ids)
        erase_personal_data.enqueue(record.pk)
    return record


def subject_of(record: ErasureRequest) -> Subject:
    reporter_ids = list(record.reporters.values_list("pk", flat=True))
    contacts = Contacts()
    if record.user is not None:
        contacts.add_email(record.user.email)
    for reporter in Reporter.objects.filter(pk__in=reporter_ids):
        contacts.add_email(reporter.email)
        contacts.add_phone(reporter.phone)
    return Subject(user=record.user, reporter_ids=reporter_ids, contacts=contacts)


def carry_out_erasure(record_id: int) -> ErasureRequest:
    """Erase what `record` names and tell the person it is done. Idempotent: a request
    already carried out is left as it is."""
    now = timezone.now()
    with transaction.atomic():
        record = ErasureRequest.objects.select_for_update().get(pk=record_id)
        if record.status == ErasureStatus.DONE:
            return record
        subject = subject_of(record)
        # The addresses the confirmation goes to, read before they are erased.
        tell = sorted(
            [(NotificationChannel.EMAIL, e) for e in subject.contacts.emails]
            + [(NotificationChannel.SMS, p) for p in subject.contacts.phones]
        )
        summary = erase_subject(subject, now=now)
        record.status = ErasureStatus.DONE
        record.completed_at = now
        record.summary = summary
        record.save(update_fields=["status", "completed_at", "summary"])
        _tell_done(record, tell)
    return record


def _tell_done(record: ErasureRequest, addresses: list[tuple[str, str]]) -> None:
    """The last message to the person: kept, like every message sent, until the retention
    schedule erases its address (`notification_addresses`)."""
    from aduan.notifications.tasks import deliver_notifications

    local = timezone.localtime(record.completed_at, dt.timezone(dt.timedelta(hours=7)))
    rows = Notification.objects.bulk_create(
        [
            Notification(
                audience="person",
                channel=channel,
                address=address,
                template="erasure_done",
                context={
                    "site_url": settings.SITE_URL,
                    "request": str(record.uuid)[:8],
                    "completed": local.strftime("%d-%m-%Y %H:%M WIB"),
                },
            )
            for channel, address in addresses
        ]
    )
    if rows:
        deliver_notifications.enqueue([n.pk for n in rows])


def erase_subject(subject: Subject, *, now: dt.datetime) -> dict:
    """Erase everything of `subject` that names them; counts per kind. The caller holds a
    transaction."""
    summary = erase_reporters(subject.reporter_ids, subject.contacts, now=now)
    user = subject.user
    if user is not None:
        summary["accounts"] = _erase_account(user)
        summary["notification_addresses"] += _erase_addresses(Q(recipient_user=user))
    return summary


def erase_reporters(reporter_ids: list[int], contacts: Contacts, *, now: dt.datetime) -> dict:
    reports = Report.objects.filter(reporter_id__in=reporter_ids).values("pk")
    summary = {
        "reporters": Reporter.objects.filter(pk__in=reporter_ids).update(
            name="",
            nik="",
            phone="",
            email="",
            email_lookup="",
            phone_lookup="",
            reply_channel="",
            erased_at=now,
        ),
        "notification_addresses": _erase_addresses(
            Q(report_id__in=reports, audience__in=["reporter", "sender"])
        ),
    }
    message_lookups = contacts.message_lookups()
    messages = Q(report_id__in=reports)
    if message_lookups:
        messages |= Q(sender_lookup__in=message_lookups)
    summary["channel_messages"] = _erase_messages(messages)
    summary["conversations"] = (
        Conversation.objects.filter(sender_lookup__in=message_lookups).delete()[0]
        if message_lookups
        else 0
    )
    lookups = contacts.verification_lookups()
    summary["contact_verifications"] = (
        ContactVerification.objects.filter(address_lookup__in=lookups).delete()[0] if lookups else 0
    )
    subscriber_lookups = contacts.subscriber_lookups()
    summary["alert_subscribers"] = (
        Subscriber.objects.filter(email_lookup__in=subscriber_lookups)
        .delete()[1]
        .get("alerts.Subscriber", 0)
        if subscriber_lookups
        else 0
    )
    return summary


def _erase_messages(q: Q) -> int:
    return (
        Message.objects.filter(q)
        .exclude(sender="", text="")
        .update(sender="", sender_lookup="", text="", text_lookup="")
    )


def _erase_addresses(q: Q) -> int:
    rows = Notification.objects.filter(q).exclude(address="", private_context="")
    # A message still waiting would go to nobody: it is given up, saying why.
    rows.filter(status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING]).update(
        status=NotificationStatus.FAILED, last_error="address erased (personal data request)"
    )
    return rows.update(address="", private_context="")


def _erase_account(user: User) -> int:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).delete()
    user.username = f"dihapus-{uuid.uuid4().hex[:12]}"
    user.first_name = ""
    user.last_name = ""
    user.email = ""
    user.language = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(
        update_fields=[
            "username",
            "first_name",
            "last_name",
            "email",
            "language",
            "is_active",
            "password",
        ]
    )
    return 1
