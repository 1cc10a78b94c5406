"""Files kept across a failed submit of the report form.

Browsers never fill a file input again, so a form sent back with an error in the title or
the coordinates would make the citizen choose their photos again (on a slow connection:
upload them again). Instead, every file that passes the upload checks is kept on the
server as a `PendingUpload` bound to the browser session, and the form sent back lists
it with a ticked box; the next submit attaches it without checking it a second time.

- Ownership: a random value in the session (never the session key, which changes on
  sign-in), stored only as a keyed hash; a file is found only by its UUID *and* this
  owner, so a UUID seen elsewhere opens nothing.
- Expiry: `KEEP_FOR` after the upload; the worker deletes expired rows and their files
  (`purge_expired`), also those the citizen unticked (another tab of the same browser
  may still use them). A kept file that expired is reported, not silently dropped.
  A file attached to a report is deleted once the report is committed.
- The client's file name is shown back to its sender only, encrypted at rest, and never
  reaches the report: stored attachments get generated names.
"""

import contextlib
import datetime as dt
import secrets
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.crypto import salted_hmac

from aduan.core import clock
from aduan.core.uploads import ProcessedUpload

from .models import PendingUpload

KEEP_FOR = dt.timedelta(hours=2)
OWNER_KEY = "portal_upload_owner"
FIELD = "kept_upload"


def owner_of(request, *, create: bool = True) -> str:
    """This browser session's owner hash ("" if it has none and `create` is false)."""
    value = request.session.get(OWNER_KEY)
    if not value:
        if not create:
            return ""
        value = secrets.token_urlsafe(24)
        request.session[OWNER_KEY] = value
    return salted_hmac("aduan.portal.pending-upload", value).hexdigest()


@dataclass
class Kept:
    uuid: str
    display_name: str
    kind: str
    extension: str
    size: int


def _describe(row: PendingUpload) -> Kept:
    return Kept(str(row.uuid), row.display_name, row.kind, row.extension, row.size)


def keep(request, processed: ProcessedUpload, display_name: str) -> Kept:
    """Store one checked file for this session."""
    row = PendingUpload(
        owner=owner_of(request),
        display_name=display_name[:150],
        content_type=processed.content_type,
        extension=processed.extension,
        kind=processed.kind,
        size=processed.size,
        sha256=processed.sha256,
        width=processed.width,
        height=processed.height,
        expires_at=clock.now() + KEEP_FOR,
    )
    row.file.save(pending_name(row), ContentFile(processed.content), save=False)
    try:
        row.save(force_insert=True)
    except Exception:
        _delete_file(row)
        raise
    return _describe(row)


def pending_name(row: PendingUpload) -> str:
    return f"{row.uuid}{row.extension}"


def claimed(request, values: list[str]) -> tuple[list[PendingUpload], int]:
    """The kept files the form names (its ticked boxes), in the order given, and how many
    it named that are gone (expired, purged, or not this session's)."""
    wanted = []
    for value in values:
        value = (value or "").strip()
        if value and value not in wanted and len(wanted) < 20:
            wanted.append(value)
    if not wanted:
        return [], 0
    owner = owner_of(request, create=False)
    rows = {}
    if owner:
        valid = []
        for value in wanted:
            with contextlib.suppress(ValueError):
                valid.append(str(uuid.UUID(value)))
        rows = {
            str(row.uuid): row
            for row in PendingUpload.objects.filter(
                owner=owner, uuid__in=valid, expires_at__gt=clock.now()
            )
        }
    found = [rows[value] for value in wanted if value in rows]
    return found, len(wanted) - len(found)


def describe(rows: list[PendingUpload]) -> list[Kept]:
    return [_describe(row) for row in rows]


def as_processed(row: PendingUpload) -> ProcessedUpload:
    """The kept file as `submit_report` takes it: it passed the checks when it was kept."""
    with row.file.open("rb") as handle:
        content = handle.read()
    return ProcessedUpload(
        content=content,
        content_type=row.content_type,
        extension=row.extension,
        size=row.size,
        sha256=row.sha256,
        kind=row.kind,
        width=row.width,
        height=row.height,
    )


def release(rows: list[PendingUpload]) -> None:
    """Delete kept files once they are attached (or abandoned), after the commit."""
    if not rows:
        return
    pks = [row.pk for row in rows]
    PendingUpload.objects.filter(pk__in=pks).delete()
    for row in rows:
        transaction.on_commit(lambda row=row: _delete_file(row))


def purge_expired(now: dt.datetime | None = None, *, batch: int = 500) -> int:
    """Delete expired kept files and their rows (the worker's periodic job)."""
    now = now or clock.now()
    deleted = 0
    while True:
        rows = list(PendingUpload.objects.filter(expires_at__lte=now).order_by("pk")[:batch])
        if not rows:
            return deleted
        PendingUpload.objects.filter(pk__in=[row.pk for row in rows]).delete()
        for row in rows:
            _delete_file(row)
        deleted += len(rows)


def _delete_file(row: PendingUpload) -> None:
    if row.file.name:
        with contextlib.suppress(OSError):
            row.file.storage.delete(row.file.name)
