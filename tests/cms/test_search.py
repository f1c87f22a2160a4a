"""The public search: words, need, place served, proximity, and what the public may see."""

import math
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisations.apps import after_migrate
from organisations.factories import (
    LocationFactory,
    OrganisationFactory,
    PhoneFactory,
    ServiceFactory,
    category,
    territory,
)
from organisations.models import Organisation, SearchDocument, SearchPoint, Service
from organisations.search import (
    document_text,
    search_document_update,
    search_index_rebuild,
    stems,
)
from organisations.services import organisation_geocode
from tests.nominatim import place

pytestmark = pytest.mark.django_db

FR, EN = "/fr/recherche/", "/en/search/"


def names(response) -> list[str]:
    return [row.name for row in response.context["rows"]]


def organisation(name, *, description="", municipality="verdun", point=None, **kwargs):
    org = OrganisationFactory(name=name, description_fr=description, description_en="", **kwargs)
    lat, lon = point or territory(municipality).centre
    LocationFactory(
        organisation=org,
        municipality=territory(municipality),
        latitude=lat,
        longitude=lon,
        street_address="100 rue Wellington",
        postal_code="H4G 1W4",
    )
    return org


def haversine_km(a, b):
    (lat1, lon1), (lat2, lon2) = map(math.radians, a), map(math.radians, b)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def test_the_search_page_answers_in_both_languages_and_starts_empty(client):
    for url in (FR, EN):
        response = client.get(url)
        assert response.status_code == 200
        assert "rows" not in response.context


def test_words_match_without_case_or_accents_and_in_plural(client):
    organisation("Banque alimentaire de Verdun", description="Dépannage pour les aînés.")
    organisation("Maison des jeunes", description="Activités pour adolescents.")
    search_index_rebuild()

    for words in ("BANQUE ALIMENTAIRE", "banques alimentaires", "aines", "Aîné", "depannage"):
        assert names(client.get(FR, {"q": words})) == ["Banque alimentaire de Verdun"], words


def test_english_text_is_searched_too(client):
    org = organisation("Carrefour familial", description="Soutien.")
    org.description_en = "Support for families with young children."
    org.save()
    search_index_rebuild()

    assert names(client.get(EN, {"q": "family"})) == ["Carrefour familial"]
    assert names(client.get(EN, {"q": "children"})) == ["Carrefour familial"]


def test_services_are_searched_and_name_matches_come_first(client):
    described = organisation("Centre communautaire", description="Un comptoir de vêtements.")
    named = organisation("Comptoir vestimentaire Saint-Paul", description="Vêtements usagés.")
    with_service = organisation("Entraide Verdun", description="Aide.")
    ServiceFactory(organisation=with_service, name_fr="Comptoir", description_fr="Meubles.")
    search_index_rebuild()

    found = names(client.get(FR, {"q": "comptoir"}))

    assert found[0] == named.name
    assert set(found) == {described.name, named.name, with_service.name}


def test_a_need_includes_the_needs_below_it(client):
    popote = organisation("Popote roulante")
    ServiceFactory(organisation=popote, categories=[category("popote-roulante")])
    other = organisation("Aide à l'emploi")
    ServiceFactory(organisation=other, categories=[category("emploi")])
    search_index_rebuild()

    assert names(client.get(FR, {"categorie": "aide-alimentaire"})) == ["Popote roulante"]
    assert names(client.get(EN, {"category": "popote-roulante"})) == ["Popote roulante"]


def test_organisations_serving_a_place_include_those_serving_what_contains_it(client):
    laval_wide = organisation("Sert tout Laval", municipality="laval")
    ServiceFactory(organisation=laval_wide, service_areas=[territory("laval")])
    cmm_wide = organisation("Sert toute la CMM", municipality="westmount")
    ServiceFactory(organisation=cmm_wide, service_areas=[territory("cmm")])
    chomedey = organisation("Situé à Chomedey", municipality="chomedey")
    longueuil = organisation("Sert Longueuil", municipality="longueuil")
    ServiceFactory(organisation=longueuil, service_areas=[territory("longueuil")])
    search_index_rebuild()

    in_chomedey = set(names(client.get(FR, {"territoire": "chomedey"})))
    in_laval = set(names(client.get(EN, {"area": "laval"})))

    assert in_chomedey == {laval_wide.name, cmm_wide.name, chomedey.name}
    assert in_laval == {laval_wide.name, cmm_wide.name, chomedey.name}


