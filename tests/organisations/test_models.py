import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from organisations.factories import (
    LocationFactory,
    OpeningHoursFactory,
    OrganisationFactory,
    PhoneFactory,
    territory,
)
from organisations.models import Organisation, OrganisationIdentifier, Service, bilingual
from organisations.phones import format_phone_national, normalise_phone

pytestmark = pytest.mark.django_db


def test_reference_data_is_loaded_by_migration():
    from organisations.models import Category, Territory

    assert Territory.objects.filter(kind="municipality").count() == 82
    assert Territory.objects.filter(kind="sector").count() == 5
    assert Territory.objects.filter(kind__in=["borough", "district"]).count() == 36
    assert Category.objects.filter(parent=None).count() >= 19


def test_a_territory_knows_its_sector_and_falls_back_to_its_parents_centre():
    duvernay = territory("duvernay")  # a Laval district without its own centre point
    assert duvernay.sector.slug == "secteur-laval"
    assert duvernay.centre == territory("laval").centre
    assert territory("anjou").sector.slug == "secteur-agglomeration-de-montreal"


def test_every_record_and_child_gets_its_own_uuid():
    location = LocationFactory()
    other = LocationFactory(organisation=location.organisation)
    assert location.uuid != other.uuid
    assert location.organisation.uuid not in {location.uuid, other.uuid}


def test_slugs_are_unique_and_derived_from_the_name():
    first = OrganisationFactory(name="Café de l'Itinérance", slug="cafe-de-litinerance")
    second = Organisation(name="Café de l'Itinérance")
    assert second.make_unique_slug() == "cafe-de-litinerance-2"
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(slug=first.slug)


def test_coordinates_come_in_pairs():
    with pytest.raises(IntegrityError), transaction.atomic():
        LocationFactory(latitude=45.5, longitude=None)


def test_closing_time_must_follow_opening_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningHoursFactory(opens="14:00", closes="09:00")


def test_a_partner_identifier_belongs_to_one_organisation_per_scheme():
    a, b = OrganisationFactory(), OrganisationFactory()
    OrganisationIdentifier.objects.create(organisation=a, scheme="ville-laval", identifier="42")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationIdentifier.objects.create(organisation=b, scheme="ville-laval", identifier="42")


def test_postal_codes_are_stored_in_canonical_form_and_validated():
    location = LocationFactory(postal_code="h2x1y4")
    assert location.postal_code == "H2X 1Y4"
    location.postal_code = "H2X 1Y"
    with pytest.raises(ValidationError) as error:
        location.full_clean()
    assert "postal_code" in error.value.message_dict


@pytest.mark.parametrize(
    "raw", ["514 555-1234", "(514) 555-1234", "+1 514 555 1234", "5145551234.0", "1-514-555-1234"]
)
def test_phone_numbers_are_stored_in_e164_whatever_their_shape(raw):
    assert normalise_phone(raw) == "+15145551234"
    assert format_phone_national("+15145551234") == "(514) 555-1234"


def test_a_phone_that_is_not_a_number_is_refused_on_its_field():
    phone = PhoneFactory.build(organisation=OrganisationFactory(), number="pas de téléphone")
    with pytest.raises(ValidationError) as error:
        phone.full_clean()
    assert "number" in error.value.message_dict


def test_phone_links_carry_the_extension():
    phone = PhoneFactory(number="+15145551234", extension="204")
    assert phone.tel_uri == "tel:+15145551234;ext=204"


def test_bilingual_text_falls_back_to_french():
    service = Service(name_fr="Popote roulante", name_en="")
    with translation.override("en"):
        assert bilingual(service, "name") == "Popote roulante"
    service.name_en = "Meals on wheels"
    with translation.override("en"):
        assert service.name == "Meals on wheels"
    with translation.override("fr"):
        assert service.name == "Popote roulante"


def test_publishing_an_older_draft_never_rolls_back_a_verification():
    organisation = OrganisationFactory(description_fr="Ancienne description")
    organisation.description_fr = "Nouvelle description"
    revision = organisation.save_revision()
    verified = timezone.now()
    Organisation.objects.filter(pk=organisation.pk).update(
        last_verified_at=verified, verified_by="Nadia"
    )
    organisation.refresh_from_db()

    revision.publish()

    organisation.refresh_from_db()
    assert organisation.description_fr == "Nouvelle description"
    assert organisation.last_verified_at == verified
    assert organisation.verified_by == "Nadia"


def test_the_public_queryset_shows_only_live_records_that_are_not_closed():
    live = OrganisationFactory()
    OrganisationFactory(live=False)
    OrganisationFactory(status=Organisation.Status.CLOSED)
    assert list(Organisation.objects.public()) == [live]
