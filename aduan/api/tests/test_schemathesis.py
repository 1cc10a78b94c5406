"""Property-based conformance: schemathesis generates requests from the live OpenAPI schema
(valid and invalid ones) and checks that no answer is a server error and every answer
matches the documented status codes, content types and schemas."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings

from aduan.api.keys import issue_key
from aduan.reports import actions as a
from aduan.wsgi import application

from .conftest import service_account

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.negative_data_rejection,
    schemathesis.checks.missing_required_header,
]


@pytest.fixture
def wsgi_app():
    # As Django's test client does: a request must not close the test's own connection
    # (the test runs inside a transaction that is rolled back at the end).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app, world, settings):
    settings.API_ANONYMOUS_RATE_PER_MINUTE = 1_000_000
    report = world.report_in("in_progress")
    a.add_internal_note(report, "Catatan.", actor=world.officer)
    world.report_in("closed", is_confidential=True)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)


@pytest.fixture
def agency_key(world):
    user = service_account("layanan_uji", "agency_admin", world.pemkab)
    return issue_key(
        "Uji skema", user=user, agency=world.pemkab, rate_limit_per_minute=1_000_000
    ).secret


# Operations whose only input is a free-form path segment (or none): every request to
# them is valid, so no invalid one can be generated.
NOTHING_TO_NEGATE = {
    "GET /api/v1/categories",
    "GET /api/v1/reports/{key}",
    "GET /api/v1/reports/{key}/timeline",
    "POST /api/v1/reports/{key}/acknowledge",
    "GET /api/v1/regions/{code}",
}


def operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode), ids=lambda m: m.value)
def test_the_api_answers_as_its_schema_says(api_schema, agency_key, mode):
    # schemathesis' own pytest integration does not run on pytest 9 yet, so the cases are
    # drawn here: every operation, valid (positive) and invalid (negative) requests.
    tested = []
    for operation in operations(api_schema):
        if mode == schemathesis.GenerationMode.NEGATIVE and operation.label in NOTHING_TO_NEGATE:
            continue

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=25,
            deadline=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case):
            case.call_and_validate(headers={"X-API-Key": agency_key}, checks=CHECKS)

        check()
        tested.append(operation.label)
    negative = mode == schemathesis.GenerationMode.NEGATIVE
    assert len(tested) == 17 - (len(NOTHING_TO_NEGATE) if negative else 0), tested
