"""Files on S3-compatible object storage (STORAGE_BACKEND=s3), against a real S3 HTTP
server: moto's, started as a subprocess on a free port, reached through boto3 and
django-storages exactly as MinIO or AWS would be. An upload lands in the bucket as a
private object; a permitted reader is redirected to a short-lived presigned URL that the
server honours (with the generated download name), a reader without permission never
learns it; a peer node's blob read and the open data go through the same storage.
"""

import hashlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from aduan.core.files import is_local
from aduan.federation import signing
from aduan.portal.tests.conftest import png_upload
from aduan.reports import actions as a
from aduan.reports.models import Attachment
from aduan.stats import opendata

BUCKET = "aduan-test"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = _free_port()
    env = os.environ | {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    server = subprocess.Popen(  # noqa: S603 - moto's server, from the venv
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # a loaded machine starts Python slowly
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                assert server.poll() is None, "moto server exited"
                time.sleep(0.1)
        s3 = boto3.client(
            "s3",
            endpoint_url=url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )
        s3.create_bucket(Bucket=BUCKET)
        yield url, s3
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def on_s3(settings, s3_endpoint):
    url, s3 = s3_endpoint
    settings.STORAGES = settings.STORAGES | {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": url,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "signature_version": "s3v4",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 120,
                "file_overwrite": True,
            },
        }
    }
    settings.ATTACHMENT_S3_REDIRECT = True
    settings.ATTACHMENT_URL_SECONDS = 120
    settings.ATTACHMENT_ACCEL_REDIRECT = "/_lampiran/"  # for the filesystem only: ignored
    assert not is_local(default_storage)
    return s3


def _fetch(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - our own test server
            return answer.status, answer.read(), answer.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def test_an_upload_is_a_private_object_that_staff_fetch_through_a_presigned_redirect(world, on_s3):
    report = world.report_in("submitted")
    a.dispose_report(report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin)
    upload = png_upload("hasil.png")
    a.post_follow_up(report, "Sudah ditambal.", actor=world.officer, files=[upload])
    photo = Attachment.objects.get()
    # In the bucket under its generated name, private: no anonymous read.
    stored = on_s3.get_object(Bucket=BUCKET, Key=photo.file.name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == photo.sha256
    grants = on_s3.get_object_acl(Bucket=BUCKET, Key=photo.file.name)["Grants"]
    assert all("AllUsers" not in str(grant["Grantee"]) for grant in grants)
    unsigned = f"{on_s3.meta.endpoint_url}/{BUCKET}/{photo.file.name}"
    assert _fetch(unsigned)[0] == 403

    staff = Client()
    staff.force_login(world.officer)
    response = staff.get(reverse("workspace:attachment", args=[report.tracking_number, photo.uuid]))

    assert response.status_code == 302
    assert "X-Accel-Redirect" not in response
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    location = response["Location"]
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["120"]
    status, body, headers = _fetch(location)
    assert status == 200 and body == stored
    assert headers["Content-Type"] == "image/png"
    assert headers["Content-Disposition"] == f'inline; filename="{photo.name}"'
    # An internal file is refused on the portal before any URL is made.
    a.add_internal_note(report, "Foto internal.", actor=world.officer, files=[png_upload()])
    internal = Attachment.objects.exclude(pk=photo.pk).get()
    outsider = Client()
    outsider.force_login(world.outsider)
    refused = outsider.get(reverse("portal:attachment", args=[internal.uuid]))
    assert refused.status_code == 404 and "Location" not in refused


def test_a_missing_object_is_not_found_and_streaming_works_without_redirects(
    world, on_s3, settings
):
    report = world.report_in("submitted")
    a.dispose_report(report, world.pemkab, unit=world.dinas_pu, actor=world.national_admin)
    a.post_follow_up(report, "Sudah.", actor=world.officer, files=[png_upload("a.png")])
    photo = Attachment.objects.get()
    staff = Client()
    staff.force_login(world.officer)
    url = reverse("workspace:attachment", args=[report.tracking_number, photo.uuid])

    settings.ATTACHMENT_S3_REDIRECT = False
    streamed = staff.get(url)
    assert streamed.status_code == 200
    assert b"".join(streamed.streaming_content) == photo.file.open("rb").read()

    on_s3.delete_object(Bucket=BUCKET, Key=photo.file.name)
    assert staff.get(url).status_code == 404
    settings.ATTACHMENT_S3_REDIRECT = True
    assert staff.get(url).status_code == 404


def test_a_peer_node_reads_a_blob_from_object_storage(world, on_s3, monkeypatch, tmp_path):
    from aduan.federation.tests.helpers import make_peer

    world.pemkab.node = "KTM"
    world.pemkab.save()
    peer = make_peer("KTM", tmp_path)
    report = world.submit(files=[png_upload("lubang.png")])
    a.dispose_report(report, world.pemkab, actor=world.national_admin)
    original = Attachment.objects.get(report=report)
    monkeypatch.setattr(signing, "verify_request", lambda request: peer)

    response = Client().get(reverse("federation:blob", args=[original.sha256]))

    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == original.sha256


def test_the_open_data_is_published_to_object_storage_for_every_web_host(world, on_s3):
    world.report_in("dispositioned")

    result = opendata.build()

    keys = {
        item["Key"] for item in on_s3.list_objects_v2(Bucket=BUCKET, Prefix="opendata/")["Contents"]
    }
    assert {"opendata/laporan.csv", "opendata/laporan.json", "opendata/meta.json"} <= keys
    meta = opendata.metadata()
    assert meta["baris"] == result.rows
    response = Client().get(reverse("stats:open-data-csv"))
    assert response.status_code == 302
    status, body, headers = _fetch(response["Location"])
    assert status == 200
    assert hashlib.sha256(body).hexdigest() == meta["berkas"]["laporan.csv"]["sha256"]
    assert headers["Content-Disposition"] == 'attachment; filename="laporan.csv"'


def test_the_deploy_check_asks_for_a_shared_cache(settings):
    from aduan.core import checks

    settings.CACHES = settings.CACHES | {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    assert [w.id for w in checks.shared_cache(None)] == ["aduan.W001"]
    settings.CACHES = settings.CACHES | {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "aduan_cache",
        }
    }
    assert checks.shared_cache(None) == []
