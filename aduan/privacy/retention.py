"""The retention schedule of personal data (UU 27/2022 PDP article 16: data kept no
longer than its purpose needs). One period per kind of data (`settings.RETENTION`, in
days); the worker applies it (`tasks.apply_retention`).

Each run is bounded: at most `RETENTION_BATCH_SIZE` rows per kind, so a long backlog is
worked off over successive runs instead of in one long transaction. Each run is
idempotent: a row once erased no longer matches (its fields are empty, or it is gone), so
two workers or a repeated run change nothing twice. `manage.py apply_retention` shows
what a run would do, and does it with `--commit`."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.accounts.models import PersonalDataAccess, Reporter
from aduan.channels.models import Message
from aduan.notifications.models import Notification, NotificationStatus
from aduan.portal.models import ContactVerification
from aduan.reports.models import OPEN_STATUSES, TERMINAL_STATUSES

from . import erasure
from .subject import Contacts


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    action: str


KINDS = (
    Kind(
        "contact_verifications",
        _("Kode verifikasi kontak (surel/HP)"),
        _("dihapus, dihitung dari saat dibuat"),
    ),
    Kind(
        "channel_messages",
        _("Pesan masuk SMS/WhatsApp: pengirim dan isi"),
        _("dikosongkan, dihitung dari selesainya laporan (atau saat diterima)"),
    ),
    Kind(
        "notification_addresses",
        _("Alamat tujuan pesan terkirim"),
        _("dikosongkan, dihitung dari saat terkirim atau gagal"),
    ),
    Kind(
        "reporters",
        _("Identitas dan kontak pelapor tanpa akun"),
        _("dikosongkan, dihitung dari selesainya laporan terakhirnya"),
    ),
    Kind(
        "access_logs",
        _("Log akses petugas ke data pribadi"),
        _("dihapus, dihitung dari saat akses"),
    ),
)


def schedule() -> list[tuple[Kind, int]]:
    return [(kind, int(settings.RETENTION[kind.key])) for kind in KINDS]


def _cutoff(key: str, now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=int(settings.RETENTION[key]))


def _batch() -> int:
    return max(1, int(settings.RETENTION_BATCH_SIZE))


def due_contact_verifications(now):
    return ContactVerification.objects.filter(created_at__lt=_cutoff("contact_verifications", now))


def due_channel_messages(now):
    cutoff = _cutoff("channel_messages", now)
    ended = Q(report__status__in=TERMINAL_STATUSES) & (
        Q(report__closed_at__lt=cutoff)
        | Q(report__closed_at__isnull=True, report__updated_at__lt=cutoff)
    )
    return Message.objects.filter(Q(report__isnull=True, received_at__lt=cutoff) | ended).exclude(
        sender="", text=""
    )


def due_notification_addresses(now):
    cutoff = _cutoff("notification_addresses", now)
    done = Q(status=NotificationStatus.SENT, sent_at__lt=cutoff) | Q(
        status=NotificationStatus.FAILED, created_at__lt=cutoff
    )
    return Notification.objects.filter(done).exclude(address="", private_context="")


def due_reporters(now):
    """Reporters without an account, not erased yet, whose reports all ended (closed,
    archived, withdrawn) before the cutoff, on the node that collected their contacts.
    Account holders keep their identity while they keep their account (they may erase
    it at any time)."""
    cutoff = _cutoff("reporters", now)
    return (
        Reporter.objects.filter(user__isnull=True, erased_at__isnull=True)
        .exclude(reports__status__in=OPEN_STATUSES)
        .filter(reports__origin_node=settings.NODE_ID)
        .annotate(
            ended=Max(
                Coalesce("reports__closed_at", "reports__updated_at", output_field=DateTimeField())
            )
        )
        .filter(ended__lt=cutoff)
    )


def due_access_logs(now):
    return PersonalDataAccess.objects.filter(at__lt=_cutoff("access_logs", now))


DUE = {
    "contact_verifications": due_contact_verifications,
    "channel_messages": due_channel_messages,
    "notification_addresses": due_notification_addresses,
    "reporters": due_reporters,
    "access_logs": due_access_logs,
}


def pending(now: dt.datetime | None = None) -> dict[str, int]:
    """How many rows of each kind a run would take up, all batches together (dry run)."""
    now = now or timezone.now()
    return {key: due(now).count() for key, due in DUE.items()}


def _ids(qs) -> list[int]:
    return list(qs.order_by("pk").values_list("pk", flat=True)[: _batch()])


def apply(now: dt.datetime | None = None) -> dict[str, int]:
    """One bounded run: at most a batch of each kind, each kind in its own transaction."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    with transaction.atomic():
        ids = _ids(due_contact_verifications(now))
        done["contact_verifications"] = ContactVerification.objects.filter(pk__in=ids).delete()[0]
    with transaction.atomic():
        ids = _ids(due_channel_messages(now))
        done["channel_messages"] = Message.objects.filter(pk__in=ids).update(
            sender="", sender_lookup="", text="", text_lookup=""
        )
    with transaction.atomic():
        ids = _ids(due_notification_addresses(now))
        done["notification_addresses"] = Notification.objects.filter(pk__in=ids).update(
            address="", private_context=""
        )
    with transaction.atomic():
        ids = _ids(due_reporters(now))
        contacts = Contacts()
        for reporter in Reporter.objects.filter(pk__in=ids).only("pk", "email", "phone"):
            contacts.add_email(reporter.email)
            contacts.add_phone(reporter.phone)
        done["reporters"] = (
            erasure.erase_reporters(ids, contacts, now=now)["reporters"] if ids else 0
        )
    with transaction.atomic():
        ids = _ids(due_access_logs(now))
        done["access_logs"] = PersonalDataAccess.objects.filter(pk__in=ids).delete()[0]
    return done


def run_if_due(now: dt.datetime | None = None, *, force: bool = False) -> dict:
    """The worker's job: one run at most every `RETENTION_EVERY_MINUTES` (claimed with a
    locked row, so two workers never both run it)."""
    from .models import RetentionState

    now = now or timezone.now()
    with transaction.atomic():
        state, _created = RetentionState.objects.get_or_create(pk=1)
        state = RetentionState.objects.select_for_update().get(pk=1)
        every = dt.timedelta(minutes=settings.RETENTION_EVERY_MINUTES)
        if not force and state.last_run_at and now - state.last_run_at < every:
            return {"ran": False}
        state.last_run_at = now
        state.save(update_fields=["last_run_at"])
    result = apply(now)
    RetentionState.objects.filter(pk=1).update(last_result=result)
    return {"ran": True, **result}
