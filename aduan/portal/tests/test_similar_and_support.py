"""Before submitting: similar published reports, and "Saya juga mengalami" instead of a new
report (without JavaScript; the live list is in test_browser_similar.py)."""

import re
from html import unescape

from django.core import mail

from aduan.reports import actions as a
from aduan.reports.models import EventType, Report, ReportSupport
from conftest import run_tasks

from .conftest import png_upload, report_form_data

NEW = "/lapor/"


def text(response) -> str:
    return unescape(response.content.decode())


def verify_contact(client, email="tetangga@example.com", start="/lapor/kontak/"):
    client.post(start, {"name": "", "email": email, "phone": ""})
    run_tasks()
    code = re.search(r"Kode verifikasi Anda: (\d{6})", mail.outbox[-1].body).group(1)
    return client.post("/lapor/kode/", {"code": code})


def support_url(report) -> str:
    return f"/lacak/{report.tracking_number}/dukung/"


def detail(report) -> str:
    return f"/lacak/{report.tracking_number}/"


def published(world, **data):
    return world.report_in("in_progress", title="Jalan berlubang dekat pasar", **data)


# ------------------------------------------------------------------------------ the step


def test_the_form_shows_similar_published_reports_once_before_filing(client, world):
    original = published(world)
    verify_contact(client)
    data = report_form_data(title="Lubang besar di jalan desa")
    response = client.post(NEW, data)

    assert response.status_code == 200
    page = text(response)
    assert "Sudah ada laporan serupa" in page
    assert original.title in page and original.tracking_number in page
    assert f'action="{support_url(original)}"' in page
    assert "Dukung laporan ini" in page and "Tetap kirim laporan baru" in page
    # Nothing was filed; everything typed is carried to the next step.
    assert Report.objects.count() == 1
    for name in ("title", "body", "category", "village", "address", "form_token"):
        assert f'name="{name}" value="{data[name]}"' in page
    seen = re.search(r'name="serupa_dilihat" value="([^"]*)"', page).group(1)
    assert seen == original.tracking_number

    # "Tetap kirim laporan baru": the same data with the numbers already seen.
    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    carried.pop("csrfmiddlewaretoken", None)
    response = client.post(NEW, carried | {"aksi": "kirim"})
    assert response.status_code == 302
    report = Report.objects.exclude(pk=original.pk).get()
    assert report.title == "Lubang besar di jalan desa"
    assert report.region_id == "64.08.04.1001"


def test_the_step_keeps_chosen_files_and_comes_back_for_new_reports(client, world):
    original = published(world)
    client.force_login(world.citizen)
    data = report_form_data() | {"attachments": [png_upload()]}
    page = text(client.post(NEW, data))
    # The photo was checked and kept on the server: it travels through the page.
    kept = re.findall(r'name="kept_upload" value="([^"]+)"', page)
    assert len(kept) == 1 and "Berkas yang tadi dipilih belum terkirim" not in page
    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    carried.pop("csrfmiddlewaretoken", None)
    assert client.post(NEW, carried | {"aksi": "kirim"}).status_code == 302
    filed = Report.objects.exclude(pk=original.pk).get()
    assert filed.attachments.count() == 1
    # A new similar report turns up (say the place changed): shown once more.
    newer = published(world)
    data = report_form_data(token="2", serupa_dilihat=original.tracking_number)
    page = text(client.post(NEW, data))
    assert newer.tracking_number in page
    assert Report.objects.count() == 3


def test_no_step_without_similar_public_reports(client, world):
    world.submit()  # awaiting verification
    world.report_in("in_progress", is_confidential=True)
    world.report_in("in_progress", category="limbah")
    world.report_in("in_progress", region="64.08.05")
    client.force_login(world.citizen)
    response = client.post(NEW, report_form_data())
    assert response.status_code == 302
    assert Report.objects.count() == 5


def test_an_invalid_form_shows_its_errors_not_the_step(client, world):
    published(world)
    client.force_login(world.citizen)
    response = client.post(NEW, report_form_data(title=""))
    assert response.status_code == 400
    assert "Sudah ada laporan serupa" not in text(response)