def test_results_near_a_point_are_sorted_by_distance_with_the_distance_shown(client):
    here = (45.5017, -73.5673)
    points = {"Loin": (45.56, -73.50), "Proche": (45.505, -73.57), "Moyen": (45.52, -73.60)}
    for name, point in points.items():
        organisation(name, point=point, municipality="ville-marie")
    organisation("Hors rayon", point=(45.90, -73.20), municipality="ville-marie")
    search_index_rebuild()

    response = client.get(FR, {"lat": here[0], "lon": here[1], "rayon": 10})

    expected = sorted(points, key=lambda n: haversine_km(here, points[n]))
    assert names(response) == expected
    for row in response.context["rows"]:
        assert row.distance_km == pytest.approx(haversine_km(here, points[row.name]), abs=0.05)
        shown = f"{haversine_km(here, points[row.name]):.1f}".replace(".", ",")
        assert shown in response.content.decode()


def test_proximity_combines_with_words_and_needs(client):
    near_food = organisation("Cuisine de quartier", description="Repas", point=(45.502, -73.568))
    ServiceFactory(organisation=near_food, categories=[category("repas-communautaires")])
    organisation("Repas plus loin", description="Repas", point=(45.55, -73.55))
    organisation("Autre chose", description="Vêtements", point=(45.503, -73.567))
    search_index_rebuild()

    response = client.get(
        FR, {"q": "repas", "categorie": "aide-alimentaire", "lat": 45.5017, "lon": -73.5673}
    )

    assert names(response) == ["Cuisine de quartier"]


def test_near_a_municipality_or_a_postal_code(client, nominatim):
    organisation("Dans Verdun", municipality="verdun")
    organisation("À Laval", municipality="laval")
    nominatim.add("H4G 1W4", place(*territory("verdun").centre, kind="postcode"))
    search_index_rebuild()

    by_name = names(client.get(FR, {"pres": "Verdun", "rayon": 2}))
    by_postal_code = names(client.get(FR, {"pres": "H4G 1W4", "rayon": 2}))

    assert by_name == by_postal_code == ["Dans Verdun"]
    assert len(nominatim.search_requests()) == 1  # the municipality needed no request


def test_a_place_nobody_knows_says_so_and_loses_nothing(client):
    response = client.get(FR, {"pres": "Atlantide", "q": "repas"})

    assert response.status_code == 200
    assert "Atlantide" in response.content.decode()
    assert response.context["search"].text == "repas"


def test_a_confidential_address_shows_only_its_municipality(client):
    shelter = OrganisationFactory(name="Refuge confidentiel", description_fr="Hébergement.")
    LocationFactory(
        organisation=shelter,
        municipality=territory("verdun"),
        street_address="4321 rue Secrète",
        postal_code="H4H 9Z9",
        latitude=45.4612,
        longitude=-73.5712,
        address_is_confidential=True,
    )
    search_index_rebuild()
    centre = territory("verdun").centre

    response = client.get(FR, {"lat": centre[0], "lon": centre[1]})
    html = response.content.decode()

    assert names(response) == ["Refuge confidentiel"]
    assert response.context["rows"][0].distance_km == pytest.approx(0, abs=0.01)
    assert "Secrète" not in html and "H4H 9Z9" not in html and "45.4612" not in html
    assert "Verdun" in html


