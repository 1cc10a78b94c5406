"""Helpers for the workspace tests."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def png(name="foto.png", size=(8, 8), colour=(200, 30, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def page_text(response) -> str:
    return response.content.decode()


def report_url(report, suffix="") -> str:
    return f"/petugas/laporan/{report.tracking_number}/{suffix}"


def action_url(report, action) -> str:
    return report_url(report, f"tindakan/{action}/")
