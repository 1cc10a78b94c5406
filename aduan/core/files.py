"""Sending a stored file (an attachment) after the view has decided who may see it."""

from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header


def stored_file_response(field_file, *, content_type: str, as_attachment: bool, filename: str):
    """The file behind `field_file`: streamed by Django, or, with ATTACHMENT_ACCEL_REDIRECT
    set, handed to nginx by an X-Accel-Redirect to its internal location (the worker is
    free at once, however slow the reader). 404 when the file is gone."""
    prefix = settings.ATTACHMENT_ACCEL_REDIRECT
    if prefix:
        if not field_file.name or not field_file.storage.exists(field_file.name):
            raise Http404("Lampiran tidak ditemukan / Attachment not found")
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(field_file.name)
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
        return response
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404("Lampiran tidak ditemukan / Attachment not found")
    return FileResponse(
        handle, content_type=content_type, as_attachment=as_attachment, filename=filename
    )