def test_the_step_shows_only_what_the_public_may_know(client, world):
    anonymous = world.report_in(
        "in_progress",
        title="Sampah di belakang rumah",
        is_anonymous=True,
        address="Gang Mawar No. 7",
        latitude="0.5000",
        longitude="117.5500",
    )
    client.force_login(world.citizen)
    data = report_form_data(district="", village="", latitude="", longitude="")
    page = text(client.post(NEW, data))
    assert anonymous.title in page
    assert "Kabupaten Kutai Timur" in page
    for private in ("Gang Mawar", "Singa Gembara", "Sangatta Utara", "117.55", "Siti"):
        assert private not in page


# ------------------------------------------------------------------------------ support


def test_a_verified_guest_supports_a_report_instead_of_filing(client, world):
    original = published(world)
    verify_contact(client)
    client.post(NEW, report_form_data())
    response = client.post(support_url(original))
    assert response.status_code == 302
    assert response["Location"] == detail(original) + "#dukungan"
    original.refresh_from_db()
    assert original.support_count == 1
    assert Report.objects.count() == 1
    page = text(client.get(detail(original)))
    assert "Dukungan Anda tercatat: 1 orang mengalami masalah ini." in page
    assert "1 orang juga mengalami" in page
    assert "Sejauh ini 1 orang juga mengalami masalah ini." in page
    # The public list shows the count too.
    assert "1 orang juga mengalami" in text(client.get("/laporan/"))


def test_a_second_support_from_the_same_contact_is_refused_and_not_counted(client, world):
    original = published(world)
    verify_contact(client)
    client.post(support_url(original))
    response = client.post(support_url(original))
    assert response.status_code == 409
    assert "Anda sudah mendukung laporan ini" in text(response)
    # The same contact verified again in another browser counts once too.
    other = client.__class__()
    verify_contact(other, "TETANGGA@example.com")
    assert other.post(support_url(original)).status_code == 409
    original.refresh_from_db()
    assert original.support_count == 1


def test_without_a_verified_contact_a_code_comes_first_then_the_support(client, world):
    original = published(world)
    client.force_login(world.outsider)  # an account's contact is not verified
    response = client.post(support_url(original))
    assert response.status_code == 302
    start = f"/lacak/{original.tracking_number}/dukung/kontak/"
    assert response["Location"] == start
    assert original.title in text(client.get(start))
    assert client.post(start, {"email": "", "phone": ""}).status_code == 400

    verified = verify_contact(client, "budi.lain@example.com", start=start)
    assert verified.status_code == 302
    assert verified["Location"] == detail(original) + "#dukungan"
    original.refresh_from_db()
    assert original.support_count == 1
    assert ReportSupport.objects.get().supporter == a.supporter_key(
        original, "budi.lain@example.com"
    )


def test_a_code_asked_for_a_new_report_makes_no_pending_support(client, world):
    original = published(world)
    start = f"/lacak/{original.tracking_number}/dukung/kontak/"
    client.post(start, {"name": "", "email": "ragu@example.com", "phone": ""})
    # The guest changes their mind and verifies a contact to file a report instead.
    verified = verify_contact(client, "ragu@example.com")
    assert verified["Location"] == NEW
    assert not ReportSupport.objects.exists()


def test_the_reporter_cannot_support_their_own_report(client, world):
    mine = published(world)
    client.force_login(world.citizen)
    response = client.post(support_url(mine))
    assert response.status_code == 409
    assert "Ini laporan Anda sendiri" in text(response)
    # A guest whose verified contact filed it: the same.
    guest = a.submit_report(
        {"title": "Lampu mati", "body": "Lampu jalan mati sejak seminggu.", "region": "64.08.04"},
        actor=None,
        reporter=a.ReporterDetails(email="tamu@example.com"),
    ).report
    a.dispose_report(guest, world.pemkab, actor=world.national_admin)
    other = client.__class__()
    verify_contact(other, "tamu@example.com")
    assert other.post(support_url(guest)).status_code == 409
    assert not ReportSupport.objects.exists()


