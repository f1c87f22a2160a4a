"""No working update-link token in the logs: Django writes the path of every 4xx and 5xx answer
("Bad Request: /fr/mise-a-jour/<token>/modifier/"); the filter of cms/logging.py, attached by the
real LOGGING settings, masks it in what every handler writes."""

import io
import logging
import re
from contextlib import contextmanager

import pytest
from django.core import mail

from cms.logging import MaskUpdateTokens, mask_tokens
from organisations.factories import OrganisationFactory
from review.requests import requests_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(django_capture_on_commit_callbacks):
    organisation = OrganisationFactory(
        update_contact_email="marc@banque.example.org", preferred_language="fr"
    )
    with django_capture_on_commit_callbacks(execute=True):
        requests_create([organisation])
    link = re.search(r"/fr/mise-a-jour/([^/\s]+)/", mail.outbox[-1].body)
    return link.group(1)


@contextmanager
def written_by(logger_name: str):
    """What the handler configured by LOGGING for ``logger_name`` writes (the one carrying our
    filter), formatted by its own formatter."""
    logger = logging.getLogger(logger_name)
    handlers = [
        handler
        for handler in logger.handlers
        if any(isinstance(f, MaskUpdateTokens) for f in handler.filters)
    ]
    assert handlers, f"no handler of {logger_name!r} masks tokens"
    output = io.StringIO()
    previous = [handler.setStream(output) for handler in handlers]
    try:
        yield output
    finally:
        for handler, stream in zip(handlers, previous, strict=True):
            handler.setStream(stream)


def test_a_proposal_with_a_form_error_logs_its_path_without_the_token(client, token, caplog):
    path = f"/fr/mise-a-jour/{token}/modifier/"
    with written_by("") as console, caplog.at_level(logging.WARNING):
        response = client.post(path, {})

    assert response.status_code == 400
    assert response.wsgi_request.path == path  # the request served is left as it was
    assert token not in console.getvalue()
    assert (
        "WARNING django.request: Bad Request: /fr/mise-a-jour/[token]/modifier/"
        in console.getvalue()
    )
    bad_request = next(r for r in caplog.records if r.name == "django.request")
    assert token not in caplog.text
    assert token not in bad_request.getMessage()
    assert token not in bad_request.request.path
    assert token not in bad_request.request.get_full_path()
    assert token not in str(bad_request.request.META)


def test_an_unknown_page_under_a_working_link_logs_its_path_without_the_token(
    client, token, caplog
):
    with written_by("") as console, caplog.at_level(logging.WARNING):
        response = client.get(f"/fr/mise-a-jour/{token}/inconnue/")

    assert response.status_code == 404
    assert "Not Found: /fr/mise-a-jour/[token]/inconnue/" in console.getvalue()
    assert token not in console.getvalue() + caplog.text


def test_a_wrong_token_is_not_logged_either(client, caplog):
    guess = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5"
    with written_by("") as console, caplog.at_level(logging.WARNING):
        response = client.get(f"/en/update/{guess}/changes/")

    assert response.status_code == 404
    assert "Not Found: /en/update/[token]/changes/" in console.getvalue()
    assert guess not in console.getvalue() + caplog.text


def test_runservers_access_lines_are_masked_too():
    with written_by("django.server") as server:
        logging.getLogger("django.server").warning(
            '"%s" %s %s', "POST /fr/mise-a-jour/s3cr3t-t0ken/modifier/ HTTP/1.1", 400, 1234
        )
    assert '"POST /fr/mise-a-jour/[token]/modifier/ HTTP/1.1" 400 1234' in server.getvalue()


def test_any_logger_reaching_the_console_is_masked():
    with written_by("") as console:
        logging.getLogger("review.anything").warning("Link %s sent", "/en/update/s3cr3t/")
    assert "Link /en/update/[token]/ sent" in console.getvalue()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("/fr/mise-a-jour/abc_-123/", "/fr/mise-a-jour/[token]/"),
        ("/en/update/abc/changes/?x=1", "/en/update/[token]/changes/?x=1"),
        ("/fr/mise-a-jour/abc", "/fr/mise-a-jour/[token]"),
        ("GET /fr/mise-a-jour/abc?next=1 HTTP/1.1", "GET /fr/mise-a-jour/[token]?next=1 HTTP/1.1"),
        ("/fr/recherche/?q=update", "/fr/recherche/?q=update"),
        (
            "/admin/snippets/organisations/organisation/edit/5/",
            "/admin/snippets/organisations/organisation/edit/5/",
        ),
    ],
)
def test_only_what_follows_the_update_prefix_is_masked(text, expected):
    assert mask_tokens(text) == expected
