"""The read-only HSDS 3.0 API under /api/hsds/: what it answers, and what it never tells."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import parse_http_date
from rest_framework.throttling import ScopedRateThrottle

from organisations.factories import (
    LocationFactory,
    OpeningHoursFactory,
    OrganisationFactory,
    PhoneFactory,
    ServiceFactory,
    category,
    territory,
)
from organisations.hsds.serialise import (
    TAXONOMY_ID,
    derived_id,
    service_at_location_id,
    term_id,
)
from organisations.models import Organisation, PublicVersion
from organisations.search import search_index_rebuild
from tests.nominatim import place

from .conftest import BEFORE_FALL_BACK, CONFIDENTIAL, SUMMER, WINTER

pytestmark = pytest.mark.django_db

PLATEAU_POSTCODE = "H2X 3J7"  # the full record's Plateau location: its centre, in its borough


def ids(page) -> list[str]:
    return [item["id"] for item in page["contents"]]


def all_ids(node) -> set[str]:
    """Every ``id`` anywhere in a response."""
    found = set()
    if isinstance(node, dict):
        if isinstance(node.get("id"), str):
            found.add(node["id"])
        for value in node.values():
            found |= all_ids(value)
    elif isinstance(node, list):
        for item in node:
            found |= all_ids(item)
    return found


def publish(organisation, capture_on_commit, **changes):
    """Change the record and publish it as the admin does (the public version moves on)."""
    for name, value in changes.items():
        setattr(organisation, name, value)
    with capture_on_commit(execute=True):
        organisation.save_revision().publish()


def updated_at(organisation: Organisation, moment: datetime) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(updated_at=moment)  # past auto_now


def montreal(*args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(settings.TIME_ZONE))


# --- Every response against the official schemas --------------------------------------------------


def _paths(record) -> dict[str, str]:
    return {
        "food": str(record.food.uuid),
        "transport": str(record.transport.uuid),
        "organisation": str(record.organisation.uuid),
        "food_at_plateau": service_at_location_id(record.food, record.plateau),
        "transport_at_verdun": service_at_location_id(record.transport, record.verdun),
        "taxonomy": TAXONOMY_ID,
        "term": term_id(category("popote-roulante")),
    }


ROOT_SCHEMA = "openapi.json#/paths/~1/get/responses/200/content/application~1json/schema"
RESPONSES = [  # path, parameters, a page or one object, the official schema of an object
    ("/", {}, "one", ROOT_SCHEMA),
    ("/services", {}, "page", "compiled/service_list.json"),
    ("/services", {"minimal": "true"}, "page", "compiled/service_list.json"),
    ("/services", {"full": "true"}, "page", "compiled/service.json"),
    ("/services/{food}", {}, "one", "compiled/service.json"),
    ("/services/{transport}", {}, "one", "compiled/service.json"),
    ("/organizations", {}, "page", "compiled/organization_list.json"),
    ("/organizations", {"full": "true"}, "page", "compiled/organization.json"),
    ("/organizations", {"full_service": "true"}, "page", "compiled/organization.json"),
    ("/organizations/{organisation}", {}, "one", "compiled/organization.json"),
    ("/organizations/{organisation}", {"full_service": "true"}, "one", "compiled/organization.json"),
    ("/service_at_locations", {}, "page", "compiled/service_at_location_list.json"),
    ("/service_at_locations", {"full": "true"}, "page", "compiled/service_at_location.json"),
    ("/service_at_locations/{food_at_plateau}", {}, "one", "compiled/service_at_location.json"),
    ("/service_at_locations/{transport_at_verdun}", {}, "one", "compiled/service_at_location.json"),
    ("/taxonomies", {}, "page", "taxonomy.json"),
    ("/taxonomies/{taxonomy}", {}, "one", "taxonomy.json"),
    ("/taxonomy_terms", {"per_page": "200"}, "page", "taxonomy_term.json"),
    ("/taxonomy_terms/{term}", {}, "one", "taxonomy_term.json"),
]  # fmt: skip


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    ("path", "params", "shape", "schema"),
    RESPONSES,
    ids=[
        f"{path}{''.join(f'?{k}={v}' for k, v in params.items())}" for path, params, *_ in RESPONSES
    ],
)
def test_each_response_validates_against_the_official_schema(
    api, full_record, schemas, path, params, shape, schema, language
):
    response = api(path.format(**_paths(full_record)), lang=language, **params)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    if shape == "page":
        assert body["contents"], "an empty page would validate vacuously"
        schemas.check_page(body, schema)
    else:
        schemas.check(body, schema)


def test_the_full_record_holds_every_child_type_hsds_has_for_it(api, full_record, today):
    record = full_record
    organisation = api(f"/organizations/{record.organisation.uuid}", full_service="true").json()

    assert organisation["name"] == "Maison d'entraide du Plateau"
    assert organisation["alternate_name"] == "MEP"
    assert organisation["tax_status"] == "registered charity"
    assert organisation["tax_id"] == "123456789RR0001"
    assert organisation["uri"].endswith("/fr/organismes/maison-entraide-plateau/")
    assert {
        (i["identifier_scheme"], i["identifier"]) for i in organisation["organization_identifiers"]
    } == {
        ("CA-QC-REQ", "1141234567"),
        ("CA-CRA_ACR", "123456789RR0001"),
    }
    phones = {
        (p["type"], p["number"], p.get("extension"), p.get("description"))
        for p in organisation["phones"]
    }
    assert phones == {
        ("voice", "+15145551234", 204, "Accueil"),
        ("fax", "+15145551234", None, None),
        ("textphone", "+15145551234", None, "ATS"),
        ("voice", "+18005551234", None, "Sans frais"),
        ("text", "+15145551234", None, "Texto"),
    }
    plateau, verdun = organisation["locations"]  # the shelter is not there at all
    assert plateau["id"] == str(record.plateau.uuid)
    assert (plateau["latitude"], plateau["longitude"]) == (45.5191, -73.5696)
    [address] = plateau["addresses"]
    assert address == {
        "id": derived_id("address", record.plateau.uuid),
        "location_id": str(record.plateau.uuid),
        "address_1": "1234, rue Saint-Denis",
        "address_2": "bureau 200",
        "city": "Montréal",  # a borough's letters go to the city
        "region": "Le Plateau-Mont-Royal",
        "state_province": "QC",
        "postal_code": "H2X 3J7",
        "country": "CA",
        "address_type": "physical",
    }
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in plateau["schedules"]] == [
        ("MO", "09:00-05:00", "12:00-05:00"),  # answered in January: Montréal is at UTC-5
        ("TU", "09:00-05:00", "12:00-05:00"),
        ("WE", "09:00-05:00", "12:00-05:00"),
        ("WE", "13:00-05:00", "16:30-05:00"),
        ("TH", "09:00-05:00", "12:00-05:00"),
        ("FR", "09:00-05:00", "12:00-05:00"),
    ]
    assert {s["timezone"] for s in plateau["schedules"]} == {-5}
    assert {s["freq"] for s in plateau["schedules"]} == {"WEEKLY"}
    assert plateau["schedules"][3]["description"] == "Sur rendez-vous"
    assert [a["description"] for a in plateau["accessibility"]] == ["Rampe d'accès et ascenseur."]
    assert [(s["byday"], s["description"]) for s in verdun["schedules"]] == [("SA", "Fermé")]
    assert "opens_at" not in verdun["schedules"][0]
    assert verdun["schedules"][0]["timezone"] == -5  # closed all day, in the same zone

    food, transport = organisation["services"]
    assert food["id"] == str(record.food.uuid)
    assert food["status"] == "active"
    assert transport["status"] == "temporarily closed"
    assert food["eligibility_description"] == "Résidents du Plateau et de Verdun."
    assert food["fees_description"] == "Gratuit."
    assert food["application_process"] == "Appelez pour un rendez-vous."
    assert food["assured_date"] == "2026-03-14"  # the evening of the call, in Montréal
    assert food["assurer_email"] == settings.REPERTOIRE_CONTACT_EMAIL
    assert [(a["name"], a["uri"].rsplit("/", 1)[1]) for a in food["service_areas"]] == [
        ("Le Plateau-Mont-Royal", "?territoire=le-plateau-mont-royal"),
        ("Verdun", "?territoire=verdun"),
    ]
    assert [(x["code"], x["name"]) for x in food["languages"]] == [
        ("fr", "Français"),
        ("en", "Anglais"),
        ("es", "Espagnol"),
    ]
    assert [a["taxonomy_term"]["code"] for a in food["attributes"]] == [
        "banques-alimentaires",
        "popote-roulante",
    ]
    assert {a["taxonomy_term_id"] for a in food["attributes"]} == {
        term_id(category("banques-alimentaires")),
        term_id(category("popote-roulante")),
    }
    assert [s["location_id"] for s in food["service_at_locations"]] == [
        str(record.plateau.uuid),
        str(record.verdun.uuid),
    ]
    assert food["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "H2X 3J7"


def test_ids_are_stable_across_requests_languages_and_publications(
    api, full_record, django_capture_on_commit_callbacks
):
    path = f"/organizations/{full_record.organisation.uuid}"
    first = all_ids(api(path, full_service="true").json())

    english = all_ids(api(path, full_service="true", lang="en").json())
    publish(full_record.organisation, django_capture_on_commit_callbacks, alternate_name="MEP!")
    republished = all_ids(api(path, full_service="true").json())

    assert first == english == republished
    assert derived_id("service_area", full_record.food.uuid, "verdun") in first


# --- Only live records ----------------------------------------------------------------------------


def test_lists_hold_only_live_records(api, full_record):
    record = full_record
    public = {str(record.organisation.uuid)}

    assert set(ids(api("/organizations").json())) == public
    services = api("/services").json()
    assert ids(services) == [str(record.food.uuid), str(record.transport.uuid)]
    pairs = api("/service_at_locations").json()
    assert {item["service_id"] for item in pairs["contents"]} == {
        str(record.food.uuid),
        str(record.transport.uuid),
    }


def _not_found(record) -> dict[str, str]:
    return {
        "an unknown service": f"/services/{derived_id('nothing')}",
        "a malformed id": "/services/not-a-uuid",
        "a draft-only organisation": f"/organizations/{record.draft.uuid}",
        "a draft-only organisation's service": f"/services/{record.draft_service.uuid}",
        "an archived organisation": f"/organizations/{record.closed.uuid}",
        "an archived organisation's service": f"/services/{record.closed_service.uuid}",
        "a service at the confidential location": "/service_at_locations/"
        + service_at_location_id(record.food, record.confidential),
        "an unknown service at a location": f"/service_at_locations/{derived_id('nothing')}",
        "an unknown taxonomy": f"/taxonomies/{derived_id('nothing')}",
        "an unknown taxonomy term": f"/taxonomy_terms/{derived_id('nothing')}",
    }


@pytest.mark.parametrize(
    "what",
    [
        "an unknown service",
        "a malformed id",
        "a draft-only organisation",
        "a draft-only organisation's service",
        "an archived organisation",
        "an archived organisation's service",
        "a service at the confidential location",
        "an unknown service at a location",
        "an unknown taxonomy",
        "an unknown taxonomy term",
    ],
)
def test_an_id_with_no_public_record_is_a_json_404(api, full_record, what):
    response = api(_not_found(full_record)[what])

    # A 404, not the language middleware's redirect to a page under /fr/.
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_upper_case_ids_find_the_same_records(api, full_record):
    service = api(f"/services/{str(full_record.food.uuid).upper()}")
    term = api(f"/taxonomy_terms/{term_id(category('popote-roulante')).upper()}")
    filtered = api("/services", taxonomy_term_id=term_id(category("aide-alimentaire")).upper())

    assert service.json()["id"] == str(full_record.food.uuid)
    assert term.json()["code"] == "popote-roulante"
    assert ids(filtered.json()) == [str(full_record.food.uuid)]


# --- No confidential address, anywhere ------------------------------------------------------------


def _every_response(api, record) -> dict[str, str]:
    paths = _paths(record)
    requests = [
        ("/", {}),
        ("/services", {}),
        ("/services", {"full": "true"}),
        ("/services", {"minimal": "true"}),
        (f"/services/{paths['food']}", {}),
        (f"/services/{paths['transport']}", {}),
        ("/organizations", {}),
        ("/organizations", {"full": "true"}),
        ("/organizations", {"full": "true", "full_service": "true"}),
        (f"/organizations/{paths['organisation']}", {}),
        (f"/organizations/{paths['organisation']}", {"full_service": "true"}),
        ("/service_at_locations", {}),
        ("/service_at_locations", {"full": "true"}),
        ("/service_at_locations", {"postcode": PLATEAU_POSTCODE, "proximity": "50000"}),
        ("/service_at_locations", {"postcode": CONFIDENTIAL["postal_code"]}),
        ("/taxonomies", {}),
        ("/taxonomy_terms", {"per_page": "200"}),
    ]
    pairs = api("/service_at_locations", full="true").json()["contents"]
    requests += [(f"/service_at_locations/{pair['id']}", {}) for pair in pairs]
    requests.append((_not_found(record)["a service at the confidential location"], {}))
    bodies = {}
    for path, params in requests:
        for language in ("fr", "en"):
            response = api(path, lang=language, **params)
            bodies[f"{path} {params} {language}"] = response.content.decode()
    return bodies


def test_no_response_holds_anything_of_a_confidential_location(api, full_record):
    shelter = full_record.confidential
    [hours] = shelter.hours.all()
    secrets = [
        CONFIDENTIAL["street_address"],
        "Refuge-Caché",
        CONFIDENTIAL["postal_code"],
        CONFIDENTIAL["postal_code"].replace(" ", ""),
        "45.4711",
        "-73.5844",
        "Chambre adaptée au refuge",
        str(shelter.uuid),
        str(hours.uuid),
        derived_id("address", shelter.uuid),
        derived_id("accessibility", shelter.uuid),
        service_at_location_id(full_record.food, shelter),
        service_at_location_id(full_record.transport, shelter),
    ]

    bodies = _every_response(api, full_record)

    assert len(bodies) > 40
    leaks = [
        (where, secret) for where, body in bodies.items() for secret in secrets if secret in body
    ]
    assert not leaks


def test_the_shelters_postal_code_is_not_a_known_place(api, full_record):
    """The centre of a postal code is found from our own locations: never from a confidential
    one, or a distance from it would say where the shelter is."""
    response = api("/service_at_locations", postcode=CONFIDENTIAL["postal_code"])

    assert response.status_code == 400  # the test settings' geocoder is offline
    assert "postcode" in response.json()["detail"]


# --- Paging ---------------------------------------------------------------------------------------


@pytest.fixture
def seven_services(db):
    organisation = OrganisationFactory(name="Centre communautaire")
    return [ServiceFactory(organisation=organisation, sort_order=n) for n in range(7)]


def test_pages_walk_every_item_once_with_the_spec_envelope(api, seven_services):
    pages = [api("/services", per_page=3, page=n).json() for n in (1, 2, 3)]

    assert [ids(page) for page in pages] == [
        [str(s.uuid) for s in seven_services[0:3]],
        [str(s.uuid) for s in seven_services[3:6]],
        [str(s.uuid) for s in seven_services[6:7]],
    ]
    assert [{k: v for k, v in page.items() if k != "contents"} for page in pages] == [
        {"total_items": 7, "total_pages": 3, "page_number": 1, "size": 3, "first_page": True, "last_page": False, "empty": False},
        {"total_items": 7, "total_pages": 3, "page_number": 2, "size": 3, "first_page": False, "last_page": False, "empty": False},
        {"total_items": 7, "total_pages": 3, "page_number": 3, "size": 1, "first_page": False, "last_page": True, "empty": False},
    ]  # fmt: skip


def test_a_page_beyond_the_last_is_empty_and_keeps_the_true_totals(api, seven_services):
    page = api("/services", per_page=3, page=9).json()

    assert page == {
        "total_items": 7,
        "total_pages": 3,
        "page_number": 9,
        "size": 0,
        "first_page": False,
        "last_page": True,
        "empty": True,
        "contents": [],
    }


def test_an_empty_list_is_one_empty_first_and_last_page(api, db):
    page = api("/services").json()

    assert page == {
        "total_items": 0,
        "total_pages": 0,
        "page_number": 1,
        "size": 0,
        "first_page": True,
        "last_page": True,
        "empty": True,
        "contents": [],
    }


def test_per_page_is_capped_at_the_configured_maximum(api, seven_services, settings):
    settings.REPERTOIRE_API_MAX_PER_PAGE = 4

    page = api("/services", per_page=1000).json()

    assert (page["size"], page["total_pages"], page["total_items"]) == (4, 2, 7)


def test_without_per_page_a_page_holds_fifty(api, db):
    organisation = OrganisationFactory()
    for n in range(51):
        ServiceFactory(organisation=organisation, sort_order=n)

    page = api("/services", minimal="true").json()

    assert (page["size"], page["total_pages"]) == (50, 2)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("page", "0"),
        ("page", "-1"),
        ("page", "1.5"),
        ("page", "99999999999"),
        ("per_page", "abc"),
        ("per_page", "0"),
        ("per_page", "²"),  # a digit to str.isdigit(), not to int()
        ("full", "maybe"),
        ("format", "xml"),  # HSDS's own parameter, not Django REST framework's override
        ("lang", "de"),
    ],
)
def test_a_parameter_that_cannot_be_understood_is_a_400_naming_it(api, seven_services, name, value):
    response = api("/services", **{name: value})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith(f"{name}:")


def test_json_is_served_whatever_the_client_accepts(api, seven_services):
    asked_for_json = api("/services", format="json")
    asked_for_xml = api("/services", headers={"accept": "application/xml"})

    assert asked_for_json.status_code == asked_for_xml.status_code == 200
    assert asked_for_xml["Content-Type"] == "application/json"


def test_minimal_services_carry_their_id_name_status_and_last_change_only(api, full_record):
    page = api("/services", minimal="true").json()

    assert [sorted(item) for item in page["contents"]] == [
        ["id", "last_modified", "name", "status"],
        ["id", "last_modified", "name", "status"],
    ]


# --- Filters --------------------------------------------------------------------------------------


def test_search_finds_services_and_organisations_through_the_public_index(api, full_record):
    clinic = OrganisationFactory(name="Clinique fiscale de Rosemont", description_fr="Impôts")
    tax_service = ServiceFactory(organisation=clinic, name_fr="Déclarations de revenus")
    search_index_rebuild()

    services = api("/services", search="fiscale").json()
    organisations = api("/organizations", search="fiscale").json()
    pairs = api("/service_at_locations", search="fiscale").json()

    assert ids(services) == [str(tax_service.uuid)]
    assert ids(organisations) == [str(clinic.uuid)]
    assert pairs["total_items"] == 0  # the clinic has no location
    assert api("/services", search="introuvable").json()["total_items"] == 0


def test_a_parent_term_finds_the_services_filed_under_its_children(api, full_record):
    food_aid = term_id(category("aide-alimentaire"))  # food is filed under two of its children

    services = api("/services", taxonomy_term_id=food_aid).json()
    pairs = api("/service_at_locations", taxonomy_term_id=food_aid).json()

    assert ids(services) == [str(full_record.food.uuid)]
    assert {p["service_id"] for p in pairs["contents"]} == {str(full_record.food.uuid)}
    assert pairs["total_items"] == 2  # at the Plateau and in Verdun


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("popote-roulante", ["food"]),  # a code, as people type it
        ("accompagnement-medical", ["transport"]),
        ("transport-accompagnement", ["transport"]),
        ("emploi", []),
        ("not-a-term", []),
    ],
)
def test_taxonomy_term_id_takes_a_term_id_or_its_code(api, full_record, term, found):
    by_code = api("/services", taxonomy_term_id=term).json()
    expected = [str(getattr(full_record, name).uuid) for name in found]

    assert ids(by_code) == expected
    if term != "not-a-term":
        by_id = api("/services", taxonomy_term_id=term_id(category(term))).json()
        assert ids(by_id) == expected


def test_taxonomy_id_finds_the_services_filed_under_any_need(api, full_record):
    unfiled = ServiceFactory(organisation=OrganisationFactory(name="Zèbre"), name_fr="Divers")

    ours = api("/services", taxonomy_id=TAXONOMY_ID).json()
    everything = api("/services").json()
    other = api("/services", taxonomy_id=derived_id("taxonomy", "other")).json()

    assert ids(ours) == [str(full_record.food.uuid), str(full_record.transport.uuid)]
    assert str(unfiled.uuid) in ids(everything)
    assert other["total_items"] == 0


def test_organization_id_keeps_that_organisations_services(api, full_record):
    other = ServiceFactory(organisation=OrganisationFactory(name="Autre"), name_fr="Autre")
    LocationFactory(organisation=other.organisation)
    organisation = str(full_record.organisation.uuid)

    services = api("/services", organization_id=organisation).json()
    pairs = api("/service_at_locations", organization_id=str(other.organisation.uuid)).json()

    assert ids(services) == [str(full_record.food.uuid), str(full_record.transport.uuid)]
    assert [p["service_id"] for p in pairs["contents"]] == [str(other.uuid)]
    assert api("/services", organization_id="nope").json()["total_items"] == 0


@pytest.fixture
def three_ages(db):
    """Organisations last changed on three dates (Montréal time), each with a service."""
    moments = {
        "before": montreal(2026, 1, 14, 23, 30),
        "morning": montreal(2026, 1, 15, 8, 0),
        "later": montreal(2026, 2, 1, 12, 0),
    }
    services = {}
    for name, moment in moments.items():
        organisation = OrganisationFactory(name=f"Organisme {name}")
        services[name] = ServiceFactory(organisation=organisation)
        updated_at(organisation, moment)
    return services


@pytest.mark.parametrize(
    ("modified_after", "found"),
    [
        ("2026-01-15", ["morning", "later"]),  # from midnight in Montréal
        ("2026-01-15T08:00:00-05:00", ["morning", "later"]),  # on or after
        ("2026-01-15T08:00:01", ["later"]),  # without an offset: Montréal time
        ("2026-01-15T13:00:01Z", ["later"]),
        ("2026-01-15T04:29:00Z", ["before", "morning", "later"]),
        ("2026-02-02", []),
    ],
)
def test_modified_after_takes_a_date_or_a_date_time(api, three_ages, modified_after, found):
    services = api("/services", modified_after=modified_after).json()
    organisations = api("/organizations", modified_after=modified_after).json()

    expected = [str(three_ages[name].uuid) for name in found]
    assert sorted(ids(services)) == sorted(expected)
    assert sorted(ids(organisations)) == sorted(
        str(three_ages[name].organisation.uuid) for name in found
    )


@pytest.mark.parametrize(
    "value", ["yesterday", "2026-02-30", "2026-01-15T25:00", "9999-12-31T23:59:59-05:00"]
)
def test_a_modified_after_that_is_not_a_date_is_a_400(api, three_ages, value):
    response = api("/services", modified_after=value)

    assert response.status_code == 400
    assert response.json()["detail"].startswith("modified_after:")


def test_taxonomy_terms_filter_by_parent_top_level_taxonomy_and_words(api, db):
    def codes(**params):
        page = api("/taxonomy_terms", per_page=200, **params).json()
        return sorted(term["code"] for term in page["contents"])

    everything = codes()
    top = codes(top_only="true")

    assert codes(parent_id=term_id(category("aide-alimentaire"))) == [
        "banques-alimentaires",
        "cuisines-collectives",
        "popote-roulante",
        "repas-communautaires",
    ]
    assert "aide-alimentaire" in top and "popote-roulante" not in top
    assert set(top) < set(everything)
    assert codes(taxonomy_id=TAXONOMY_ID) == everything
    assert codes(taxonomy_id=derived_id("taxonomy", "other")) == []
    assert codes(search="popote") == ["popote-roulante"]
    assert codes(search="meals on wheels") == ["popote-roulante"]


# --- Postcode and proximity -----------------------------------------------------------------------


@pytest.fixture
def around_the_plateau(full_record):
    """Besides the full record (serving the Plateau and Verdun, and all of Montréal): a service
    with no areas 600 m from the Plateau location, one with no areas in Laval, and one located
    on the Plateau that serves only Laval."""
    nearby = OrganisationFactory(name="Voisins du Plateau")
    nearby_location = LocationFactory(
        organisation=nearby,
        municipality=territory("le-plateau-mont-royal"),
        postal_code="H2T 1S6",
        latitude=45.5230,
        longitude=-73.5750,
    )
    nearby_service = ServiceFactory(organisation=nearby, name_fr="Halte-garderie")
    in_laval = OrganisationFactory(name="Centre lavallois")
    LocationFactory(
        organisation=in_laval,
        municipality=territory("laval"),
        postal_code="H7N 1A1",
        latitude=45.5600,
        longitude=-73.7100,
    )
    laval_service = ServiceFactory(organisation=in_laval, name_fr="Aide aux devoirs")
    serving_laval = OrganisationFactory(name="Bureau lavallois du Plateau")
    LocationFactory(
        organisation=serving_laval,
        municipality=territory("le-plateau-mont-royal"),
        postal_code="H2X 3J7",
        latitude=45.5191,
        longitude=-73.5696,
    )
    laval_areas = ServiceFactory(
        organisation=serving_laval,
        name_fr="Transport vers Laval",
        service_areas=[territory("laval")],
    )
    return {
        "record": full_record,
        "nearby": nearby_service,
        "nearby_location": nearby_location,
        "laval": laval_service,
        "laval_areas": laval_areas,
    }


def _service_ids(page) -> set[str]:
    return {item["service_id"] for item in page["contents"]}


def test_a_postcode_keeps_the_services_whose_areas_or_place_cover_it(api, around_the_plateau):
    places = around_the_plateau
    record = places["record"]

    page = api("/service_at_locations", postcode=PLATEAU_POSTCODE).json()

    assert _service_ids(page) == {
        str(record.food.uuid),  # serves the Plateau
        str(record.transport.uuid),  # serves all of Montréal, which holds the Plateau
        str(places["nearby"].uuid),  # no areas: its place is on the Plateau
    }
    assert str(places["laval"].uuid) not in _service_ids(page)  # no areas, in Laval
    # On the Plateau, but its areas say it serves Laval only.
    assert str(places["laval_areas"].uuid) not in _service_ids(page)


def test_proximity_is_metres_from_the_postcodes_centre_nearest_first(api, around_the_plateau):
    record = around_the_plateau["record"]
    plateau, verdun = str(record.plateau.uuid), str(record.verdun.uuid)
    nearby = str(around_the_plateau["nearby_location"].uuid)

    def locations(metres):
        page = api("/service_at_locations", postcode="h2x3j7", proximity=metres).json()
        return [item["location_id"] for item in page["contents"]]

    assert locations("500") == [plateau, plateau]  # the food and transport services
    assert locations("700") == [plateau, plateau, nearby]  # 600 m away
    assert locations("10000") == [plateau, plateau, nearby, verdun, verdun]  # 6.3 km away


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"proximity": "1000"}, "proximity"),
        ({"postcode": PLATEAU_POSTCODE, "proximity": "far"}, "proximity"),
        ({"postcode": PLATEAU_POSTCODE, "proximity": "0"}, "proximity"),
        ({"postcode": "12345"}, "postcode"),
        ({"postcode": "Z9Z 9Z9"}, "postcode"),
    ],
)
def test_a_proximity_without_a_postcode_or_a_bad_postcode_is_a_400(api, full_record, params, named):
    response = api("/service_at_locations", **params)

    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"{named}:")


def test_a_postcode_we_do_not_have_is_asked_of_the_geocoder_once(
    api, around_the_plateau, nominatim
):
    nearby = around_the_plateau["nearby_location"]
    nominatim.add(
        "H2W 1A1",
        place(
            nearby.latitude, nearby.longitude, city="Montréal", kind="postcode", postcode="H2W 1A1"
        ),
    )

    first = api("/service_at_locations", postcode="H2W 1A1", proximity="100").json()
    again = api("/service_at_locations", postcode="H2W 1A1", proximity="100", lang="en").json()

    assert [item["location_id"] for item in first["contents"]] == [str(nearby.uuid)]
    assert again["contents"][0]["location_id"] == str(nearby.uuid)
    assert len(nominatim.search_requests()) == 1  # the second answer came from the cache
    assert "H2W 1A1" in nominatim.search_requests()[0].query


def test_a_postcode_only_a_draft_record_uses_is_not_located_from_it(api, full_record, nominatim):
    LocationFactory(
        organisation=full_record.draft, postal_code="H3Z 2Y7", latitude=45.60, longitude=-73.80
    )
    nominatim.add("H3Z 2Y7", place(45.4850, -73.5800, city="Montréal", kind="postcode"))

    page = api("/service_at_locations", postcode="H3Z 2Y7", proximity="3000").json()

    assert len(nominatim.search_requests()) == 1
    assert {item["location_id"] for item in page["contents"]} == {str(full_record.verdun.uuid)}


def test_a_postcode_the_geocoder_does_not_know_is_a_400(api, full_record, nominatim):
    response = api("/service_at_locations", postcode="H9X 9X9")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("postcode:")


# --- Schedules and their zone ----------------------------------------------------------------------


def _schedules(api, record, language: str) -> list[dict]:
    organisation = api(f"/organizations/{record.organisation.uuid}", lang=language).json()
    return [s for location in organisation["locations"] for s in location["schedules"]]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    ("day", "offset", "hours"), [(WINTER, "-05:00", -5), (SUMMER, "-04:00", -4)]
)
def test_every_schedule_carries_montreals_offset_from_utc(
    api, full_record, today, language, day, offset, hours
):
    """HSDS reads a time without a zone as UTC: 09:00 alone would be 4 or 5 hours off."""
    today(day)

    schedules = _schedules(api, full_record, language)

    assert len(schedules) == 7  # the shelter's hours are not there
    assert {s["timezone"] for s in schedules} == {hours}
    for schedule in schedules:
        for name in ("opens_at", "closes_at"):
            if name in schedule:
                assert schedule[name].endswith(offset), schedule
    [monday] = [s for s in schedules if s["byday"] == "MO"]
    assert (monday["opens_at"], monday["closes_at"]) == (f"09:00{offset}", f"12:00{offset}")
    service = api(f"/services/{full_record.food.uuid}", lang=language).json()
    at_plateau = service["service_at_locations"][0]
    assert at_plateau["schedules"][0]["opens_at"] == f"09:00{offset}"
    assert at_plateau["location"]["schedules"][0]["timezone"] == hours


@pytest.mark.parametrize(("day", "utc"), [(WINTER, "14:00"), (SUMMER, "13:00")])
def test_a_consumer_following_the_spec_reads_nine_in_montreal_as_nine_in_montreal(
    api, full_record, today, day, utc
):
    """What an application does with a schedule: the next day it happens, at its time with its
    offset, to UTC; then to Montréal's time for a person there."""
    today(day)
    [monday] = [s for s in _schedules(api, full_record, "fr") if s["byday"] == "MO"]

    opens = time.fromisoformat(monday["opens_at"])  # 09:00-05:00: a time with its zone
    next_monday = day + timedelta(days=(7 - day.weekday()) % 7)
    moment = datetime.combine(next_monday, opens)

    assert opens.tzinfo is not None
    assert moment.astimezone(UTC).strftime("%H:%M") == utc
    assert moment.astimezone(ZoneInfo("America/Toronto")).strftime("%H:%M") == "09:00"
    # The number says the same: the time minus the offset in hours.
    assert (9 - monday["timezone"]) % 24 == int(utc[:2])


