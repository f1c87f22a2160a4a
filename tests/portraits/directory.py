"""A small directory for the request screen's tests (unit and browser)."""

from organisations.factories import (
    LocationFactory,
    OrganisationFactory,
    PhoneFactory,
    ServiceFactory,
    category,
    territory,
)
from organisations.search import search_index_rebuild


def serving(name, need, place, *, point=None, areas=None, phone="+15145550100"):
    """A public organisation meeting ``need`` (a code) at ``place`` (a slug), serving ``areas``
    (slugs; the place by default)."""
    organisation = OrganisationFactory(name=name)
    where = territory(place)
    latitude, longitude = point or where.centre
    LocationFactory(
        organisation=organisation,
        municipality=where,
        latitude=latitude,
        longitude=longitude,
        postal_code="H1H 1A1",
    )
    ServiceFactory(
        organisation=organisation,
        name_fr=f"Service de {name}",
        categories=[category(need)],
        service_areas=[territory(slug) for slug in (areas or [place])],
    )
    PhoneFactory(organisation=organisation, number=phone)
    return organisation


def small_directory() -> dict:
    """Three food banks in Montréal-Nord (nearest to its centre first), one in Laval, a mover
    serving the whole island, indexed for the public search."""
    north = territory("montreal-nord").centre
    found = {
        "near": serving(
            "Banque alimentaire du Nord", "banques-alimentaires", "montreal-nord", point=north
        ),
        "middle": serving(
            "Dépannage Pie-IX",
            "banques-alimentaires",
            "montreal-nord",
            point=(north[0] + 0.01, north[1]),
        ),
        "far": serving(
            "Frigo solidaire Henri-Bourassa",
            "aide-alimentaire",
            "montreal-nord",
            point=(north[0] + 0.03, north[1] + 0.02),
        ),
        "laval": serving("Moisson Laval", "banques-alimentaires", "laval"),
        "movers": serving(
            "Déménagement solidaire",
            "demenagement",
            "verdun",
            areas=["secteur-agglomeration-de-montreal"],
        ),
    }
    search_index_rebuild()
    return found
