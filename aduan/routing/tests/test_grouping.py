"""Duplicate clusters and campaigns (docs/ROUTING.md, Duplicate clusters and campaigns):
what the worker suggests and flags, and what staff decide. Every date is explicit."""

import pytest
import time_machine

from aduan.notifications.models import Notification
from aduan.notifications.service import render
from aduan.reports import actions as a
from aduan.reports.errors import DomainError, InvalidInput, NotAllowed
from aduan.reports.events import verify_report_chain
from aduan.reports.models import EventType, Report, Status
from aduan.routing import clusters, grouping
from aduan.routing.models import (
    Campaign,
    CampaignMember,
    ClusterMembership,
    DuplicateSuggestion,
    SuggestionState,
    TextBand,
)
from conftest import aware

POTHOLE = (
    "Jalan poros Sangatta–Bengalon berlubang",
    "Lubang besar di KM 12 sudah tiga bulan dan membahayakan pengendara motor.",
)
POTHOLE_AGAIN = (
    "Jalan berlubang di poros Bengalon",
    "Jalan rusak dan berlubang dekat KM 12, banyak motor jatuh, mohon segera diperbaiki.",
)
RUBBISH = (
    "Sampah menumpuk di pasar",
    "Sampah tidak diangkut sudah seminggu dan bau menyengat ke rumah warga.",
)
CAMPAIGN = (
    "Tolak pembangunan pabrik semen di Sangkulirang",
    "Kami warga menolak rencana pembangunan pabrik semen karena merusak sumber air "
    "dan kebun warga. Mohon izin pabrik dibatalkan.",
)
VILLAGE = "64.08.04.1001"


def guest(n, text, when, **data):
    """A guest's report with its own contact (a distinct sender per `n`)."""
    title, body = text
    payload = {
        "report_type": "complaint",
        "title": title,
        "body": body,
        "region": VILLAGE,
        "category": "jalan-rusak",
    } | data
    with time_machine.travel(when, tick=False):
        return a.submit_report(
            payload,
            actor=None,
            reporter=a.ReporterDetails(name=f"Warga {n}", email=f"warga{n}@example.com"),
        ).report


def detect(when):
    with time_machine.travel(when, tick=False):
        while grouping.run():
            pass


def suggestions_for(report):
    return list(DuplicateSuggestion.objects.filter(report=report))


# ----------------------------------------------------------------------- cluster detection


def test_similar_text_in_the_same_village_days_apart_is_suggested_with_its_reason(world):
    first = guest(1, POTHOLE, aware(2026, 3, 2))
    second = guest(2, POTHOLE_AGAIN, aware(2026, 3, 4))
    detect(aware(2026, 3, 4, 12))
    [found] = suggestions_for(second)
    assert found.candidate == first
    assert found.state == SuggestionState.PENDING
    assert found.reason.startswith("teks mirip ")
    assert found.reason.endswith("kategori sama, desa sama, 2 hari selisih")
    assert found.reason_en.endswith("same category, same village, 2 days apart")
    assert found.text_similarity >= 30
    # The earlier report gets no suggestion of its own: one pair, one suggestion.
    assert suggestions_for(first) == []


def test_no_suggestion_in_another_district_too_late_or_for_an_unrelated_text(world):
    guest(1, POTHOLE, aware(2026, 3, 2))
    other_district = guest(2, POTHOLE_AGAIN, aware(2026, 3, 3), region="64.08.05")
    unrelated = guest(3, RUBBISH, aware(2026, 3, 3))
    too_late = guest(4, POTHOLE_AGAIN, aware(2026, 3, 20))  # 18 days after the first
    detect(aware(2026, 3, 20, 12))
    assert suggestions_for(other_district) == []
    assert suggestions_for(unrelated) == []
    assert [s.candidate_id for s in suggestions_for(too_late)] == []