def test_in_the_week_the_clocks_change_each_day_has_the_offset_of_its_next_date(
    api, full_record, today
):
    today(BEFORE_FALL_BACK)  # Saturday 31 October; Sunday 1 November at 2:00 is 1:00

    by_day = {s["byday"]: s for s in _schedules(api, full_record, "fr")}

    assert by_day["SA"]["timezone"] == -4  # today, still daylight time
    assert (by_day["MO"]["opens_at"], by_day["MO"]["timezone"]) == ("09:00-05:00", -5)
    assert by_day["FR"]["opens_at"] == "09:00-05:00"  # next Friday, 6 November


def test_the_root_names_the_time_zone(api, db):
    assert api("/").json()["timezone"] == settings.TIME_ZONE == "America/Toronto"


def test_the_openapi_document_says_how_hours_carry_their_zone(client, db):
    description = client.get("/api/hsds/openapi.json").json()["info"]["description"]

    assert "America/Toronto" in description
    assert "09:00-05:00" in description


def test_answers_change_with_the_clocks_for_etag_and_if_modified_since(api, full_record, today):
    PublicVersion.objects.update_or_create(
        pk=1, defaults={"number": 7, "changed_at": datetime(2025, 12, 1, tzinfo=UTC)}
    )
    today(WINTER)
    winter = api("/organizations", full="true")
    today(WINTER + timedelta(days=1))
    next_day = api("/organizations", full="true", headers={"if-none-match": winter["ETag"]})
    today(SUMMER)
    summer = api("/organizations", full="true", headers={"if-none-match": winter["ETag"]})
    since = api(
        "/organizations", full="true", headers={"if-modified-since": winter["Last-Modified"]}
    )

    assert next_day.status_code == 304  # the same offsets: the same answer
    assert summer.status_code == 200
    assert summer["ETag"] != winter["ETag"]
    assert "-04:00" in summer.text and "-05:00" not in summer.text
    assert since.status_code == 200
    # Last-Modified: midnight of the first day whose week ahead is all daylight time, Monday
    # 9 March 2026 (the clocks went forward at 2:00 on the 8th).
    assert parse_http_date(summer["Last-Modified"]) == int(
        datetime(2026, 3, 9, tzinfo=ZoneInfo("America/Toronto")).timestamp()
    )


