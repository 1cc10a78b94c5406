"""The reporter's own page speaks to them ("Anda"), and an information request quotes the
staff's question where the reporter answers it; the public keeps reading "pelapor"."""

import time_machine
from django.urls import reverse
from django.utils import translation

from aduan.portal.display import long_date
from aduan.reports import actions as a
from conftest import aware

QUESTION = 'Mohon kirim foto lubang dari dekat & sebutkan "patokan" terdekat.'


def detail(report) -> str:
    return reverse("portal:report-detail", args=[report.tracking_number])


def test_the_reporter_reads_the_staff_question_where_they_answer_it(client, world):
    report = world.report_in("in_progress")
    a.put_on_hold(report, "Pertanyaan lama yang sudah dijawab.", actor=world.officer)
    a.add_information(report, "Sudah saya jawab.", actor=world.citizen)
    a.put_on_hold(report, QUESTION, actor=world.officer)
    client.force_login(world.citizen)

    html = client.get(detail(report)).content.decode()
    card = html[
        html.index('id="aksi-info"') : html.index("</section>", html.index('id="aksi-info"'))
    ]
    assert "Petugas bertanya kepada Anda:" in card
    # The latest question, escaped once, not the one already answered.
    assert "Mohon kirim foto lubang dari dekat &amp; sebutkan &quot;patokan&quot; terdekat." in card
    assert "Pertanyaan lama" not in card
    assert "Petugas menunggu informasi tambahan dari Anda." in html
    assert "Petugas meminta informasi tambahan dari Anda" in html
    assert "Anda menambahkan informasi" in html
    assert "Pelapor menambahkan informasi" not in html


def test_the_reporter_is_told_what_they_may_do_by_when_and_the_public_reads_pelapor(client, world):
    with time_machine.travel(aware(2026, 3, 5, 10), tick=False):
        report = world.report_in("responded")
    due = long_date(report.reply_due_at, "Asia/Makassar")

    public = client.get(detail(report)).content.decode()
    assert f"Pelapor dapat menanggapi tindak lanjut ini paling lambat {due}" in public
    assert "Anda dapat menanggapi" not in public
    assert "Laporan diterima" in public and "Laporan Anda diterima" not in public

    client.force_login(world.citizen)
    own = client.get(detail(report)).content.decode()
    assert (
        f"Anda dapat menanggapi tindak lanjut ini paling lambat {due}: terima, balas, atau "
        "ajukan banding. Setelah itu laporan ditutup otomatis." in own
    )
    assert "Pelapor dapat menanggapi" not in own
    assert "Laporan Anda diterima" in own


def test_the_reporters_own_steps_are_told_to_them_in_english_too(client, world):
    report = world.report_in("responded")
    a.contest_response(report, "Lubangnya belum ditambal.", actor=world.citizen)
    client.force_login(world.citizen)
    client.cookies["django_language"] = "en"
    # The language middleware leaves the request's language active: put it back after.
    with translation.override("id"):
        html = client.get(detail(report)).content.decode()
    assert "You appealed" in html