def test_points_count_within_the_radius_only(world):
    first = guest(1, POTHOLE, aware(2026, 3, 2), latitude="0.5000", longitude="117.5500")
    near = guest(2, POTHOLE_AGAIN, aware(2026, 3, 2, 15), latitude="0.5040", longitude="117.5500")
    far = guest(3, POTHOLE_AGAIN, aware(2026, 3, 2, 16), latitude="0.5400", longitude="117.5500")
    detect(aware(2026, 3, 3))
    [found] = suggestions_for(near)
    assert found.candidate == first
    assert "berjarak 440 m" in found.reason and "hari yang sama" in found.reason
    assert first.pk not in [s.candidate_id for s in suggestions_for(far)]


def test_very_similar_text_is_suggested_across_categories(world):
    first = guest(1, POTHOLE, aware(2026, 3, 2), category="limbah")
    second = guest(2, POTHOLE_AGAIN, aware(2026, 3, 3))
    detect(aware(2026, 3, 3, 12))
    [found] = suggestions_for(second)
    assert found.candidate == first
    assert "kategori sama" not in found.reason


def test_the_worker_examines_each_report_once_and_is_not_stopped_by_one(world, monkeypatch):
    first = guest(1, POTHOLE, aware(2026, 3, 2))
    second = guest(2, POTHOLE_AGAIN, aware(2026, 3, 3))
    real = grouping.examine

    def failing_on_the_first(report, now=None):
        if report.pk == first.pk:
            raise ValueError("cannot read this one")
        return real(report, now)

    monkeypatch.setattr(grouping, "examine", failing_on_the_first)
    detect(aware(2026, 3, 3, 12))
    monkeypatch.setattr(grouping, "examine", real)
    detect(aware(2026, 3, 3, 13))
    assert len(suggestions_for(second)) == 1


# ----------------------------------------------------------------------- campaign detection


def test_near_identical_texts_from_five_senders_within_the_window_are_a_campaign(world):
    start = aware(2026, 4, 6, 8)
    members = [guest(n, CAMPAIGN, aware(2026, 4, 6, 8 + n)) for n in range(5)]
    # A genuine report in the same village at the same time, with its own words.
    genuine = guest(9, POTHOLE, aware(2026, 4, 6, 10))
    # One more copy, with a word changed, after the campaign was flagged.
    late = guest(
        5,
        (CAMPAIGN[0], CAMPAIGN[1].replace("kebun warga", "kebun kami")),
        aware(2026, 4, 7, 9),
    )
    detect(aware(2026, 4, 7, 12))
    [campaign] = Campaign.objects.all()
    in_campaign = set(campaign.members.values_list("report_id", flat=True))
    assert in_campaign == {r.pk for r in members} | {late.pk}
    assert genuine.pk not in in_campaign
    assert campaign.sample == members[0]
    assert campaign.first_at == start
    assert campaign.last_at == aware(2026, 4, 7, 9)
    # Copies of one campaign are not suggested as duplicates of each other.
    assert not DuplicateSuggestion.objects.filter(report__in=members).exists()
    # Nothing hidden: every member is still an ordinary submitted report.
    assert set(Report.objects.filter(pk__in=in_campaign).values_list("status", flat=True)) == {
        Status.SUBMITTED
    }


def test_four_senders_one_sender_five_times_or_a_stretched_window_are_no_campaign(world):
    for n in range(4):
        guest(n, CAMPAIGN, aware(2026, 4, 6, 8 + n))
    for _ in range(3):
        guest(0, CAMPAIGN, aware(2026, 4, 6, 13))  # the same sender again
    detect(aware(2026, 4, 6, 18))
    assert not Campaign.objects.exists()
    # A fifth sender three days later: the others fell out of the 48-hour window.
    guest(7, CAMPAIGN, aware(2026, 4, 9, 9))
    detect(aware(2026, 4, 9, 12))
    assert not Campaign.objects.exists()