def test_only_live_open_records_and_services_are_found(client):
    organisation("Ouvert", description="Repas")
    organisation("Brouillon", description="Repas", live=False)
    organisation("Fermé", description="Repas", status=Organisation.Status.CLOSED)
    paused = organisation("En pause", description="Repas")
    ServiceFactory(organisation=paused, status=Service.Status.TEMPORARILY_CLOSED)
    defunct = organisation("Ancien service")
    ServiceFactory(organisation=defunct, name_fr="Repas disparus", status=Service.Status.DEFUNCT)
    search_index_rebuild()

    response = client.get(FR, {"q": "repas"})

    assert set(names(response)) == {"Ouvert", "En pause"}
    assert "Temporairement fermé" in response.content.decode()


def test_the_index_follows_publication_and_archiving(client):
    org = organisation("Soupe populaire", description="Repas chauds")
    search_document_update(organisation_id=org.pk)
    assert names(client.get(FR, {"q": "soupe"})) == ["Soupe populaire"]

    org.status = Organisation.Status.CLOSED
    org.save()
    search_document_update(organisation_id=org.pk)
    assert names(client.get(FR, {"q": "soupe"})) == []


def test_publishing_a_revision_updates_the_index(client, django_capture_on_commit_callbacks):
    org = organisation("Ancien nom", description="Repas")
    search_index_rebuild()
    org.name = "Nouveau nom de la cuisine"
    with django_capture_on_commit_callbacks(execute=True):
        org.save_revision().publish()

    assert names(client.get(FR, {"q": "cuisine"})) == ["Nouveau nom de la cuisine"]
    assert names(client.get(FR, {"q": "ancien"})) == []


def test_a_search_page_costs_the_same_number_of_queries_for_5_or_25_results(client):
    def queries_for(count):
        for n in range(count):
            org = organisation(f"Repas numéro {n}", description="Repas", municipality="verdun")
            ServiceFactory(organisation=org, categories=[category("popote-roulante")])
            PhoneFactory(organisation=org)
        search_index_rebuild()
        centre = territory("verdun").centre
        params = {"q": "repas", "categorie": "aide-alimentaire", "lat": centre[0], "lon": centre[1]}
        client.get(FR, params)  # warm Wagtail's site and page caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(FR, params)
        assert len(response.context["rows"]) == min(count, 20)
        return len(queries)

    small = queries_for(5)
    Organisation.objects.all().delete()
    assert queries_for(25) == small


def test_the_language_switcher_keeps_the_search(client):
    response = client.get(FR, {"q": "repas", "categorie": "aide-alimentaire"})

    link = re.search(r'<a href="([^"]+)" hreflang="en"', response.content.decode()).group(1)
    assert link.startswith(EN) and "q=repas" in link and "aide-alimentaire" in link
    english = client.get(link.replace("&amp;", "&"))
    assert english.context["search"].category.code == "aide-alimentaire"


def test_no_result_suggests_widening_the_search(client):
    organisation("Banque alimentaire", description="Repas")
    search_index_rebuild()

    response = client.get(FR, {"q": "repas", "territoire": "laval"})

    assert names(response) == []
    widen = dict((str(label), href) for label, href in response.context["widen"])
    assert any("territoire" not in href for href in widen.values())


def test_the_stemmer_meets_the_forms_of_a_word_in_either_language():
    def meet(a, b):
        return bool(set(document_text(a).split()) & set(document_text(b).split()))

    for a, b in (
        ("familles", "famille"),
        ("families", "family"),
        ("aines", "aine"),
        ("journaux", "journal"),
        ("aînés", "aines"),
        ("logements", "logement"),
        ("alimentation", "aliments"),
        ("housing", "houses"),
        ("shelters", "shelter"),
        ("clothing", "clothes"),
    ):
        assert meet(a, b), (a, b)
    for a, b in (("aide", "alimentation"), ("répit", "repas"), ("réfugiés", "refuges")):
        assert not meet(a, b), (a, b)
    assert stems("h7g") == ("h7g",)
    assert stems("2025") == ("2025",)


