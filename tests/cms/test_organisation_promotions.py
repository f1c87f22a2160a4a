"""Promoted organisations: what the 211 suggests first for a query the public searches, added
from the search demand report in one step, shown on page 1 only, once, never unpublished."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.contrib.search_promotions.models import Query

from cms.search_demand import prune, record
from cms.search_promotions import CreatePromotionAction, OrganisationPromotion
from organisations.factories import LocationFactory, OrganisationFactory, territory
from organisations.models import Organisation
from organisations.search import search_document_update, search_index_rebuild

pytestmark = pytest.mark.django_db

FR, EN = "/fr/recherche/", "/en/search/"
REPORT = "/admin/search-demand/"
ADD = "/admin/organisation-promotions/new/"


def organisation(name: str, description: str = "Repas chauds", **kwargs) -> Organisation:
    record = OrganisationFactory(name=name, description_fr=description, description_en="", **kwargs)
    LocationFactory(organisation=record, municipality=territory("verdun"))
    return record


def promote(text: str, record: Organisation, *, note: str = "", sort_order: int = 0):
    promotion = OrganisationPromotion(
        query=Query.get(text), organisation=record, note=note, sort_order=sort_order
    )
    return CreatePromotionAction(promotion).execute()


def promoted(response) -> list[str]:
    return [row.name for row in response.context.get("promoted", [])]


def names(response) -> list[str]:
    return [row.name for row in response.context["rows"]]


@pytest.fixture
def meals(db):
    """Four organisations serving meals and a tax clinic that serves none."""
    records = [organisation(f"Popote numéro {n:02}") for n in range(4)]
    clinic = organisation("Clinique d'impôts du quartier", description="Déclarations de revenus")
    search_index_rebuild()
    return records, clinic


def test_a_promoted_organisation_is_shown_first_on_page_1_in_both_languages(client, meals):
    records, clinic = meals
    for n in range(4, 25):  # two pages of results
        organisation(f"Popote numéro {n:02}")
    search_index_rebuild()
    promote("repas", clinic, note="Aussi des repas pendant la période des impôts.")
    promote("repas", records[3], sort_order=1)

    for path in (FR, EN):
        response = client.get(path, {"q": "Repas"})  # the words as counted: folded
        html = response.content.decode()

        assert promoted(response) == ["Clinique d'impôts du quartier", "Popote numéro 03"]
        assert html.index('id="promoted-heading"') < html.index('id="results-heading"')
        assert "Aussi des repas pendant la période des impôts." in html
        assert client.get(path, {"q": "repas", "page": 2}).context.get("promoted") is None


def test_a_promoted_organisation_is_not_repeated_among_the_results(client, meals):
    records, _clinic = meals
    promote("repas", records[3])

    response = client.get(FR, {"q": "repas"})

    assert promoted(response) == ["Popote numéro 03"]
    assert "Popote numéro 03" not in names(response)
    assert response.content.decode().count(">Popote numéro 03</a>") == 1


def test_only_a_search_with_the_same_words_shows_the_promotion(client, meals):
    _records, clinic = meals
    promote("repas", clinic)

    assert promoted(client.get(FR, {"q": "repas chauds"})) == []
    assert promoted(client.get(FR, {"categorie": "aide-alimentaire"})) == []


def test_an_unpublished_or_archived_organisation_is_never_shown(client, meals):
    records, clinic = meals
    draft = organisation("Popote en préparation", live=False)
    promote("repas", draft)
    promote("repas", clinic)
    promote("repas", records[0])

    clinic.status = Organisation.Status.CLOSED
    clinic.save(update_fields=["status"])
    search_document_update(organisation_id=clinic.pk)

    response = client.get(FR, {"q": "repas"})
    assert promoted(response) == ["Popote numéro 00"]
    assert "Popote en préparation" not in response.content.decode()


def test_a_promotion_shows_at_once_on_a_cached_page(client, meals, settings):
    settings.PUBLIC_CACHE_SECONDS = 300
    _records, clinic = meals
    client.get(FR, {"q": "repas"})  # now cached

    promote("repas", clinic)

    assert promoted(client.get(FR, {"q": "repas"})) == ["Clinique d'impôts du quartier"]


def test_reading_the_promotions_costs_no_query_per_search(client, meals):
    """The promotions are read once per public version; a search with a promotion reads its
    rows' cards (one query), a search without reads nothing more."""
    _records, clinic = meals
    promote("repas", clinic)
    client.get(FR, {"q": "popote"})  # the promotions read for this version

    def reads(text):
        with CaptureQueriesContext(connection) as captured:
            client.get(FR, {"q": text})
        return [query["sql"] for query in captured]

    without, with_promotion = reads("popote"), reads("repas")

    assert not any("cms_organisationpromotion" in sql for sql in without + with_promotion)
    assert len(with_promotion) == len(without) + 1