def test_five_short_identical_texts_are_five_reports_not_a_campaign(world):
    for n in range(5):
        guest(n, ("Lampu jalan mati", "Lampu jalan mati sejak kemarin."), aware(2026, 4, 6, 8 + n))
    detect(aware(2026, 4, 6, 15))
    assert not Campaign.objects.exists()


def test_band_keys_are_forgotten_after_two_campaign_windows(world):
    guest(1, CAMPAIGN, aware(2026, 4, 6, 8))
    detect(aware(2026, 4, 6, 12))
    assert TextBand.objects.count() > 0
    detect(aware(2026, 4, 11, 12))  # 124 hours later: it can join no campaign now
    assert TextBand.objects.count() == 0


def test_a_detached_member_stays_out(world):
    members = [guest(n, CAMPAIGN, aware(2026, 4, 6, 8 + n)) for n in range(5)]
    detect(aware(2026, 4, 6, 14))
    campaign = Campaign.objects.get()
    with time_machine.travel(aware(2026, 4, 6, 15), tick=False):
        clusters.detach_member(campaign, members[4], actor=world.national_admin)
    members[4].refresh_from_db()
    member = CampaignMember.objects.get(report=members[4])
    assert member.detached_at == aware(2026, 4, 6, 15)
    event = members[4].events.order_by("-seq").first()
    assert event.type == EventType.CAMPAIGN_DETACHED
    assert event.visibility == "internal"
    assert verify_report_chain(members[4]) == []
    with pytest.raises(DomainError) as again:
        clusters.detach_member(campaign, members[4], actor=world.national_admin)
    assert again.value.status_code == 409
    # A later copy joins the campaign; the detached report does not come back.
    guest(6, CAMPAIGN, aware(2026, 4, 6, 16))
    detect(aware(2026, 4, 6, 17))
    assert clusters.open_members(campaign).count() == 5
    assert CampaignMember.objects.get(report=members[4]).detached_at is not None


# --------------------------------------------------------------------- link, merge, split


def test_confirming_a_suggestion_links_both_reports_with_an_event_each(world):
    first = guest(1, POTHOLE, aware(2026, 3, 2))
    second = guest(2, POTHOLE_AGAIN, aware(2026, 3, 4))
    third = guest(3, POTHOLE, aware(2026, 3, 5))
    detect(aware(2026, 3, 5, 12))
    suggestion = DuplicateSuggestion.objects.get(report=second)
    with time_machine.travel(aware(2026, 3, 5, 13), tick=False):
        cluster = clusters.link_reports(
            second, first, actor=world.national_admin, suggestion=suggestion
        )
        clusters.link_reports(third, first, actor=world.national_admin)
    for report in (first, second, third):
        report.refresh_from_db()
        assert report.status == Status.SUBMITTED  # each keeps its own lifecycle
        assert report.cluster_membership.cluster == cluster
        event = report.events.order_by("-seq").first()
        assert event.type == EventType.CLUSTER_LINKED
        assert event.visibility == "internal"
        assert verify_report_chain(report) == []
    assert second.events.order_by("-seq").first().payload["reason"] == suggestion.reason
    suggestion.refresh_from_db()
    assert suggestion.state == SuggestionState.LINKED


def test_linking_refuses_itself_and_two_different_clusters(world):
    r1, r2, r3, r4 = (guest(n, POTHOLE, aware(2026, 3, 2, 8 + n)) for n in range(4))
    with pytest.raises(InvalidInput) as itself:
        clusters.link_reports(r1, r1, actor=world.national_admin)
    assert "dirinya sendiri" in str(itself.value)
    clusters.link_reports(r1, r2, actor=world.national_admin)
    clusters.link_reports(r3, r4, actor=world.national_admin)
    with pytest.raises(DomainError) as different:
        clusters.link_reports(r1, r3, actor=world.national_admin)
    assert different.value.status_code == 409
    assert "klaster yang berbeda" in str(different.value)
    with pytest.raises(DomainError) as same:
        clusters.link_reports(r1, r2, actor=world.national_admin)
    assert "klaster yang sama" in str(same.value)