def test_a_common_word_is_counted_up_to_a_limit(client, monkeypatch):
    monkeypatch.setattr("organisations.search.COUNT_LIMIT", 3)
    monkeypatch.setattr("organisations.search.CANDIDATES", 3)
    for n in range(5):
        organisation(f"Organisme {n}", description="Aide et soutien")
    search_index_rebuild()

    response = client.get(FR, {"q": "aide"})

    assert response.context["results"].count_is_capped
    assert "Plus de 3 organismes" in response.content.decode()


def test_the_index_can_be_rebuilt_from_the_command_line(client):
    from io import StringIO

    from django.core.management import call_command

    organisation("Halte-garderie", description="Garde d'enfants")
    out = StringIO()

    call_command("rebuild_search_index", stdout=out)

    assert "1 organisations indexed" in out.getvalue()
    assert names(client.get(FR, {"q": "garderie"})) == ["Halte-garderie"]


def test_a_service_area_published_in_a_revision_is_found_in_that_place(
    client, django_capture_on_commit_callbacks
):
    org = organisation("Accompagnement transport", municipality="verdun")
    search_index_rebuild()
    assert names(client.get(FR, {"territoire": "laval"})) == []

    ServiceFactory(organisation=org, service_areas=[territory("laval")])
    with django_capture_on_commit_callbacks(execute=True):
        org.save_revision().publish()

    assert names(client.get(FR, {"territoire": "chomedey"})) == ["Accompagnement transport"]


def test_a_confidential_address_is_indexed_at_its_municipality_centre_only():
    shelter = OrganisationFactory(name="Maison d'hébergement")
    LocationFactory(
        organisation=shelter,
        municipality=territory("verdun"),
        latitude=45.4612,
        longitude=-73.5712,
        address_is_confidential=True,
    )
    search_index_rebuild()

    points = list(SearchPoint.objects.values_list("latitude", "longitude"))
    card = str(SearchDocument.objects.get(pk=shelter.pk).card)

    assert points == [territory("verdun").centre]
    assert "45.4612" not in card and "-73.5712" not in card


def test_a_location_geocoded_later_moves_the_organisation_in_near_searches(client, nominatim):
    nominatim.add("Saint-Denis", place(45.5191, -73.5696))
    org = OrganisationFactory(name="Centre Saint-Denis")
    LocationFactory(
        organisation=org,
        street_address="1234, rue Saint-Denis",
        postal_code="H2X 3J7",
        municipality=territory("le-plateau-mont-royal"),
        latitude=None,
        longitude=None,
    )
    search_index_rebuild()
    near = {"lat": 45.5191, "lon": -73.5696, "rayon": 2}
    assert names(client.get(FR, near)) == []

    organisation_geocode(organisation_id=org.pk)

    assert names(client.get(FR, near)) == ["Centre Saint-Denis"]


def test_an_empty_index_is_refilled_after_migrate(client):
    organisation("Friperie solidaire", description="Vêtements")
    SearchDocument.objects.all().delete()  # as a migration that changes the index leaves it

    after_migrate(sender=None)

    assert names(client.get(FR, {"q": "friperie"})) == ["Friperie solidaire"]


def test_renaming_a_need_in_the_admin_renames_it_in_the_search_form(
    client, administrator, django_capture_on_commit_callbacks
):
    need = category("popote-roulante")
    assert "Repas livrés à domicile" not in client.get(FR).content.decode()  # the form is known
    client.force_login(administrator)
    data = {
        "name_fr": "Repas livrés à domicile",
        "name_en": need.name_en,
        "code": need.code,
        "parent": need.parent_id,
        "sort_order": need.sort_order,
        "description_fr": "",
        "description_en": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("wagtailsnippets_organisations_category:edit", args=[need.pk]), data
        )
    assert response.status_code == 302
    client.logout()

    assert "Repas livrés à domicile" in client.get(FR).content.decode()


