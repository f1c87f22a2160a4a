"""Our OpenAPI document: valid OpenAPI 3.1, and the API answers as it says (schemathesis).

Schemathesis loads the document the API serves, through Django's WSGI application (no server,
no network), and generates requests for each operation from it; each response must not be a
server error and must match the document's status codes, content types and schemas. The
number of examples is bounded so the file runs in well under a minute.

Schemathesis's own pytest integration (``from_fixture`` + ``parametrize``) needs a private
attribute pytest 9 no longer has, so each operation is a plain test that runs Hypothesis on the
operation's strategy.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from organisations.factories import category
from organisations.hsds.serialise import TAXONOMY_ID, service_at_location_id, term_id

from .conftest import API

pytestmark = pytest.mark.django_db

OPERATIONS = [
    "/",
    "/services",
    "/services/{id}",
    "/organizations",
    "/organizations/{id}",
    "/service_at_locations",
    "/service_at_locations/{id}",
    "/taxonomies",
    "/taxonomies/{id}",
    "/taxonomy_terms",
    "/taxonomy_terms/{id}",
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 10}


@pytest.fixture
def wsgi_application():
    """Django's WSGI application, minus the closing of the database connection at the end of
    each request: the test's transaction lives on that connection (Django's test client does
    the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def hsds_schema(full_record, wsgi_application):
    return schemathesis.openapi.from_wsgi(f"{API}/openapi.json", wsgi_application)


@pytest.fixture
def known_ids(full_record) -> dict[str, str]:
    """An id of a public record for each detail endpoint: generated ids are (almost) never one,
    so without these only the 404s would be checked."""
    return {
        "/services/{id}": str(full_record.food.uuid),
        "/organizations/{id}": str(full_record.organisation.uuid),
        "/service_at_locations/{id}": service_at_location_id(full_record.food, full_record.plateau),
        "/taxonomies/{id}": TAXONOMY_ID,
        "/taxonomy_terms/{id}": term_id(category("popote-roulante")),
    }


def test_the_served_document_is_openapi_3_1_with_every_endpoint(hsds_schema):
    assert hsds_schema.raw_schema["openapi"].startswith("3.1")
    hsds_schema.validate()  # against the OpenAPI 3.1 meta-schema; raises if it does not hold
    assert list(hsds_schema.raw_schema["paths"]) == OPERATIONS
    assert {operation.ok().path for operation in hsds_schema.get_all_operations()} == set(
        OPERATIONS
    )


@pytest.mark.parametrize("mode", list(EXAMPLES), ids=lambda mode: mode.value)
@pytest.mark.parametrize("path", OPERATIONS)
def test_each_operation_answers_as_the_document_says(hsds_schema, known_ids, path, mode):
    operation = hsds_schema[path]["GET"]
    strategy = operation.as_strategy(generation_mode=mode)
    if path in known_ids and mode == GenerationMode.POSITIVE:
        strategy = strategy | operation.as_strategy(path_parameters={"id": known_ids[path]})

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def answers(case):
        case.call_and_validate(checks=CHECKS)

    answers()
