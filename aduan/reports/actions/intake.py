"""Intake: recording a new report from any channel."""

import contextlib
import dataclasses
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from aduan.accounts.models import Reporter, Role
from aduan.core import rowsql
from aduan.core.rowsql import insert_new
from aduan.core.uploads import ProcessedUpload
from aduan.notifications.models import Notification
from aduan.notifications.service import notify_reporter
from aduan.regions.models import Region

from .. import deadlines, tracking
from ..access import token_hash
from ..actors import SYSTEM, Actor, as_actor
from ..errors import ValidationFailed
from ..events import chain_event
from ..models import (
    Channel,
    EventType,
    Report,
    ReportEvent,
    Status,
    SubmissionKey,
    Visibility,
)
from ..signals import report_changed
from .base import FileGuard, _now, _store_files
from .validation import ReporterDetails, clean_reporter, validate_submission

# ---------------------------------------------------------------------------- submit


@dataclass
class SubmitResult:
    report: Report
    # The secret of the reporter's tracking link: shown once, only its hash is stored.
    secret: str
    attachments: list = dataclasses.field(default_factory=list)
    # True when the idempotency key named a report filed before: `report` is that one,
    # nothing was written, and there is no secret to show (it went out with the first).
    duplicate: bool = False


def submission_key_hash(idempotency_key: str) -> str:
    return hashlib.sha256(idempotency_key.encode()).hexdigest()


def _filed_under(key_hash: str) -> Report | None:
    row = SubmissionKey.objects.filter(key=key_hash).select_related("report").first()
    return row.report if row is not None else None


def _reporter_for(actor: Actor, details: ReporterDetails | None) -> Reporter:
    user = actor.user
    if user is not None and user.role == Role.CITIZEN:
        reporter, _ = Reporter.objects.get_or_create(user=user)
        return reporter
    clean, problems = clean_reporter(details or ReporterDetails())
    if problems:
        raise ValidationFailed(problems)
    reporter = Reporter(
        name=clean.name,
        nik=clean.nik,
        phone=clean.phone,
        email=clean.email,
        contact_verified_at=clean.contact_verified_at,
    )
    reporter.set_lookups()  # what Reporter.save adds
    insert_new([reporter])
    return reporter


def submit_report(
    data: dict,
    *,
    actor,
    reporter: ReporterDetails | None = None,
    files: Sequence = (),
    checked_files: Sequence[ProcessedUpload] = (),
    idempotency_key: str = "",
) -> SubmitResult:
    """Record a new report from any channel. Validates everything first (raising
    ValidationFailed with every problem), then writes the report, its first event, its
    attachments and the reporter's confirmation in one transaction. A report with only
    coordinates gets a suggested region; a report is never refused for an unknown region.

    `checked_files` are files that already went through `process_upload` (a web form
    keeps them across a failed submit); they count toward the limit and are stored first.

    `idempotency_key`, scoped by the caller to who is submitting ("portal:<owner>:<key>"),
    makes a repeat harmless: a key seen before returns the report filed with it
    (`duplicate=True`) and writes nothing, also when the two attempts run at once."""
    actor = as_actor(actor)
    staff_entry = actor.user is not None and actor.user.role != Role.CITIZEN
    account_holder = actor.user is not None and not staff_entry
    key_hash = submission_key_hash(idempotency_key) if idempotency_key else ""
    if key_hash and (earlier := _filed_under(key_hash)) is not None:
        return SubmitResult(report=earlier, secret="", duplicate=True)
    clean, processed = validate_submission(
        data,
        files,
        reporter=None if account_holder else (reporter or ReporterDetails()),
        existing_files=len(checked_files),
    )
    processed = [*checked_files, *processed]
    try:
        return _file_report(
            clean,
            processed,
            actor=actor,
            staff_entry=staff_entry,
            reporter=reporter,
            key_hash=key_hash,
        )
    except IntegrityError:
        # Another attempt with the same key committed first (the unique index made this
        # one wait for it, then fail): everything written here was rolled back.
        if key_hash and (earlier := _filed_under(key_hash)) is not None:
            return SubmitResult(report=earlier, secret="", duplicate=True)
        raise


