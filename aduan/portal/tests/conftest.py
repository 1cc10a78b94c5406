import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Cached province lists and home numbers must not leak from one test into the next.
    cache.clear()
    yield
    cache.clear()


def png_bytes(color=(200, 30, 30)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, format="PNG")
    return buffer.getvalue()


def png_upload(name="lubang.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def report_form_data(**overrides) -> dict:
    """What a citizen types into the report form."""
    data = {
        "form_token": "t-" + overrides.pop("token", "1"),
        "aksi": "kirim",
        "report_type": "complaint",
        "title": "Jalan berlubang di depan SDN 003",
        "body": "Lubang selebar satu meter sudah dua bulan, motor sering jatuh di sini.",
        "category": "jalan-rusak",
        "province": "64",
        "regency": "64.08",
        "district": "64.08.04",
        "village": "64.08.04.1001",
        "address": "Jl. Poros KM 12",
        "latitude": "",
        "longitude": "",
        "incident_date": "",
    }
    data.update(overrides)
    return data
