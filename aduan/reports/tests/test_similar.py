"""Possible duplicates (aduan/reports/similar.py): one rule for the staff's hints and for
what citizens see before they submit."""

import datetime as dt

import time_machine
from django.utils import timezone

from aduan.reports import actions as a
from aduan.reports import similar
from aduan.reports.access import visible_reports
from aduan.reports.models import Report


def staff_hints(world, report) -> list[str]:
    found = similar.find_similar(
        visible_reports(world.national_admin), similar.place_of(report), exclude=report
    )
    return [r.tracking_number for r in found]


def citizen_sees(**place) -> list[str]:
    values = {
        "category": "jalan-rusak",
        "region_code": "64.08.04",
        "latitude": "",
        "longitude": "",
        "at": timezone.now(),
    } | place
    found = similar.similar_for_citizen(similar.place_from_input(**values))
    return [r.tracking_number for r in found]


# ------------------------------------------------------------------------------ staff hints


def test_a_report_without_a_point_matches_by_region_and_category(world):
    with_point = world.submit(latitude="0.5000", longitude="117.5500")
    without_point = world.submit()
    other_region = world.submit(region="64.08.05")
    report = world.submit()
    hints = staff_hints(world, report)
    assert set(hints) == {with_point.tracking_number, without_point.tracking_number}
    assert other_region.tracking_number not in hints


def test_a_report_with_a_point_matches_reports_without_one_in_its_region(world):
    without_point = world.submit()
    near = world.submit(latitude="0.5030", longitude="117.5510")
    far_same_region = world.submit(latitude="0.5600", longitude="117.5500")  # ~6.6 km
    report = world.submit(latitude="0.5000", longitude="117.5500")
    hints = staff_hints(world, report)
    assert set(hints) == {without_point.tracking_number, near.tracking_number}
    assert far_same_region.tracking_number not in hints


def test_a_point_without_a_region_still_uses_the_region_suggested_from_it(world):
    from aduan.regions.models import GeoPlace, GeoPlaceSource

    GeoPlace.objects.create(
        name="Sangatta",
        latitude=0.5,
        longitude=117.55,
        regency=world.kutim,
        district=world.sangatta_utara,
        source=GeoPlaceSource.GEONAMES,
    )
    without_point = world.submit(region="64.08.04")
    report = world.submit(region="", latitude="0.501", longitude="117.551")
    assert report.suggested_region_id == "64.08.04"
    assert staff_hints(world, report) == [without_point.tracking_number]


def test_no_suggestion_without_a_shared_category(world):
    world.submit()  # same place, with a category
    world.submit(category="")  # same place, no category either
    uncategorised = world.submit(category="")
    assert staff_hints(world, uncategorised) == []
    other_topic = world.submit(category="limbah")
    assert staff_hints(world, other_topic) == []


def test_withdrawn_reports_duplicates_and_old_reports_are_not_suggested(world):
    with time_machine.travel(timezone.now() - dt.timedelta(days=120)):
        world.submit(title="Lama")
    original = world.submit(title="Asli")
    a.archive_report(
        world.submit(title="Salinan"),
        "duplicate",
        duplicate_of=original,
        actor=world.national_admin,
    )
    world.report_in("withdrawn")
    report = world.submit()
    assert staff_hints(world, report) == [original.tracking_number]


def test_the_hints_are_the_newest_few_in_a_bounded_number_of_queries(
    world, django_assert_max_num_queries
):
    for i in range(8):
        world.submit(title=f"Laporan {i}", latitude="0.5000", longitude="117.5500")
        world.submit(title=f"Tanpa titik {i}")
    report = world.submit(latitude="0.5001", longitude="117.5501")
    with django_assert_max_num_queries(2):
        found = similar.find_similar(Report.objects.all(), similar.place_of(report), exclude=report)
    assert len(found) == similar.LIMIT
    assert [r.submitted_at for r in found] == sorted((r.submitted_at for r in found), reverse=True)


# ------------------------------------------------------------------------------ citizens


def test_citizens_see_only_published_reports_still_being_handled(world):
    published = world.report_in("in_progress")
    world.submit()  # awaiting verification: not public
    world.report_in("on_hold")  # held before disposition: never public
    world.report_in("in_progress", is_confidential=True)
    world.report_in("closed")  # a solved problem is filed again, not supported
    world.report_in("archived")
    assert citizen_sees() == [published.tracking_number]


def test_citizens_match_by_point_or_region_like_staff(world):
    near = world.report_in("dispositioned", latitude="0.5000", longitude="117.5500")
    world.report_in("dispositioned", latitude="0.5400", longitude="117.5500")  # ~4.4 km
    without_point = world.report_in("dispositioned")
    assert set(citizen_sees(latitude="0.5010", longitude="117.5505")) == {
        near.tracking_number,
        without_point.tracking_number,
    }
    assert citizen_sees(category="limbah") == []
    assert citizen_sees(category="") == []


def test_an_anonymous_report_is_matched_only_by_its_public_place(world):
    anonymous = world.report_in(
        "in_progress", is_anonymous=True, latitude="0.5000", longitude="117.5500"
    )
    # Its point and its district are not public: neither may find it.
    assert citizen_sees(latitude="0.5000", longitude="117.5500") == []
    assert citizen_sees(region_code="64.08.04") == []
    # Its public place is the regency.
    assert citizen_sees(region_code="64.08") == [anonymous.tracking_number]
    assert citizen_sees(region_code="64.01") == []


def test_wrong_coordinates_from_the_form_count_as_none(world):
    without_point = world.report_in("dispositioned")
    place = similar.place_from_input(
        category="jalan-rusak",
        region_code="64.08.04",
        latitude="abc",
        longitude="117.55",
        at=timezone.now(),
    )
    assert not place.has_point
    assert [r.tracking_number for r in similar.similar_for_citizen(place)] == [
        without_point.tracking_number
    ]
