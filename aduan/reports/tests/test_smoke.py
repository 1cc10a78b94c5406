from conftest import run_tasks


def test_the_whole_lifecycle_reaches_closed(world):
    report = world.report_in("closed")
    assert report.status == "closed"
    assert report.rating == 5
    assert [e.type for e in report.events.order_by("seq")] == [
        "submitted", "dispositioned", "acknowledged", "follow_up", "accepted", "rated",
    ]
    run_tasks()