# --- Languages ------------------------------------------------------------------------------------


def test_english_is_given_with_lang_en_and_falls_back_to_french(api, full_record):
    response = api(
        f"/organizations/{full_record.organisation.uuid}", full_service="true", lang="en"
    )
    organisation = response.json()
    food, transport = organisation["services"]

    assert response["Content-Language"] == "en"
    assert organisation["description"] == "Emergency food, accompaniment and shelter."
    assert organisation["legal_status"] == "Registered charity"
    assert organisation["uri"].endswith("/en/organisations/maison-entraide-plateau/")
    assert (food["name"], food["fees_description"]) == ("Emergency food", "Free.")
    assert food["languages"][0]["name"] == "French"
    assert food["attributes"][0]["taxonomy_term"]["name"] == "Food banks and emergency food"
    assert food["service_areas"][1]["uri"].endswith("/en/search/?area=verdun")
    # No English text: the French one rather than nothing.
    assert transport["name"] == "Accompagnement-transport médical"
    assert transport["eligibility_description"] == "Personnes aînées."
    assert organisation["locations"][1]["schedules"][0]["description"] == "Closed"


@pytest.mark.parametrize(
    ("params", "accept_language", "expected"),
    [
        ({}, "", "fr"),
        ({}, "en-CA,en;q=0.9", "en"),
        ({}, "de", "fr"),
        ({"lang": "fr"}, "en", "fr"),
        ({"lang": "EN"}, "", "en"),
    ],
)
def test_the_language_comes_from_lang_else_accept_language_else_french(
    api, full_record, params, accept_language, expected
):
    headers = {"accept-language": accept_language} if accept_language else {}

    response = api(f"/services/{full_record.food.uuid}", headers=headers, **params)

    assert response["Content-Language"] == expected
    assert (
        response.json()["name"] == {"fr": "Dépannage alimentaire", "en": "Emergency food"}[expected]
    )
    assert "Accept-Language" in response["Vary"]