def test_merging_archives_the_duplicate_tells_its_reporter_and_joins_the_cluster(world):
    primary = guest(1, POTHOLE, aware(2026, 3, 2))
    copy = guest(2, POTHOLE_AGAIN, aware(2026, 3, 3))
    notified = Notification.objects.filter(report=copy, audience="reporter").count()
    with time_machine.travel(aware(2026, 3, 3, 12), tick=False):
        merged = clusters.merge_report(copy, primary, actor=world.national_admin)
    copy.refresh_from_db()
    assert merged.pk == copy.pk
    assert copy.status == Status.ARCHIVED
    assert copy.archive_reason == "duplicate"
    assert copy.duplicate_of == primary
    assert copy.cluster_membership.cluster == primary.cluster_membership.cluster
    told = Notification.objects.filter(report=copy, audience="reporter").order_by("-pk")
    assert told.count() > notified
    _subject, body = render(told.filter(channel="email").first())
    assert f"digabungkan dengan laporan {primary.tracking_number}" in body
    assert verify_report_chain(copy) == []


def test_a_disposed_report_is_not_merged_but_can_be_linked(world):
    primary = guest(1, POTHOLE, aware(2026, 3, 2))
    with time_machine.travel(aware(2026, 3, 3), tick=False):
        disposed = world.report_in("dispositioned")
        with pytest.raises(DomainError) as refused:
            clusters.merge_report(disposed, primary, actor=world.national_admin)
        assert refused.value.status_code == 409
        assert "hubungkan saja ke klaster" in str(refused.value)
        disposed.refresh_from_db()
        assert disposed.status == Status.DISPOSITIONED
        clusters.link_reports(disposed, primary, actor=world.national_admin)


def test_undoing_a_merge_returns_the_report_to_verification(world):
    primary = guest(1, POTHOLE, aware(2026, 3, 2))
    copy = guest(2, POTHOLE_AGAIN, aware(2026, 3, 3))
    with time_machine.travel(aware(2026, 3, 3, 12), tick=False):
        clusters.merge_report(copy, primary, actor=world.national_admin)
    with time_machine.travel(aware(2026, 3, 4, 9), tick=False):  # a Wednesday
        clusters.unmerge_report(copy, actor=world.national_admin)
    copy.refresh_from_db()
    assert copy.status == Status.SUBMITTED
    assert copy.duplicate_of is None and copy.archive_reason == ""
    assert copy.verify_due_at is not None and copy.verify_due_at > aware(2026, 3, 6)
    event = copy.events.order_by("-seq").first()
    assert (event.type, event.from_status, event.to_status) == (
        EventType.UNMERGED,
        "archived",
        "submitted",
    )
    assert event.payload["duplicate_of"] == primary.tracking_number
    assert verify_report_chain(copy) == []
    # It stays linked to the cluster until staff split it out.
    clusters.split_report(copy, actor=world.national_admin)
    assert not ClusterMembership.objects.filter(report=copy).exists()
    copy.refresh_from_db()
    assert copy.events.order_by("-seq").first().type == EventType.CLUSTER_UNLINKED
    assert verify_report_chain(copy) == []
    with pytest.raises(DomainError) as not_merged:
        clusters.unmerge_report(copy, actor=world.national_admin)
    assert not_merged.value.status_code == 409
    with pytest.raises(DomainError) as not_in_cluster:
        clusters.split_report(copy, actor=world.national_admin)
    assert "tidak berada di klaster" in str(not_in_cluster.value)


