"""A visitor suggests a correction to an organisation's page; curators and editors read it."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisations.factories import OrganisationFactory
from organisations.models import Organisation
from review.models import SUGGESTION_MAX_LENGTH, Suggestion
from review.services import suggestion_create

pytestmark = pytest.mark.django_db

ADMIN_LIST = "wagtailsnippets_review_suggestion:list"


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Popote roulante de Duvernay", slug="popote")


def form_url(organisation, language="fr"):
    return f"/{language}/suggestions/{organisation.slug}/"


def test_the_form_answers_in_both_languages_with_a_csrf_token(client, organisation):
    for language in ("fr", "en"):
        response = client.get(form_url(organisation, language))
        assert response.status_code == 200
        page = response.content.decode()
        assert f'<html lang="{language}">' in page
        assert "Popote roulante de Duvernay" in page
        assert "csrfmiddlewaretoken" in page
        assert 'name="robots" content="noindex"' in page


def test_a_suggestion_is_kept_as_typed_and_the_visitor_is_thanked(client, organisation):
    response = client.post(
        form_url(organisation),
        {
            "text": "Le numéro a changé : 450 555-0000.",
            "name": "Lucie",
            "email": "lucie@example.org",
            "topic": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/fr/suggestions/popote/sent/"
    suggestion = Suggestion.objects.get()
    assert suggestion.organisation == organisation
    assert suggestion.text == "Le numéro a changé : 450 555-0000."
    assert suggestion.name == "Lucie"
    assert suggestion.email == "lucie@example.org"
    assert suggestion.language == "fr"
    assert suggestion.status == Suggestion.Status.NEW
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert 'href="/fr/organismes/popote/"' in thanks.content.decode()


def test_name_and_email_are_optional_and_the_language_is_the_visitors(client, organisation):
    response = client.post(form_url(organisation, "en"), {"text": "Closed on Mondays now."})
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert (suggestion.name, suggestion.email, suggestion.language) == ("", "", "en")


@pytest.mark.parametrize(
    "text", ["", "   ", "x" * (SUGGESTION_MAX_LENGTH + 1)], ids=["empty", "blank", "too-long"]
)
def test_a_refused_suggestion_comes_back_with_what_was_typed(client, organisation, text):
    response = client.post(
        form_url(organisation), {"text": text, "name": "Lucie", "email": "lucie@example.org"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page
    assert 'aria-invalid="true"' in page
    assert 'value="Lucie"' in page and 'value="lucie@example.org"' in page
    if text.strip():
        # All of it: the browser was given no maxlength that could have cut it short.
        assert f">\n{text}</textarea>" in page
        assert "maxlength" not in page.split("<textarea", 1)[1].split(">", 1)[0]
        assert "5000" in page.replace("\u202f", "").replace(" ", "")
    assert not Suggestion.objects.exists()


def test_a_wrong_email_comes_back_with_the_text_kept(client, organisation):
    response = client.post(
        form_url(organisation), {"text": "Nouvel horaire : 9 h à 17 h.", "email": "lucie@"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nouvel horaire : 9 h à 17 h.</textarea>" in page
    assert 'value="lucie@"' in page
    assert not Suggestion.objects.exists()


def test_a_robot_filling_the_honeypot_is_thanked_and_nothing_is_kept(client, organisation):
    response = client.post(
        form_url(organisation),
        {"text": "Buy cheap watches", "email": "bot@example.org", "topic": "http://spam.example"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/fr/suggestions/popote/sent/"
    assert not Suggestion.objects.exists()


def test_the_honeypot_is_out_of_reach_of_people(client, organisation):
    page = client.get(form_url(organisation)).content.decode()
    assert '<div class="suggestion-topic" aria-hidden="true">' in page
    assert 'name="topic"' in page and 'tabindex="-1"' in page


def test_a_post_without_the_csrf_token_is_refused(organisation):
    response = Client(enforce_csrf_checks=True).post(form_url(organisation), {"text": "Bonjour"})
    assert response.status_code == 403
    assert not Suggestion.objects.exists()


def test_only_a_public_organisation_takes_suggestions(client):
    draft = OrganisationFactory(live=False)
    closed = OrganisationFactory(status=Organisation.Status.CLOSED)
    for organisation in (draft, closed):
        assert client.get(form_url(organisation)).status_code == 404
        assert client.post(form_url(organisation), {"text": "x"}).status_code == 404
    assert not Suggestion.objects.exists()


# --- In the admin -----------------------------------------------------------------------------------


def test_curators_and_editors_read_suggestions_in_the_admin(client_for, curator, editor):
    organisation = OrganisationFactory(name="Popote roulante de Duvernay")
    suggestion_create(
        organisation=organisation, text="Le numéro a changé.", language="fr", name="Lucie"
    )
    for user in (curator, editor):
        response = client_for(user).get(reverse(ADMIN_LIST))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Le numéro a changé." in page
        assert "Popote roulante de Duvernay" in page
        assert "Suggestions" in page  # the menu item


def test_the_admin_list_filters_by_status(client_for, curator):
    organisation = OrganisationFactory()
    suggestion_create(organisation=organisation, text="Encore à traiter", language="fr")
    done = suggestion_create(organisation=organisation, text="Déjà traitée", language="fr")
    done.status = Suggestion.Status.HANDLED
    done.save(update_fields=["status"])
    page = client_for(curator).get(reverse(ADMIN_LIST), {"status": "new"}).content.decode()
    assert "Encore à traiter" in page and "Déjà traitée" not in page


def test_a_curator_marks_a_suggestion_handled_but_cannot_change_what_was_sent(client_for, curator):
    suggestion = suggestion_create(
        organisation=OrganisationFactory(), text="Texte d'origine", language="fr"
    )
    url = reverse("wagtailsnippets_review_suggestion:edit", args=[suggestion.pk])
    client = client_for(curator)
    assert client.get(url).status_code == 200
    client.post(url, {"status": "handled", "text": "Réécrit", "name": "Quelqu'un"})
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.HANDLED
    assert suggestion.text == "Texte d'origine" and suggestion.name == ""


def test_the_public_and_outsiders_do_not_see_suggestions(client, client_for, outsider):
    assert client.get(reverse(ADMIN_LIST)).status_code == 302
    assert client_for(outsider).get(reverse(ADMIN_LIST)).status_code in (302, 403)


def test_roles_grant_reading_and_handling_suggestions(curator, editor, administrator):
    for user in (curator, editor):
        assert user.has_perms(["review.view_suggestion", "review.change_suggestion"])
        assert not user.has_perm("review.add_suggestion")
        assert not user.has_perm("review.delete_suggestion")
    assert administrator.has_perm("review.delete_suggestion")


def test_the_admin_list_costs_the_same_number_of_queries_however_many_suggestions(
    client_for, curator
):
    client = client_for(curator)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(ADMIN_LIST)).status_code == 200
        return len(captured)

    suggestion_create(organisation=OrganisationFactory(), text="Une", language="fr")
    queries()  # warm the caches
    few = queries()
    for n in range(5):
        suggestion_create(organisation=OrganisationFactory(), text=f"Autre {n}", language="fr")
    assert queries() == few


def test_too_many_suggestions_from_one_address_are_turned_away_with_a_page(client):
    from review.views import SUGGESTIONS_PER_HOUR

    organisation = OrganisationFactory()
    url = reverse("review:suggestion_create", kwargs={"slug": organisation.slug})
    for _ in range(SUGGESTIONS_PER_HOUR):
        assert client.post(url, {"text": "Le numéro a changé."}).status_code == 302

    response = client.post(url, {"text": "Encore une."})

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert Suggestion.objects.count() == SUGGESTIONS_PER_HOUR