def test_the_root_says_which_languages_exist(api, db):
    root = api("/").json()

    assert root["version"] == "3.0"
    assert root["openapi_url"] == "http://testserver/api/hsds/openapi.json"
    assert (root["languages"], root["default_language"]) == (["fr", "en"], "fr")


# --- Conditional requests and caching -------------------------------------------------------------


def test_an_etag_gets_a_304_until_the_next_publication(
    api, full_record, django_capture_on_commit_callbacks
):
    first = api("/services")

    unchanged = api("/services", headers={"if-none-match": first["ETag"]})
    publish(full_record.organisation, django_capture_on_commit_callbacks, name="MEP du Plateau")
    changed = api("/services", headers={"if-none-match": first["ETag"]})

    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["ETag"] == first["ETag"]
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert changed.json()["contents"][0]["organization"]["name"] == "MEP du Plateau"


def test_if_modified_since_gets_a_304_until_the_next_publication(
    api, full_record, django_capture_on_commit_callbacks
):
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    PublicVersion.objects.update_or_create(pk=1, defaults={"number": 7, "changed_at": an_hour_ago})
    first = api("/organizations")

    unchanged = api("/organizations", headers={"if-modified-since": first["Last-Modified"]})
    publish(full_record.organisation, django_capture_on_commit_callbacks, name="MEP du Plateau")
    changed = api("/organizations", headers={"if-modified-since": first["Last-Modified"]})

    assert parse_http_date(first["Last-Modified"]) == int(an_hour_ago.timestamp())
    assert unchanged.status_code == 304
    assert changed.status_code == 200
    assert parse_http_date(changed["Last-Modified"]) > parse_http_date(first["Last-Modified"])