def test_from_the_report_a_curator_promotes_an_organisation_in_one_step(
    client_for, curator, client, meals
):
    _records, clinic = meals
    record(
        {"query": "impots", "language": "fr", "need": "", "place": "", "results": 0},
        date.today(),
    )
    staff = client_for(curator)

    report = staff.get(REPORT, {"results": "none"}).content.decode()
    link = re.search(r'href="(/admin/organisation-promotions/new/\?[^"]+)"', report).group(1)
    form = staff.get(link.replace("&amp;", "&"))
    assert form.status_code == 200
    assert form.context["form"].initial["query"] == "impots"
    done = staff.post(
        ADD,
        {
            "query": "impots",
            "organisation": clinic.pk,
            "note": "",
            "sort_order": 0,
            "next": REPORT + "?results=none",
        },
    )

    assert done.status_code == 302 and done["Location"] == REPORT + "?results=none"
    promotion = OrganisationPromotion.objects.get()
    assert promotion.query.query_string == "impots" and promotion.organisation == clinic
    # The report's row says what is now promoted for the query.
    assert "Clinique d&#x27;impôts du quartier" in staff.get(done["Location"]).content.decode()
    client.logout()
    assert promoted(client.get(EN, {"q": "Impôts"})) == ["Clinique d'impôts du quartier"]


def test_the_form_refuses_an_unpublished_organisation_and_a_second_promotion(
    client_for, editor, meals
):
    records, _clinic = meals
    draft = organisation("Popote en préparation", live=False)
    promote("repas", records[0])
    staff = client_for(editor)

    def post(record):
        data = {"query": "Repas", "organisation": record.pk, "note": "", "sort_order": 0}
        return staff.post(ADD, data)

    assert post(draft).context["form"].errors["organisation"]
    assert post(records[0]).context["form"].errors["organisation"]
    assert post(records[1]).status_code == 302
    assert OrganisationPromotion.objects.count() == 2


def test_the_chooser_offers_the_public_organisations_by_name(client_for, curator, meals):
    organisation("Clinique en préparation", live=False)
    staff = client_for(curator)

    found = staff.get("/admin/organisation-promotions/choose/results/", {"q": "clinique"})

    html = found.content.decode()
    assert "Clinique d&#x27;impôts du quartier" in html and "Clinique en préparation" not in html


def test_anonymous_visitors_and_outsiders_cannot_promote(client, client_for, outsider, meals):
    _records, clinic = meals
    data = {"query": "repas", "organisation": clinic.pk, "note": "", "sort_order": 0}

    assert client.get(ADD).status_code == 302  # to the sign-in page
    assert client.post(ADD, data).status_code == 302
    staff = client_for(outsider)
    assert staff.get(ADD).status_code in (302, 403)
    assert staff.post(ADD, data).status_code in (302, 403)
    assert staff.get("/admin/organisation-promotions/").status_code in (302, 403)
    assert not OrganisationPromotion.objects.exists()


def test_a_promotion_removed_in_the_admin_is_gone_from_the_search(client_for, editor, meals):
    _records, clinic = meals
    promotion = promote("repas", clinic)
    staff = client_for(editor)

    listing = staff.get("/admin/organisation-promotions/").content.decode()
    assert "Clinique d&#x27;impôts du quartier" in listing
    staff.post(f"/admin/organisation-promotions/delete/{promotion.pk}/")
    staff.logout()

    assert promoted(staff.get(FR, {"q": "repas"})) == []


def test_a_note_changed_in_the_admin_shows_at_once(client_for, curator, meals, settings):
    settings.PUBLIC_CACHE_SECONDS = 300
    _records, clinic = meals
    promotion = promote("repas", clinic)
    staff = client_for(curator)
    edit = f"/admin/organisation-promotions/edit/{promotion.pk}/"

    assert staff.get(edit).context["form"].initial["query"] == "repas"
    staff.post(
        edit,
        {"query": "repas", "organisation": clinic.pk, "note": "Sans rendez-vous.", "sort_order": 0},
    )
    staff.logout()

    assert "Sans rendez-vous." in staff.get(FR, {"q": "repas"}).content.decode()


def test_prune_keeps_a_query_with_a_promoted_organisation(meals):
    _records, clinic = meals
    record(
        {"query": "impots", "language": "fr", "need": "", "place": "", "results": 0},
        date(2000, 1, 1),
    )
    promote("impots", clinic)

    prune(date(2026, 12, 6))

    assert OrganisationPromotion.objects.get().query.query_string == "impots"