def _file_report(
    clean: dict,
    processed: list[ProcessedUpload],
    *,
    actor: Actor,
    staff_entry: bool,
    reporter: ReporterDetails | None,
    key_hash: str,
) -> SubmitResult:
    if staff_entry and clean["channel"] in (Channel.WEB, Channel.API):
        clean["channel"] = Channel.COUNTER
    now = _now()
    secret = secrets.token_urlsafe(24)
    # On PostgreSQL the rows' keys (and the tracking number) are drawn in one statement
    # before the transaction, and the rows are then sent together: BEGIN and every INSERT
    # in one round trip, then COMMIT (core/rowsql.py, "batched writes").
    node_sequence = tracking.drawn_sequence(_node())
    batch = rowsql.Batch.reserve(_BATCH_ROWS, sequences=[node_sequence] if node_sequence else [])
    deferring = batch.deferring() if batch is not None else contextlib.nullcontext()
    with FileGuard() as guard, transaction.atomic(), deferring:
        reporter_row = _reporter_for(actor if not staff_entry else Actor(), reporter)
        region: Region | None = clean["region"]
        drawn = batch.sequence_value(node_sequence) if batch and node_sequence else None
        report = Report(
            tracking_number=tracking.new_tracking_number(timezone.localdate(now).year, drawn=drawn),
            owner_node=_node(),
            origin_node=_node(),
            report_type=clean["report_type"],
            title=clean["title"],
            body=clean["body"],
            incident_date=clean["incident_date"],
            channel=clean["channel"],
            region=region,
            province_code=region.code[:2] if region else "",
            regency_code=region.code[:5] if region and region.level >= 2 else "",
            latitude=clean["latitude"],
            longitude=clean["longitude"],
            address=clean["address"],
            media_url=clean["media_url"],
            category=clean["category"],
            is_anonymous=clean["is_anonymous"],
            is_confidential=clean["is_confidential"],
            reporter=reporter_row,
            access_token_hash=token_hash(secret),
            status=Status.SUBMITTED,
            submitted_at=now,
        )
        suggestion = None
        if region is None and report.latitude is not None:
            from aduan.regions.geo import suggest_region

            suggestion = suggest_region(float(report.latitude), float(report.longitude))
            if suggestion is not None:
                report.suggested_region = suggestion.district or suggestion.regency
                report.region_suggestion_reason = suggestion.reason[:300]
        deadlines.on_submitted(report, now)
        deadlines.refresh_next_due(report, now)
        # The first events are hashed before the insert, so the report row carries its
        # chain head from the start and the events go in with one statement.
        events = [
            chain_event(
                report,
                EventType.SUBMITTED,
                actor=actor,
                at=now,
                to_status=Status.SUBMITTED,
                # What the report row must go on saying (`events.row_problems`).
                payload={
                    "channel": report.channel,
                    "report_type": report.report_type,
                    "is_anonymous": report.is_anonymous,
                    "is_confidential": report.is_confidential,
                },
            )
        ]
        if suggestion is not None:
            events.append(
                chain_event(
                    report,
                    EventType.REGION_SUGGESTED,
                    actor=SYSTEM,
                    at=now,
                    visibility=Visibility.INTERNAL,
                    payload={
                        "region": report.suggested_region_id,
                        "reason": report.region_suggestion_reason,
                    },
                )
            )
        # The three rows every submission writes, each with a statement built once per
        # process (`insert_new`: what save() would write, without its compilation).
        insert_new([report])
        if key_hash:
            SubmissionKey.objects.create(key=key_hash, report=report)
        insert_new(events)
        # The reporter's files, also when staff type the report in for them: shared with
        # the staff only until staff publish one (`publish_attachment`).
        attachments = _store_files(
            report,
            processed,
            guard,
            event=events[0],
            visibility=Visibility.PARTIES,
            by_reporter=True,
        )
        notify_reporter(
            report,
            "report_submitted",
            extra={"verify_due_at": report.verify_due_at.isoformat()},
            private={"secret": secret},
        )
        # Last before the commit: the statistics rows it updates are shared by every
        # submission of the same month, place and topic, and stay locked until commit.
        report_changed.send(sender=Report, report=report, before=None)
    return SubmitResult(report=report, secret=secret, attachments=attachments)


# Keys drawn for a submission's rows: the reporter, the report, its first events (the
# second when a region is suggested) and the reporter's notifications (e-mail and SMS, or
# one channel). A row beyond these reads its key back as usual.
_BATCH_ROWS = {Reporter: 1, Report: 1, ReportEvent: 2, Notification: 2}


def _node() -> str:
    from django.conf import settings

    return settings.NODE_ID