def test_reports_the_public_cannot_read_cannot_be_supported(client, world):
    verify_contact(client)
    for report in (
        world.submit(),
        world.report_in("in_progress", is_confidential=True),
        world.report_in("archived"),
    ):
        assert client.post(support_url(report)).status_code == 404
    assert client.post("/lacak/PST-26-0000000-0/dukung/").status_code == 404
    closed = world.report_in("closed")
    response = client.post(support_url(closed))
    assert response.status_code == 409
    assert not ReportSupport.objects.exists()
    assert client.get(support_url(published(world))).status_code == 405


def test_the_public_page_offers_support_and_counts_merged_duplicates(client, world):
    original = published(world)
    a.archive_report(world.submit(), "duplicate", duplicate_of=original, actor=world.national_admin)
    page = text(client.get(detail(original)))
    assert "Belum ada yang mendukung" in page
    assert "1 laporan lain tentang masalah yang sama digabungkan ke laporan ini" in page
    assert f'action="{support_url(original)}"' in page
    # Its reporter is not offered the button.
    client.force_login(world.citizen)
    assert f'action="{support_url(original)}"' not in text(client.get(detail(original)))
    # Nor is anyone on a closed report.
    closed = world.report_in("closed")
    assert f'action="{support_url(closed)}"' not in text(client.get(detail(closed)))


def test_the_support_event_is_one_line_of_the_public_timeline(client, world):
    original = published(world)
    for contact in ("a@example.com", "b@example.com"):
        a.support_report(original, a.supporter_key(original, contact), actor=None)
    page = text(client.get(detail(original)))
    assert page.count(str(EventType.SUPPORTED.label)) == 1
    assert "Sejauh ini 2 orang juga mengalami masalah ini." in page


# ------------------------------------------------------------------------------ live list


def test_the_live_list_is_a_fragment_of_public_reports(client, world):
    original = published(world)
    world.report_in("in_progress", is_confidential=True, title="Rahasia")
    params = {"category": "jalan-rusak", "province": "64", "regency": "64.08"}
    params |= {"district": "64.08.04", "village": ""}
    response = client.get("/lapor/serupa/", params)
    assert response.status_code == 200
    page = text(response)
    assert original.title in page and "Rahasia" not in page
    assert f'data-similar-numbers="{original.tracking_number}"' in page
    assert f'formaction="{support_url(original)}"' in page
    assert "<html" not in page
    # Without a category, or with nonsense, nothing (and no error).
    assert text(client.get("/lapor/serupa/", params | {"category": ""})).strip() == ""
    nonsense = {"category": "x" * 500, "province": "zz", "latitude": "1e999", "longitude": "-"}
    response = client.get("/lapor/serupa/", nonsense)
    assert response.status_code == 200 and response.content.strip() == b""


def test_the_public_list_costs_the_same_queries_with_supports(
    client, world, django_assert_max_num_queries
):
    for _ in range(3):
        published(world)
    client.get("/laporan/")
    with django_assert_max_num_queries(10) as before:
        client.get("/laporan/")
    for report in Report.objects.all():
        a.support_report(report, a.supporter_key(report, "a@example.com"), actor=None)
    with django_assert_max_num_queries(len(before.captured_queries)):
        page = text(client.get("/laporan/"))
    assert page.count("1 orang juga mengalami") == 3


def test_files_kept_on_the_server_travel_through_the_step_as_hidden_values(rf, world):
    from types import SimpleNamespace

    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    from aduan.portal.forms import ReportForm
    from aduan.portal.views import support

    published(world)
    data = report_form_data(kept_upload="old-uuid")
    request = rf.post(NEW, data)
    request.user, request.session = AnonymousUser(), SessionStore()
    request._messages = FallbackStorage(request)
    form = ReportForm(request.POST)
    assert form.is_valid()
    kept = [SimpleNamespace(uuid="old-uuid", display_name="lubang.jpg")]
    kept.append(SimpleNamespace(uuid="new-uuid", display_name="jalan.png"))
    page = text(
        support.interstitial(request, form, files_chosen=True, kept=kept, kept_field="kept_upload")
    )
    assert page.count('name="kept_upload"') == 2
    assert 'name="kept_upload" value="new-uuid"' in page
    assert "lubang.jpg, jalan.png" in page
    assert 'type="file"' not in page
