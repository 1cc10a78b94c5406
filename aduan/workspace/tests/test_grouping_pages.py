"""The staff pages of duplicate clusters and campaigns: what each reader sees, and the
status and message of every refusal (docs/ROUTING.md, Duplicate clusters and campaigns)."""

import time_machine

from aduan.reports import actions as a
from aduan.reports.models import Status
from aduan.routing import clusters
from aduan.routing.models import Campaign, ClusterMembership, DuplicateSuggestion
from aduan.routing.tests.test_grouping import CAMPAIGN, POTHOLE, POTHOLE_AGAIN, detect, guest
from conftest import aware

from .helpers import page_text, report_url


def suggested_pair(world):
    first = guest(1, POTHOLE, aware(2026, 3, 2))
    second = guest(2, POTHOLE_AGAIN, aware(2026, 3, 4))
    detect(aware(2026, 3, 4, 12))
    return first, second, DuplicateSuggestion.objects.get(report=second)


def test_the_report_page_explains_a_suggestion_and_confirming_it_links_both(
    world, client, signed_in
):
    first, second, suggestion = suggested_pair(world)
    client = signed_in(world.national_admin)
    page = page_text(client.get(report_url(second)))
    assert suggestion.reason in page
    assert first.tracking_number in page
    response = client.post(
        report_url(second, "klaster/hubungkan/"),
        {"other": first.tracking_number, "suggestion": suggestion.pk},
    )
    assert response.status_code == 302
    cluster = ClusterMembership.objects.get(report=second).cluster
    assert ClusterMembership.objects.get(report=first).cluster == cluster
    page = page_text(client.get(f"/petugas/klaster/{cluster.uuid}/"))
    assert first.tracking_number in page and second.tracking_number in page
    # The other report's page shows the cluster too.
    assert f"/petugas/klaster/{cluster.uuid}/" in page_text(client.get(report_url(first)))


def test_members_outside_the_readers_scope_are_counted_not_shown(world, client, signed_in):
    with time_machine.travel(aware(2026, 3, 3), tick=False):
        ours = world.report_in("dispositioned")
        theirs = a.dispose_report(
            world.submit(title="Jalan longsor di Paser"),
            world.pemkab_paser,
            actor=world.national_admin,
        )
        cluster = clusters.link_reports(ours, theirs, actor=world.national_admin)
    client = signed_in(world.agency_admin)
    response = client.get(f"/petugas/klaster/{cluster.uuid}/")
    page = page_text(response)
    assert response.status_code == 200
    assert ours.tracking_number in page
    assert theirs.tracking_number not in page and "Jalan longsor" not in page
    assert "1 laporan lain di luar wewenang Anda" in page
    # A DLH officer sees neither report: the cluster is not there for them.
    client = signed_in(world.dlh_officer)
    assert client.get(f"/petugas/klaster/{cluster.uuid}/").status_code == 404


def test_refusals_are_404_403_400_or_409_with_a_message_never_500(world, client, signed_in):
    first, second, suggestion = suggested_pair(world)
    # Another regency's admin cannot open either report.
    client = signed_in(world.other_admin)
    response = client.post(
        report_url(second, "klaster/gabungkan/"), {"primary": first.tracking_number}
    )
    assert response.status_code == 404
    assert client.get("/petugas/klaster/00000000-0000-0000-0000-000000000000/").status_code == 404
    client = signed_in(world.national_admin)
    for data, expected in (
        ({}, "Isikan nomor laporan."),
        ({"other": "PST-26-9999999-9"}, "tidak ditemukan"),
        ({"other": "x" * 500}, "tidak ditemukan"),
        ({"other": first.tracking_number, "suggestion": "abc"}, "Saran tidak dikenal."),
        ({"other": second.tracking_number}, "dirinya sendiri"),
    ):
        response = client.post(report_url(second, "klaster/hubungkan/"), data)
        assert response.status_code == 400, data
        assert expected in page_text(response)
    response = client.post(report_url(second, "klaster/keluarkan/"))
    assert response.status_code == 409
    assert "tidak berada di klaster" in page_text(response)
    response = client.post(report_url(second, "klaster/batal-gabung/"))
    assert response.status_code == 409
    assert not ClusterMembership.objects.exists()
    # A unit officer sees clusters but does not change them.
    with time_machine.travel(aware(2026, 3, 5), tick=False):
        ours = world.report_in("in_progress")
        also = world.report_in("in_progress")
    client = signed_in(world.officer)
    response = client.post(report_url(ours, "klaster/hubungkan/"), {"other": also.tracking_number})
    assert response.status_code == 403


