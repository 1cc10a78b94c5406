"""Reports, their append-only event history, and attachments (docs/DESIGN.md, Lifecycle and
The history)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aduan.core.clock import ClockDateTimeField


class ReportType(models.TextChoices):
    COMPLAINT = "complaint", _("Pengaduan")
    ASPIRATION = "aspiration", _("Aspirasi")
    INFORMATION_REQUEST = "information_request", _("Permintaan informasi")


class Channel(models.TextChoices):
    WEB = "web", _("Situs web")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("Surel")
    COUNTER = "counter", _("Loket")
    PHONE = "phone", _("Telepon")
    SYNC = "sync", _("Sinkronisasi")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Menunggu verifikasi")
    ON_HOLD = "on_hold", _("Menunggu informasi pelapor")
    DISPOSITIONED = "dispositioned", _("Didisposisikan")
    RETURNED = "returned", _("Dikembalikan (bukan wewenang)")
    IN_PROGRESS = "in_progress", _("Diproses")
    RESPONDED = "responded", _("Ditanggapi")
    CLOSED = "closed", _("Selesai")
    ARCHIVED = "archived", _("Diarsipkan")
    WITHDRAWN = "withdrawn", _("Dicabut pelapor")


OPEN_STATUSES = (
    Status.SUBMITTED,
    Status.ON_HOLD,
    Status.DISPOSITIONED,
    Status.RETURNED,
    Status.IN_PROGRESS,
    Status.RESPONDED,
)
TERMINAL_STATUSES = (Status.CLOSED, Status.ARCHIVED, Status.WITHDRAWN)
# Forwarded at least once and so part of the public record (docs/DESIGN.md, Identity and
# privacy).
PUBLISHED_STATUSES = (
    Status.DISPOSITIONED,
    Status.RETURNED,
    Status.IN_PROGRESS,
    Status.RESPONDED,
    Status.CLOSED,
)


class ArchiveReason(models.TextChoices):
    INCOMPLETE = "incomplete", _("Tidak lengkap")
    UNINTELLIGIBLE = "unintelligible", _("Tidak dapat dipahami")
    NOT_PUBLIC_SERVICE = "not_public_service", _("Bukan tentang pelayanan publik")
    OUT_OF_SCOPE = "out_of_scope", _("Di luar kewenangan (penegakan hukum, legislatif, peradilan)")
    DUPLICATE = "duplicate", _("Duplikat laporan lain")
    ABUSIVE = "abusive", _("Mengandung SARA/ujaran kebencian")
    SPAM = "spam", _("Spam")


class EscalationLevel(models.IntegerChoices):
    NONE = 0, _("Tidak ada")
    AGENCY_ADMIN = 1, _("Admin instansi")
    NATIONAL = 2, _("Admin nasional dan pengawas")


class Report(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tracking_number = models.CharField(max_length=24, unique=True)
    # The node that sequences this report's events: the only one that appends to its
    # history (docs/FEDERATION.md). Ownership moves only by a handoff event.
    owner_node = models.CharField(max_length=12, default="PST")
    # The node where the report was submitted: it holds the reporter's contact and sends
    # every notification to the reporter.
    origin_node = models.CharField(max_length=12, blank=True)

    report_type = models.CharField(max_length=24, choices=ReportType.choices)
    title = models.CharField(max_length=200)
    body = models.TextField()
    incident_date = models.DateField(null=True, blank=True)
    channel = models.CharField(max_length=12, choices=Channel.choices, default=Channel.WEB)

    # Foreign keys whose lookups a composite index below already serves carry no index of
    # their own (db_index=False): every index is written on every submission.
    region = models.ForeignKey(
        "regions.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # report_similar_idx
    )
    # Denormalised from region for fast filters and statistics by area.
    province_code = models.CharField(max_length=2, blank=True)
    regency_code = models.CharField(max_length=5, blank=True)
    suggested_region = models.ForeignKey(
        "regions.Region",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # report_suggested_region_idx (partial)
    )
    region_suggestion_reason = models.CharField(max_length=300, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField(max_length=300, blank=True)
    # A link to media hosted elsewhere (Open311 `media_url`); never fetched by the server.
    media_url = models.URLField(max_length=500, blank=True)
    category = models.ForeignKey(
        "categories.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # report_category_idx
    )

    is_anonymous = models.BooleanField(default=False)
    is_confidential = models.BooleanField(default=False)
    reporter = models.ForeignKey(
        "accounts.Reporter", on_delete=models.PROTECT, related_name="reports"
    )
    # sha256 of the secret in the reporter's tracking link; the secret itself is never stored.
    access_token_hash = models.CharField(max_length=64, blank=True)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    # Where an on-hold report goes back to once the reporter answers.
    status_before_hold = models.CharField(max_length=16, choices=Status.choices, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
        db_index=False,  # report_agency_due_idx
    )
    unit = models.ForeignKey(
        "agencies.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unit_reports",
        db_index=False,  # report_unit_due_idx
    )
    # Who must act on a returned report: "national" or "agency".
    returned_to = models.CharField(max_length=10, blank=True)
    # The officer of the handling unit who works on the report (docs/DESIGN.md, Assignment):
    # set by `take_report` and `assign_report`, cleared whenever the unit changes.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_reports",
        db_index=False,  # report_assignee_due_idx (partial)
    )
    needs_inspection = models.BooleanField(default=False)

    archive_reason = models.CharField(max_length=24, choices=ArchiveReason.choices, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        db_index=False,  # report_duplicate_of_idx (partial)
    )
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.TextField(blank=True)
    appeal_used = models.BooleanField(default=False)
    escalation_level = models.PositiveSmallIntegerField(
        choices=EscalationLevel.choices, default=EscalationLevel.NONE
    )
    is_escalated = models.BooleanField(default=False)
    # How many people said "Saya juga mengalami" (ReportSupport), kept by the support
    # action so that lists show it without counting.
    support_count = models.PositiveIntegerField(default=0)

    created_at = ClockDateTimeField(auto_now_add=True)
    updated_at = ClockDateTimeField(auto_now=True)
    submitted_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    dispositioned_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)

    # Deadlines are stored, computed on the working-day calendar (docs/DESIGN.md, Deadlines).
    verify_due_at = models.DateTimeField(null=True, blank=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    completion_due_at = models.DateTimeField(null=True, blank=True)
    reply_due_at = models.DateTimeField(null=True, blank=True)
    # The earliest deadline that still runs (null when none runs): the worker's scan key.
    next_due_at = models.DateTimeField(null=True, blank=True)
    is_overdue = models.BooleanField(default=False)
    # When the deadline scan next needs to look at this report (null: nothing more to
    # send for the deadlines it has now). Reset from next_due_at whenever the report is
    # saved by an action; pushed later by the scan once the notices due so far went out
    # (reports/sla.py), so an old backlog of overdue reports is not read every minute.
    next_notice_at = models.DateTimeField(null=True, blank=True)

    # The head of the audit chain: the last event's sequence number and hash.
    last_event_seq = models.PositiveIntegerField(default=0)
    last_event_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("laporan")
        verbose_name_plural = _("laporan")
        indexes = [
            models.Index(fields=["status", "-submitted_at"], name="report_status_submitted_idx"),
            models.Index(fields=["agency", "status", "next_due_at"], name="report_agency_due_idx"),
            models.Index(fields=["unit", "status", "next_due_at"], name="report_unit_due_idx"),
            models.Index(
                fields=["next_due_at"],
                name="report_open_due_idx",
                condition=Q(next_due_at__isnull=False),
            ),
            models.Index(fields=["category", "-submitted_at"], name="report_category_idx"),
            # The deadline scan: the reports this node owns that it must look at now.
            models.Index(
                fields=["owner_node", "next_notice_at"],
                name="report_notice_idx",
                condition=Q(next_notice_at__isnull=False),
            ),
            # The "returned" queues of the inboxes (national and per agency); partial, so
            # submissions and most changes never touch it.
            models.Index(
                fields=["returned_to", "agency"],
                name="report_returned_idx",
                condition=models.Q(status="returned"),
            ),
            # Possible duplicates (aduan/reports/similar.py): same category in the same
            # region, or near the same point.
            models.Index(fields=["region", "category", "-submitted_at"], name="report_similar_idx"),
            models.Index(
                fields=["category", "latitude", "longitude"],
                name="report_similar_point_idx",
                condition=Q(latitude__isnull=False),
            ),
            models.Index(fields=["updated_at"], name="report_updated_idx"),
            # The escalation queue of the staff inbox.
            models.Index(
                fields=["escalation_level", "next_due_at"],
                name="report_escalated_idx",
                condition=Q(is_escalated=True) | Q(escalation_level__gte=1),
            ),
            # "Assigned to me" in the staff inbox, sorted by deadline like the other queues;
            # partial, so the unassigned majority costs it nothing.
            models.Index(
                fields=["assignee", "status", "next_due_at"],
                name="report_assignee_due_idx",
                condition=Q(assignee__isnull=False),
            ),
            # Keyset pages of the public list (ordered newest first, most rows published).
            models.Index(fields=["-submitted_at", "-tracking_number"], name="report_newest_idx"),
            # Filters and statistics by area (plain b-trees: nothing searches these codes
            # by prefix, so no LIKE index beside them).
            models.Index(fields=["province_code"], name="report_province_idx"),
            models.Index(fields=["regency_code"], name="report_regency_idx"),
            # Rare links, partial so that the rows without one (nearly all) cost nothing.
            models.Index(
                fields=["duplicate_of"],
                name="report_duplicate_of_idx",
                condition=Q(duplicate_of__isnull=False),
            ),
            models.Index(
                fields=["suggested_region"],
                name="report_suggested_region_idx",
                condition=Q(suggested_region__isnull=False),
            ),
            # The public map's box queries (portal/mapdata.py); reports without a point
            # are left out of it.
            models.Index(
                fields=["latitude", "longitude"],
                name="report_point_idx",
                condition=Q(latitude__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="report_rating_1_5",
            ),
            models.CheckConstraint(
                condition=~Q(status="archived") | ~Q(archive_reason=""),
                name="report_archived_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_published(self) -> bool:
        if self.is_confidential:
            return False
        if self.status == Status.ON_HOLD:
            # A forwarded report waiting on its reporter stays on the public record.
            return self.status_before_hold in PUBLISHED_STATUSES
        return self.status in PUBLISHED_STATUSES

    @property
    def is_appealed(self) -> bool:
        """The reporter contested the answer ("banding"): shown as an appeal, not as a
        missed deadline."""
        return self.appeal_used

    @property
    def is_deadline_escalated(self) -> bool:
        """Escalated because a deadline passed (an appeal also raises `is_escalated`)."""
        return bool(self.escalation_level) or (self.is_escalated and not self.appeal_used)

    @property
    def handling_agency(self):
        return self.unit or self.agency


class EventType(models.TextChoices):
    SUBMITTED = "submitted", _("Laporan diterima")
    REGION_SUGGESTED = "region_suggested", _("Wilayah disarankan dari koordinat")
    VERIFIED = "verified", _("Laporan diverifikasi")
    DISPOSITIONED = "dispositioned", _("Didisposisikan ke instansi")
    FORWARDED = "forwarded", _("Diteruskan ke unit kerja")
    PUT_ON_HOLD = "put_on_hold", _("Menunggu informasi dari pelapor")
    INFORMATION_ADDED = "information_added", _("Pelapor menambahkan informasi")
    ARCHIVED = "archived", _("Diarsipkan")
    RETURNED = "returned", _("Dikembalikan: bukan wewenang")
    REDISPOSITIONED = "redispositioned", _("Didisposisikan ulang")
    ACKNOWLEDGED = "acknowledged", _("Diterima dan diproses")
    FOLLOW_UP = "follow_up", _("Tindak lanjut")
    PROGRESS_UPDATE = "progress_update", _("Perkembangan penanganan")
    ASSIGNED = "assigned", _("Ditugaskan kepada petugas")
    UNASSIGNED = "unassigned", _("Penugasan petugas dilepas")
    INTERNAL_NOTE = "internal_note", _("Catatan internal")
    REPORTER_REPLIED = "reporter_replied", _("Pelapor menanggapi")
    ACCEPTED = "accepted", _("Pelapor menerima tanggapan")
    CONTESTED = "contested", _("Pelapor mengajukan banding")
    RATED = "rated", _("Pelapor memberi penilaian")
    WITHDRAWN = "withdrawn", _("Dicabut pelapor")
    CLOSED = "closed", _("Ditutup")
    AUTO_CLOSED = "auto_closed", _("Ditutup otomatis (tidak ada tanggapan pelapor)")
    REMINDER = "reminder", _("Pengingat tenggat")
    ESCALATED = "escalated", _("Dieskalasi karena melewati tenggat")
    HANDED_OVER = "handed_over", _("Pengelolaan dipindahkan ke simpul lain")
    INSPECTION_CHANGED = "inspection_changed", _("Status pemeriksaan/audit diubah")
    OVERDUE = "overdue", _("Melewati tenggat")
    ATTACHMENT_PUBLISHED = "attachment_published", _("Lampiran dipublikasikan")
    ATTACHMENT_UNPUBLISHED = "attachment_unpublished", _("Publikasi lampiran dibatalkan")
    SUPPORTED = "supported", _("Warga lain juga mengalami masalah ini")
    # Duplicate clusters and campaigns (docs/ROUTING.md).
    CLUSTER_LINKED = "cluster_linked", _("Dihubungkan ke klaster laporan serupa")
    CLUSTER_UNLINKED = "cluster_unlinked", _("Dikeluarkan dari klaster laporan serupa")
    UNMERGED = "unmerged", _("Penggabungan sebagai duplikat dibatalkan")
    CAMPAIGN_DETACHED = "campaign_detached", _("Dilepas dari kampanye massal")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Publik")
    # Seen by the reporter and staff, not on public pages (e.g. an information request).
    PARTIES = "parties", _("Pelapor dan petugas")
    INTERNAL = "internal", _("Internal petugas")


class ReportEvent(models.Model):
    """One entry of a report's append-only history and the unit of replication.

    (report, seq) is unique: two concurrent actions cannot both append event N. `hash`
    covers the event's content and `prev_hash`, so editing, deleting or reordering any
    event breaks the chain (`manage.py verify_audit_chain`)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Looked up through event_report_seq_unique, whose first column it is.
    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=24, choices=EventType.choices)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # event_actor_idx (partial: reporters' and the system's have none)
    )
    # "reporter", "system", or the staff role at the time of the action.
    actor_role = models.CharField(max_length=20)
    at = models.DateTimeField()
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    origin_node = models.CharField(max_length=12)
    # The acting account's global id (the same on every node); part of the hash, unlike
    # the node-local `actor` key.
    actor_uuid = models.UUIDField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # This node's HMAC of the event's place and hash under a key kept outside the database
    # ("<key id>:<hmac>", `events.seal_of`): a history re-hashed after an edit has no
    # valid seals. Not replicated; each node seals what it stores.
    seal = models.CharField(max_length=80, blank=True)
    # Replication bookkeeping, outside the hash: the event's place in this node's outgoing
    # stream (given after commit by the sequencer) and the peer it came from, if any.
    position = models.BigIntegerField(null=True, blank=True, unique=True)
    received_from = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["report_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["report", "seq"], name="event_report_seq_unique"),
        ]
        indexes = [
            models.Index(fields=["at"], name="event_at_idx"),
            # The sequencer's queue: events not yet given a stream position.
            models.Index(
                fields=["id"], name="event_unsequenced_idx", condition=Q(position__isnull=True)
            ),
            models.Index(
                fields=["actor"], name="event_actor_idx", condition=Q(actor__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}#{self.seq} {self.type}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("force_rewrite", False):
            raise RuntimeError("Report events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Report events are append-only")


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Never the client's file name: it can name the reporter ("Budi_0812....pdf").
    return f"attachments/{instance.report.uuid}/{instance.uuid}{instance.extension}"


ATTACHMENT_NAME_PREFIXES = {"image": "foto", "document": "lampiran"}


def attachment_name(kind: str, extension: str, number: int) -> str:
    """The name a report's `number`-th attachment is shown and downloaded under:
    "foto-1.jpg", "lampiran-2.pdf". The client's own file name is never kept."""
    return f"{ATTACHMENT_NAME_PREFIXES.get(kind, 'lampiran')}-{number}{extension}"


class Attachment(models.Model):
    """A file attached to a report, stored under a generated path and shown under a
    generated name. Who sees it is `visibility`: a reporter's files are shared with the
    staff only until staff publish one (`actions.publish_attachment`); files staff attach
    to a follow-up are public, to an internal note internal."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(
        ReportEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    # Generated by `attachment_name()`.
    name = models.CharField(max_length=150)
    content_type = models.CharField(max_length=40)
    extension = models.CharField(max_length=6)
    kind = models.CharField(max_length=10)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PARTIES
    )
    uploaded_by_reporter = models.BooleanField(default=False)
    created_at = ClockDateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class ReportSupport(models.Model):
    """One person's "Saya juga mengalami" (I have this problem too) on a published report,
    given instead of filing the same report again (`actions.support_report`).

    `supporter` is a keyed hash of the supporter's verified contact together with the
    report (`actions.supporter_key`), never the contact itself: it makes one support per
    contact and report unique, cannot be turned back into the contact without the key,
    and differs from report to report, so one person's supports cannot be linked to each
    other or to the reporters' own look-up hashes."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="supports")
    supporter = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("dukungan laporan")
        verbose_name_plural = _("dukungan laporan")
        constraints = [
            models.UniqueConstraint(fields=["report", "supporter"], name="report_support_unique")
        ]

    def __str__(self) -> str:
        # Never the supporter's hash: objects end up in logs.
        return f"ReportSupport {self.report_id}@{self.at:%Y-%m-%d}"


class TrackingCounter(models.Model):
    """Per-node sequence for tracking numbers where the database has no sequences (SQLite).
    On PostgreSQL a real sequence is used so intake never queues on this row."""

    node = models.CharField(max_length=12, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.node}: {self.value}"


class DeadlineNotice(models.Model):
    """One reminder or escalation sent for one deadline. The unique constraint makes the
    deadline scan safe to run twice, or by two workers at once."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="deadline_notices")
    deadline = models.CharField(max_length=24)
    due_at = models.DateTimeField()
    # "reminder" | "overdue" | "escalation_1" | "escalation_2"
    kind = models.CharField(max_length=16)
    at = ClockDateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "deadline", "due_at", "kind"], name="deadline_notice_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.deadline} {self.kind}"


class SubmissionKey(models.Model):
    """The idempotency key a client sent with a new report: sending the same report again
    (a retry after a lost answer, an offline queue replayed twice) finds the report
    already filed instead of filing a second one (`submit_report(idempotency_key=...)`).

    `key` is a SHA-256 of the caller's scope (who is submitting, through which door) and
    the client's key, so one client cannot reach another's report by guessing its key,
    and no client-chosen text is stored. The row is written in the report's transaction;
    the unique index makes the second of two concurrent attempts fail and find the first.
    """

    key = models.CharField(max_length=64, unique=True)
    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="+")
    created_at = ClockDateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"SubmissionKey {self.key[:12]}…"
