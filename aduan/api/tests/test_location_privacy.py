"""Where the API places an anonymous report: its regency/city for the public and for
integrators outside it; the exact place for integrators whose agency works on it (as the
agency's staff see it) and for its reporter. Never the reporter's identity."""

import pytest

from aduan.reports import actions as a

LATITUDE, LONGITUDE = 0.517391, 117.538264
ADDRESS = "Jl. Mawar No. 7 RT 03"
IDENTITY = ("Siti", "081234567890", "siti@example.com", "6408041234567890")


@pytest.fixture
def anonymous_report(world):
    return world.report_in(
        "in_progress",
        is_anonymous=True,
        region="64.08.04.1001",
        latitude=str(LATITUDE),
        longitude=str(LONGITUDE),
        address=ADDRESS,
    )


def place(data: dict) -> tuple:
    region = data["region"]["code"] if data["region"] else None
    return region, data["latitude"], data["longitude"], data["address"]


EXACT = ("64.08.04.1001", LATITUDE, LONGITUDE, ADDRESS)
BLURRED = ("64.08", None, None, "")


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("anonymous", BLURRED),
        ("integrator", BLURRED),
        ("paser_key", BLURRED),
        ("kutim_key", EXACT),
        ("dinas_pu_key", EXACT),
    ],
)
def test_each_caller_reads_the_place_its_role_may_know(
    request, world, anonymous_report, caller, expected
):
    client = request.getfixturevalue(caller)

    one = client.get(f"/api/v1/reports/{anonymous_report.tracking_number}")
    listed = client.get("/api/v1/reports")

    assert one.status_code == listed.status_code == 200
    assert place(one.json()) == expected
    (row,) = [r for r in listed.json()["results"] if r["uuid"] == str(anonymous_report.uuid)]
    assert place(row) == expected
    for text in (one.content.decode(), listed.content.decode()):
        assert [secret for secret in IDENTITY if secret in text] == []


def test_the_reporter_reads_the_exact_place_with_the_tracking_secret(anonymous, world):
    result = a.submit_report(
        {
            "title": "Limbah cair dialirkan ke sungai",
            "body": "Setiap malam limbah pabrik dibuang ke sungai di belakang rumah.",
            "region": "64.08.04.1001",
            "latitude": str(LATITUDE),
            "longitude": str(LONGITUDE),
            "address": ADDRESS,
            "is_anonymous": True,
        },
        actor=None,
        reporter=a.ReporterDetails(name="Tamu", email="tamu@example.com"),
    )
    a.dispose_report(result.report, world.pemkab, actor=world.national_admin)
    path = f"/api/v1/reports/{result.report.tracking_number}"

    own = anonymous.get(path, headers={"X-Tracking-Secret": result.secret})
    public = anonymous.get(path)

    assert place(own.json()) == EXACT
    assert place(public.json()) == BLURRED


def test_an_integrator_that_submits_gets_back_what_it_sent(integrator, world):
    response = integrator.post(
        "/api/v1/reports",
        {
            "title": "Limbah cair dialirkan ke sungai",
            "body": "Setiap malam limbah pabrik dibuang ke sungai di belakang rumah.",
            "region": "64.08.04.1001",
            "latitude": LATITUDE,
            "longitude": LONGITUDE,
            "address": ADDRESS,
            "is_anonymous": True,
            "reporter_name": "Dewi",
            "reporter_email": "dewi@example.com",
        },
    )

    assert response.status_code == 201, response.content
    assert place(response.json()) == EXACT
    assert "Dewi" not in response.content.decode()


def test_a_scoped_key_finds_its_anonymous_report_by_village_and_the_public_does_not(
    anonymous, kutim_key, anonymous_report
):
    def found(client) -> list[str]:
        response = client.get("/api/v1/reports", {"region": "64.08.04.1001"})
        assert response.status_code == 200
        return [r["tracking_number"] for r in response.json()["results"]]

    assert found(kutim_key) == [anonymous_report.tracking_number]
    assert found(anonymous) == []