def test_the_etag_differs_by_language_and_by_query(api, full_record):
    french = api("/services")["ETag"]

    assert api("/services", headers={"accept-language": "en"})["ETag"] != french
    assert api("/services", page=2)["ETag"] != french
    assert api("/services")["ETag"] == french


def test_responses_may_be_cached_publicly_and_read_from_any_site(api, full_record):
    response = api("/services")

    assert response["Cache-Control"] == f"public, max-age={settings.REPERTOIRE_API_CACHE_SECONDS}"
    assert response["Access-Control-Allow-Origin"] == "*"


# --- Rate limit -----------------------------------------------------------------------------------


def test_the_rate_limit_is_the_configured_one():
    assert ScopedRateThrottle.THROTTLE_RATES["hsds"] == settings.REPERTOIRE_API_RATE


def test_past_the_rate_limit_an_address_gets_a_429_with_retry_after(api, client, db, monkeypatch):
    # DRF reads the rates once, when the throttle class is defined: overriding the setting
    # would not reach it. (The autouse fixture empties the cache, so no request is counted yet.)
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"hsds": "3/minute"})

    allowed = [api("/taxonomies").status_code for _ in range(3)]
    refused = api("/taxonomies")
    elsewhere = client.get("/api/hsds/taxonomies", REMOTE_ADDR="203.0.113.7")

    assert allowed == [200, 200, 200]
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"]
    assert elsewhere.status_code == 200  # counted per client address


# --- Queries --------------------------------------------------------------------------------------


@pytest.fixture
def forty_records(db):
    """Forty organisations, each with a phone, a location with hours and a filed service."""
    need, area = category("popote-roulante"), territory("verdun")
    for n in range(40):
        organisation = OrganisationFactory(
            name=f"Organisme {n:02d}", enterprise_number=f"{1140000000 + n}"
        )
        PhoneFactory(organisation=organisation, extension="12")
        location = LocationFactory(organisation=organisation, municipality=area)
        OpeningHoursFactory(location=location)
        ServiceFactory(organisation=organisation, categories=[need], service_areas=[area])


def _queries(api, path, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api(path, **params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/services", {"full": "true"}),
        ("/organizations", {"full": "true", "full_service": "true"}),
        ("/service_at_locations", {"full": "true"}),
    ],
)
def test_a_page_costs_the_same_queries_whatever_its_size(api, forty_records, path, params):
    api(path, per_page=1, **params)  # once for what a process reads once (the site's root)
    five = _queries(api, path, per_page=5, **params)
    forty = _queries(api, path, per_page=40, **params)

    assert five == forty
    assert forty <= 20