def test_merging_from_the_page_and_undoing_it(world, client, signed_in):
    first, second, _ = suggested_pair(world)
    client = signed_in(world.national_admin)
    with time_machine.travel(aware(2026, 3, 4, 13), tick=False):
        response = client.post(
            report_url(second, "klaster/gabungkan/"), {"primary": first.tracking_number}
        )
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.status, second.duplicate_of_id) == (Status.ARCHIVED, first.pk)
    client = signed_in(world.national_admin)
    assert "Batalkan penggabungan" in page_text(client.get(report_url(second)))
    client = signed_in(world.national_admin)
    with time_machine.travel(aware(2026, 3, 4, 14), tick=False):
        response = client.post(report_url(second, "klaster/batal-gabung/"))
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == Status.SUBMITTED


def test_the_campaign_page_answers_once_detaches_and_marks_the_inbox(world, client, signed_in):
    members = [guest(n, CAMPAIGN, aware(2026, 4, 6, 8 + n)) for n in range(5)]
    detect(aware(2026, 4, 6, 15))
    campaign = Campaign.objects.get()
    client = signed_in(world.national_admin)
    inbox = page_text(client.get("/petugas/"))
    assert inbox.count('data-testid="campaign-mark"') == 5
    listing = page_text(client.get("/petugas/kampanye/"))
    assert f"/petugas/kampanye/{campaign.uuid}/" in listing
    page = page_text(client.get(f"/petugas/kampanye/{campaign.uuid}/"))
    assert CAMPAIGN[0] in page
    assert 'data-testid="campaign-count">5<' in page
    # Not yet disposed: nothing the national admin can answer, said clearly.
    response = client.post(f"/petugas/kampanye/{campaign.uuid}/jawab/", {"text": "Terima kasih."})
    assert response.status_code == 409
    assert "setelah disposisi" in page_text(response)
    response = client.post(f"/petugas/kampanye/{campaign.uuid}/jawab/", {"text": "  "})
    assert response.status_code == 400
    with time_machine.travel(aware(2026, 4, 7, 9), tick=False):
        for report in members:
            a.dispose_report(report, world.pemkab, actor=world.national_admin)
        client = signed_in(world.agency_admin)
        response = client.post(
            f"/petugas/kampanye/{campaign.uuid}/lepas/{members[4].tracking_number}/"
        )
        assert response.status_code == 302
        response = client.post(
            f"/petugas/kampanye/{campaign.uuid}/jawab/", {"text": "Izin pabrik sedang dikaji."}
        )
    assert response.status_code == 200
    for report in members[:4]:
        report.refresh_from_db()
        assert report.status == Status.RESPONDED
    members[4].refresh_from_db()
    assert members[4].status == Status.DISPOSITIONED
    # Another regency's admin sees none of it.
    client = signed_in(world.other_admin)
    assert client.get(f"/petugas/kampanye/{campaign.uuid}/").status_code == 404
    assert f"/petugas/kampanye/{campaign.uuid}/" not in page_text(client.get("/petugas/kampanye/"))
    response = client.post(f"/petugas/kampanye/{campaign.uuid}/jawab/", {"text": "Halo"})
    assert response.status_code == 404
