"""API keys: the commands that issue and revoke them, and rate limits."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from aduan.api.keys import authenticate
from aduan.api.models import ApiKey

from .conftest import ApiClient, error_code, service_account


def create_key(*args) -> tuple[str, ApiKey]:
    out = StringIO()
    call_command("create_api_key", *args, stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    return secret, ApiKey.objects.get(prefix=secret.split("_")[1])


def test_create_api_key_prints_the_key_once_and_stores_only_its_hash(world):
    secret, key = create_key("Aplikasi Kutim Mantap")
    assert secret.startswith("aduan_")
    assert secret not in key.key_hash and key.can_submit and key.agency is None
    assert authenticate(secret) == key
    response = ApiClient(secret).get("/api/v1/reports")
    assert response.status_code == 200
    assert response["X-RateLimit-Limit"] == "120"


def test_create_api_key_scoped_to_an_agency_with_a_service_account(world):
    user = service_account("layanan_kutim", "agency_admin", world.pemkab)
    secret, key = create_key(
        "SIMPEL Kutim",
        "--agency",
        str(world.pemkab.uuid),
        "--user",
        user.username,
        "--no-submit",
        "--rate",
        "30",
    )
    assert (key.agency, key.user, key.can_submit, key.rate_limit_per_minute) == (
        world.pemkab,
        user,
        False,
        30,
    )
    _, by_id = create_key("Lagi", "--agency", str(world.pemkab.pk))
    assert by_id.agency == world.pemkab


@pytest.mark.parametrize(
    "args",
    [
        ["X", "--agency", "00000000-0000-0000-0000-000000000000"],
        ["X", "--agency", "bukan"],
        ["X", "--user", "tidak_ada"],
        ["X", "--user", "warga"],  # a citizen cannot be a service account
        ["X", "--user", "admin_paser", "--agency", "1"],  # another agency's admin
        ["X", "--rate", "0"],
        [""],
    ],
)
def test_create_api_key_refuses_bad_options(world, args):
    if "--agency" in args and args[args.index("--agency") + 1] == "1":
        args[args.index("--agency") + 1] = str(world.pemkab.pk)
    with pytest.raises(CommandError):
        call_command("create_api_key", *args, stdout=StringIO())
    assert ApiKey.objects.count() == 0


def test_revoke_api_key_refuses_the_key_from_then_on(world):
    secret, key = create_key("Aplikasi lama")
    client = ApiClient(secret)
    assert client.get("/api/v1/reports").status_code == 200
    out = StringIO()
    call_command("revoke_api_key", key.prefix, stdout=out)
    assert "dicabut" in out.getvalue()
    response = client.get("/api/v1/reports")
    assert response.status_code == 401
    assert error_code(response) == "invalid_api_key"
    with pytest.raises(CommandError):
        call_command("revoke_api_key", "tidakada", stdout=StringIO())


def test_a_key_over_its_rate_limit_gets_429_with_retry_after(world, start_of_a_minute):
    secret, _ = create_key("Cepat", "--rate", "3")
    client = ApiClient(secret)
    remaining = [client.get("/api/v1/categories")["X-RateLimit-Remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    response = client.get("/api/v1/categories")
    assert response.status_code == 429
    assert error_code(response) == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["X-RateLimit-Limit"] == "3"
    # Another key has its own budget.
    other, _ = create_key("Lain")
    assert ApiClient(other).get("/api/v1/categories").status_code == 200


def test_callers_without_a_key_are_limited_per_ip_address(world, settings, start_of_a_minute):
    settings.API_ANONYMOUS_RATE_PER_MINUTE = 2
    client = ApiClient()
    assert [client.get("/api/v1/categories").status_code for _ in range(3)] == [200, 200, 429]
    other_ip = client.client.get("/api/v1/categories", REMOTE_ADDR="10.1.2.3")
    assert other_ip.status_code == 200
    assert other_ip["X-RateLimit-Limit"] == "2"


def test_a_key_whose_service_account_was_deactivated_reads_nothing_more(world, kutim_key):
    """The attack: the key of a deactivated account still read its agency's confidential
    reports and internal notes (it fell back to the agency's scope)."""
    from aduan.reports.models import Report

    report = world.report_in("dispositioned")
    Report.objects.filter(pk=report.pk).update(is_confidential=True)
    timeline = f"/api/v1/reports/{report.tracking_number}/timeline"
    assert (
        kutim_key.post(
            f"/api/v1/reports/{report.tracking_number}/internal-notes", {"text": "Catatan rahasia."}
        ).status_code
        == 200
    )
    assert "Catatan rahasia." in kutim_key.get(timeline).content.decode()

    account = ApiKey.objects.get(user__username="layanan_kutim").user
    account.is_active = False
    account.save()

    for path in (f"/api/v1/reports/{report.tracking_number}", timeline, "/api/v1/reports"):
        response = kutim_key.get(path)
        assert response.status_code == 401
        assert error_code(response) == "invalid_api_key"
        assert "Catatan rahasia." not in response.content.decode()