def test_name_matches_come_first_even_when_a_word_is_too_common_to_rank(client, monkeypatch):
    monkeypatch.setattr("organisations.search.COUNT_LIMIT", 3)
    monkeypatch.setattr("organisations.search.CANDIDATES", 3)
    for n in range(5):
        organisation(f"Organisme {n}", description="Aide alimentaire", municipality="laval")
    organisation("Aide aux devoirs", description="Études")
    search_index_rebuild()

    response = client.get(FR, {"q": "aide"})

    assert names(response)[0] == "Aide aux devoirs"
    assert response.context["results"].count_is_capped
    # Counted from a sample, the facets are offered without counts.
    assert all(count is None for _place, count, _href in response.context["place_facets"])


def test_short_words_and_stopwords_do_not_widen_a_search(client):
    organisation("Clinique d'impôts de Verdun", description="Déclarations de revenus")
    organisation("Dépannage alimentaire", description="Dons de denrées")
    search_index_rebuild()

    assert names(client.get(FR, {"q": "clinique d'impôts"})) == ["Clinique d'impôts de Verdun"]
    assert names(client.get(EN, {"q": "the clinic of taxes"})) == []


def test_filters_most_records_share_are_listed_in_order_of_name(client, monkeypatch):
    monkeypatch.setattr("organisations.search.SORTED_IN_MEMORY", 1)
    monkeypatch.setattr("organisations.search.RESTRICTED_IN_MEMORY", 1)
    for name in ("Zèbre", "Abri", "Élan", "Castor"):
        org = organisation(name, municipality="laval")
        ServiceFactory(organisation=org, categories=[category("popote-roulante")])
    organisation("Ailleurs", municipality="longueuil")
    search_index_rebuild()
    centre = territory("laval").centre

    listed = names(client.get(FR, {"territoire": "laval", "categorie": "aide-alimentaire"}))
    near = names(
        client.get(FR, {"categorie": "aide-alimentaire", "lat": centre[0], "lon": centre[1]})
    )

    assert listed == ["Abri", "Castor", "Élan", "Zèbre"]
    assert sorted(near) == ["Abri", "Castor", "Zèbre", "Élan"]


def test_a_search_page_made_private_is_private_at_once(client):
    from wagtail.models import PageViewRestriction

    from cms.models import SearchPage

    assert client.get(FR).status_code == 200  # the page and its restrictions are remembered
    PageViewRestriction.objects.create(
        page=SearchPage.objects.get(locale__language_code="fr"),
        restriction_type=PageViewRestriction.PASSWORD,
        password="secret",
    )

    response = client.get(FR, {"q": "repas"})

    assert 'name="password"' in response.content.decode()
    assert "rows" not in (response.context or {})


def test_near_counts_an_organisation_with_many_places_once_at_its_nearest(monkeypatch):
    from organisations.search import Point, Search, run

    monkeypatch.setattr("organisations.search.POINTS_PER_ORGANISATION", 1)
    monkeypatch.setattr("organisations.search.COUNT_LIMIT", 1)
    many = organisation("Trois comptoirs", point=(45.5020, -73.5670), municipality="ville-marie")
    for lat in (45.5021, 45.5022):
        LocationFactory(
            organisation=many,
            municipality=territory("ville-marie"),
            latitude=lat,
            longitude=-73.567,
        )
    organisation("Un seul comptoir", point=(45.5060, -73.5670), municipality="ville-marie")
    search_index_rebuild()

    results = run(Search(near=Point(45.5017, -73.5673), radius_km=2))

    assert list(results.distances) == [
        many.pk,
        Organisation.objects.get(name="Un seul comptoir").pk,
    ]
    assert results.count_is_capped


def test_near_skips_the_radii_that_could_not_hold_enough_organisations():
    from organisations.search import _next_step

    radii = [2, 5, 10, 25, 50]
    assert _next_step(None, 0, radii, 1001) == 2
    # 300 within 2 km: 5 km would hold some 1,900 at the same density, enough to try.
    assert _next_step(2, 300, radii, 1001) == 5
    # 40 within 2 km: 5 km (some 250) is not worth reading; 10 km (1,000) is.
    assert _next_step(2, 40, radii, 1001) == 10
    assert _next_step(2, 10, radii, 1001) == 25
    # Nothing near: straight to the radius asked for.
    assert _next_step(2, 0, radii, 1001) == 50
    assert _next_step(5, 0, [2, 5, 10], 1001) == 10