def test_an_agency_admin_groups_only_reports_in_its_scope(world):
    with time_machine.travel(aware(2026, 3, 3), tick=False):
        ours = world.report_in("dispositioned")
        also_ours = world.report_in("in_progress")
        elsewhere = world.report_in("submitted")  # not disposed: not the agency's
        clusters.link_reports(ours, also_ours, actor=world.agency_admin)
        with pytest.raises(NotAllowed):
            clusters.link_reports(ours, elsewhere, actor=world.agency_admin)
        with pytest.raises(NotAllowed):
            clusters.merge_report(elsewhere, ours, actor=world.agency_admin)
        for outsider in (world.other_admin, world.officer, world.supervisor):
            with pytest.raises(NotAllowed):
                clusters.split_report(ours, actor=outsider)
    assert not ClusterMembership.objects.filter(report=elsewhere).exists()
    assert Report.objects.get(pk=elsewhere.pk).status == Status.SUBMITTED


def test_grouping_a_report_owned_by_another_node_is_refused_clearly(world):
    first = guest(1, POTHOLE, aware(2026, 3, 2))
    foreign = guest(2, POTHOLE_AGAIN, aware(2026, 3, 3))
    Report.objects.filter(pk=foreign.pk).update(owner_node="KTM")
    foreign.refresh_from_db()
    events = foreign.events.count()
    with pytest.raises(DomainError) as refused:
        clusters.link_reports(foreign, first, actor=world.national_admin)
    assert refused.value.status_code == 409
    assert "simpul KTM" in str(refused.value)
    assert foreign.events.count() == events
    assert not ClusterMembership.objects.exists()


# ---------------------------------------------------------------------------- answer once


def test_answering_a_campaign_posts_one_follow_up_per_report_and_tells_each_reporter(world):
    members = [guest(n, CAMPAIGN, aware(2026, 4, 6, 8 + n)) for n in range(6)]
    detect(aware(2026, 4, 6, 15))
    campaign = Campaign.objects.get()
    with time_machine.travel(aware(2026, 4, 7, 9), tick=False):
        for report in members[:5]:
            a.dispose_report(report, world.pemkab, actor=world.national_admin)
        # One copy went to another regency: the Kutai Timur admin neither sees nor
        # answers it.
        a.dispose_report(members[5], world.pemkab_paser, actor=world.national_admin)
        # One was already answered on its own.
        a.post_follow_up(members[4], "Sudah dijawab.", actor=world.agency_admin)
        before = {
            r.pk: Notification.objects.filter(report=r, audience="reporter").count()
            for r in members
        }
        result = clusters.answer_campaign(
            campaign,
            "Rencana pabrik masih dikaji; izin belum diterbitkan.",
            actor=world.agency_admin,
        )
    assert [r.pk for r in result.answered] == [r.pk for r in members[:4]]
    assert [r.pk for r, _ in result.skipped] == [members[4].pk]
    for report in members[:4]:
        report.refresh_from_db()
        assert report.status == Status.RESPONDED
        event = report.events.order_by("-seq").first()
        assert event.type == EventType.FOLLOW_UP
        assert event.payload["text"].startswith("Rencana pabrik")
        assert (
            Notification.objects.filter(report=report, audience="reporter").count()
            > before[report.pk]
        )
    members[5].refresh_from_db()
    assert members[5].status == Status.DISPOSITIONED
    campaign.refresh_from_db()
    assert campaign.answered_at == aware(2026, 4, 7, 9)


def test_an_empty_answer_or_nothing_to_answer_is_refused_and_writes_nothing(world):
    for n in range(5):
        guest(n, CAMPAIGN, aware(2026, 4, 6, 8 + n))
    detect(aware(2026, 4, 6, 15))
    campaign = Campaign.objects.get()
    with pytest.raises(InvalidInput):
        clusters.answer_campaign(campaign, "   ", actor=world.national_admin)
    # Still awaiting verification: the national admins verify and dispose, handlers answer.
    with pytest.raises(DomainError) as nothing:
        clusters.answer_campaign(campaign, "Terima kasih.", actor=world.national_admin)
    assert nothing.value.status_code == 409
    campaign.refresh_from_db()
    assert campaign.answered_at is None
    assert not Report.objects.filter(status=Status.RESPONDED).exists()
