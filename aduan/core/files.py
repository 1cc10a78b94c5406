"""Sending a stored file (an attachment, the open data) after the view has decided who may
see it, from whichever storage holds it (`settings.STORAGES["default"]`):

- the filesystem (MEDIA_ROOT, on one host or a directory every web host mounts): streamed
  by Django, or, with ATTACHMENT_ACCEL_REDIRECT set, handed to nginx by an
  X-Accel-Redirect to its internal location (the worker is free at once, however slow the
  reader);
- S3-compatible object storage (STORAGE_BACKEND=s3): a redirect to a presigned URL of the
  private object, valid ATTACHMENT_URL_SECONDS, carrying the type and the download name;
  or, with ATTACHMENT_S3_REDIRECT off (object storage the readers cannot reach), streamed
  through Django.

Never a filesystem path: every read goes through the storage API (docs/DEPLOYMENT.md)."""

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

NOT_FOUND = "Lampiran tidak ditemukan / Attachment not found"


def is_local(storage: Storage) -> bool:
    """Whether the storage keeps its files in a directory of this host (MEDIA_ROOT)."""
    return isinstance(storage, FileSystemStorage)


def stored_file_response(field_file, *, content_type: str, as_attachment: bool, filename: str):
    """The file behind a model's `field_file`. 404 when the file is gone."""
    if not field_file.name:
        raise Http404(NOT_FOUND)
    return stored_name_response(
        field_file.storage,
        field_file.name,
        content_type=content_type,
        as_attachment=as_attachment,
        filename=filename,
    )


def stored_name_response(
    storage: Storage, name: str, *, content_type: str, as_attachment: bool, filename: str
):
    """The file `name` of `storage`. 404 when it is gone. A redirect to object storage
    carries `Cache-Control: private, no-store` of its own (the URL expires); views add
    theirs with `setdefault`."""
    disposition = content_disposition_header(as_attachment, filename)
    if is_local(storage):
        prefix = settings.ATTACHMENT_ACCEL_REDIRECT
        if prefix:
            if not storage.exists(name):
                raise Http404(NOT_FOUND)
            response = HttpResponse(content_type=content_type)
            response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
            response["Content-Disposition"] = disposition
            return response
        try:
            handle = storage.open(name, "rb")
        except (FileNotFoundError, OSError, ValueError):
            raise Http404(NOT_FOUND) from None
        return FileResponse(
            handle, content_type=content_type, as_attachment=as_attachment, filename=filename
        )
    # Object storage: one HEAD request, so that a missing object is our 404 and not the
    # storage's error page.
    if not storage.exists(name):
        raise Http404(NOT_FOUND)
    if settings.ATTACHMENT_S3_REDIRECT:
        url = storage.url(
            name,
            parameters={
                "ResponseContentType": content_type,
                "ResponseContentDisposition": disposition,
            },
            expire=settings.ATTACHMENT_URL_SECONDS,
        )
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
        # The presigned URL is a bearer credential for a few minutes: never sent onwards.
        response["Referrer-Policy"] = "no-referrer"
        return response
    handle = storage.open(name, "rb")
    return FileResponse(
        handle, content_type=content_type, as_attachment=as_attachment, filename=filename
    )