def test_a_need_is_found_by_its_names_and_keywords_after_the_name_matches(client):
    meals = organisation("Les Petits Plats de Verdun", description="Un organisme du quartier.")
    ServiceFactory(
        organisation=meals,
        name_fr="Service",
        name_en="Service",
        description_fr="",
        description_en="",
        categories=[category("popote-roulante")],
    )
    named = organisation("Nourriture pour tous", description="Une épicerie.")
    unrelated = organisation("Maison des jeunes", description="Activités.")
    ServiceFactory(
        organisation=unrelated,
        name_fr="Local des jeunes",
        name_en="Youth centre",
        categories=[category("jeunes")],
    )
    search_index_rebuild()

    # The need's own names and those of its family, its keywords, both languages, any accents,
    # singular or plural, misspellings a curator wrote down.
    for words in (
        "popote roulante",
        "Popotte",
        "meals on wheels",
        "aide alimentaire",
        "Food aid",
        "repas livrés",
        "repas livre",
        "groceries",
    ):
        assert names(client.get(FR, {"q": words})) == [meals.name], words
    # A name that says the word comes first, the organisation serving the need after it.
    assert names(client.get(FR, {"q": "nourriture"})) == [named.name, meals.name]


def test_a_change_to_a_need_s_keywords_in_the_admin_is_searchable_at_once(
    client, administrator, django_capture_on_commit_callbacks
):
    meals = organisation("Les Petits Plats de Verdun", description="Un organisme du quartier.")
    ServiceFactory(organisation=meals, categories=[category("popote-roulante")])
    search_index_rebuild()
    assert names(client.get(FR, {"q": "tourtière"})) == []
    need = category("popote-roulante")
    client.force_login(administrator)
    data = {
        "name_fr": need.name_fr,
        "name_en": need.name_en,
        "code": need.code,
        "parent": need.parent_id,
        "sort_order": need.sort_order,
        "description_fr": "",
        "description_en": "",
        "keywords_fr": f"{need.keywords_fr}, tourtières",
        "keywords_en": need.keywords_en,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("wagtailsnippets_organisations_category:edit", args=[need.pk]), data
        )
    assert response.status_code == 302
    client.logout()

    assert names(client.get(FR, {"q": "tourtière"})) == [meals.name]


def test_every_need_of_the_reference_tree_has_keywords_in_both_languages():
    from organisations.models import Category

    for need in Category.objects.all():
        assert len(need.keywords_fr.split(",")) >= 3, need.code
        assert len(need.keywords_en.split(",")) >= 3, need.code


def test_loading_the_reference_data_again_keeps_a_curator_s_keywords():
    from organisations.models import Category
    from organisations.reference import load_categories

    Category.objects.filter(code="emploi").update(keywords_fr="boulot", keywords_en="")
    Category.objects.filter(code="handicap").update(keywords_fr="", keywords_en="")
    load_categories(Category)

    assert category("emploi").keywords_fr == "boulot"
    assert "autisme" in category("handicap").keywords_fr


def test_words_of_a_request_and_of_either_language_are_left_out_of_a_search(client):
    meals = organisation("Les Petits Plats de Verdun", description="Un organisme du quartier.")
    ServiceFactory(organisation=meals, categories=[category("popote-roulante")])
    search_index_rebuild()

    for words in ("j'ai besoin d'une popote roulante", "I need meals on wheels please"):
        assert names(client.get(FR, {"q": words})) == [meals.name], words
    # Nothing but stop words: they are searched rather than nothing.
    assert client.get(FR, {"q": "de la"}).status_code == 200
