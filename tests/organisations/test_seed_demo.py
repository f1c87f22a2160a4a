"""The demo data generator: realistic, reproducible records across the CMM, written in bulk."""

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone
from reversion.models import Revision
from wagtail.models import WorkflowState
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from organisations.demo import demo_seed
from organisations.models import (
    AuditSource,
    Contact,
    Location,
    OpeningHours,
    Organisation,
    Phone,
    Service,
    Territory,
    postal_code_validator,
)
from organisations.phones import normalise_phone

pytestmark = pytest.mark.django_db

N = 40
H_SECTORS = {"secteur-agglomeration-de-montreal", "secteur-laval"}


@pytest.fixture
def seeded():
    """40 organisations, 2 of them with a draft in review."""
    return demo_seed(organisations=N, seed=7, drafts=2, index=True)


@pytest.fixture
def sectors():
    """The slug of each municipality's or borough's sector, by territory id."""
    territories = {t.pk: t for t in Territory.objects.all()}

    def sector(territory):
        while territory.kind != Territory.Kind.SECTOR:
            territory = territories[territory.parent_id]
        return territory.slug

    return {pk: sector(t) for pk, t in territories.items() if t.parent_id}


def snapshot() -> dict:
    """What the seed decides: names, slugs, UUIDs, addresses, phones, needs and areas served."""
    return {
        "organisations": list(
            Organisation.objects.order_by("uuid").values_list(
                "uuid", "name", "alternate_name", "slug", "email", "update_contact_phone"
            )
        ),
        "services": list(
            Service.objects.order_by("uuid").values_list("uuid", "organisation__uuid", "name_fr")
        ),
        "locations": list(
            Location.objects.order_by("uuid").values_list(
                "uuid", "street_address", "postal_code", "municipality__slug", "latitude"
            )
        ),
        "phones": list(Phone.objects.order_by("uuid").values_list("uuid", "number", "kind")),
        "hours": list(OpeningHours.objects.order_by("uuid").values_list("uuid", "weekday")),
        "contacts": list(Contact.objects.order_by("uuid").values_list("uuid", "name", "phone")),
        "needs": sorted(
            Service.categories.through.objects.values_list("service__uuid", "category__code")
        ),
        "areas": sorted(
            Service.service_areas.through.objects.values_list("service__uuid", "territory__slug")
        ),
    }


def test_it_creates_the_organisations_asked_for_with_all_their_children(seeded):
    assert Organisation.objects.count() == N == seeded["organisations"]
    for model, key in (
        (Service, "services"),
        (Location, "locations"),
        (Phone, "phones"),
        (OpeningHours, "hours"),
        (Contact, "contacts"),
    ):
        assert model.objects.count() == seeded[key]
    assert Service.categories.through.objects.count() == seeded["category_links"]
    assert Service.service_areas.through.objects.count() == seeded["area_links"]
    for organisation in Organisation.objects.prefetch_related("services", "locations", "phones"):
        assert organisation.live
        assert organisation.services.all() and organisation.locations.all()
        assert organisation.phones.all()
        assert organisation.update_contact_email.endswith(".example.org")
        assert organisation.preferred_language in {"fr", "en"}


def test_the_same_seed_gives_the_same_data():
    demo_seed(organisations=N, seed=11, drafts=0, index=False)
    first = snapshot()
    Organisation.objects.all().delete()
    demo_seed(organisations=N, seed=11, drafts=0, index=False)
    assert snapshot() == first


def test_a_different_seed_gives_different_data():
    demo_seed(organisations=N, seed=11, drafts=0, index=False)
    first = snapshot()
    Organisation.objects.all().delete()
    demo_seed(organisations=N, seed=12, drafts=0, index=False)
    second = snapshot()
    assert {row[0] for row in first["organisations"]}.isdisjoint(
        row[0] for row in second["organisations"]
    )
    for key, column in (("organisations", 1), ("locations", 2), ("phones", 1)):
        assert sorted(row[column] for row in first[key]) != sorted(
            row[column] for row in second[key]
        )


def test_adding_to_existing_records_keeps_slugs_and_uuids_unique():
    demo_seed(organisations=N, seed=11, drafts=0, index=False)
    demo_seed(organisations=N, seed=11, drafts=0, index=False)
    assert Organisation.objects.count() == 2 * N
    assert Organisation.objects.values("slug").distinct().count() == 2 * N


def test_records_pass_model_validation(seeded):
    for organisation in Organisation.objects.order_by("pk")[:10]:
        organisation.full_clean()
        children = [
            *organisation.services.all(),
            *organisation.phones.all(),
            *organisation.contacts.all(),
        ]
        for location in organisation.locations.all():
            children += [location, *location.hours.all()]
        for child in children:
            child.full_clean()


def test_postal_codes_have_the_areas_shape(seeded, sectors):
    for location in Location.objects.all():
        postal_code_validator(location.postal_code)
        expected = "H" if sectors[location.municipality_id] in H_SECTORS else "J"
        assert location.postal_code[0] == expected, (location.municipality_id, location.postal_code)
        assert not set(location.postal_code) & set("DFIOQU")


def test_every_phone_is_a_valid_number_stored_in_e164(seeded, sectors):
    numbers = [
        *Phone.objects.values_list("number", flat=True),
        *Contact.objects.values_list("phone", flat=True),
        *Organisation.objects.values_list("update_contact_phone", flat=True),
    ]
    assert numbers
    for number in numbers:
        assert normalise_phone(number) == number
    for phone in Phone.objects.exclude(kind="toll_free").select_related("organisation"):
        home = phone.organisation.locations.order_by("sort_order").first()
        montreal = sectors[home.municipality_id] == "secteur-agglomeration-de-montreal"
        assert phone.number[2:5] in ({"514", "438"} if montreal else {"450", "579"})


def test_locations_are_near_the_centre_of_their_municipality(seeded):
    for location in Location.objects.exclude(latitude=None).select_related("municipality"):
        latitude, longitude = location.municipality.centre
        assert abs(location.latitude - latitude) < 0.05
        assert abs(location.longitude - longitude) < 0.05


def test_services_are_filed_under_needs_and_serve_their_own_territory(seeded):
    for service in Service.objects.prefetch_related(
        "categories__children", "service_areas", "organisation__locations"
    ):
        assert service.categories.all()
        assert all(not category.children.all() for category in service.categories.all())
        home = min(service.organisation.locations.all(), key=lambda place: place.sort_order)
        assert home.municipality_id in {area.pk for area in service.service_areas.all()}


def test_the_sample_has_the_proportions_of_a_real_directory():
    demo_seed(organisations=300, seed=3, drafts=0, index=False)
    locations = Location.objects.count()
    confidential = Location.objects.filter(address_is_confidential=True)
    assert 0.01 < confidential.count() / locations < 0.08
    # Confidential addresses are shelters for people leaving violence.
    for location in confidential.select_related("organisation"):
        assert location.organisation.services.filter(categories__parent__code="violence").exists()
    assert Service.objects.filter(status=Service.Status.TEMPORARILY_CLOSED).exists()
    assert Organisation.objects.filter(status=Organisation.Status.INACTIVE).exists()
    assert Organisation.objects.filter(description_en="").exists()
    assert Organisation.objects.exclude(description_en="").exists()

    # Verifications spread over the last 18 months, so some records are overdue; some never.
    now = timezone.now()
    verified = Organisation.objects.exclude(last_verified_at=None)
    assert Organisation.objects.filter(last_verified_at=None, next_review_due=None).exists()
    dates = sorted(verified.values_list("last_verified_at", flat=True))
    assert now - timedelta(days=549) <= dates[0] < now - timedelta(days=450)
    assert now - timedelta(days=90) < dates[-1] <= now
    assert sum(date < now - timedelta(days=365) for date in dates) > len(dates) / 5
    interval = timedelta(days=settings.REPERTOIRE_REVIEW_INTERVAL_DAYS)
    for organisation in verified:
        assert organisation.verified_by
        expected = timezone.localtime(organisation.last_verified_at).date() + interval
        assert organisation.next_review_due == expected


def test_drafts_are_in_review_and_the_live_record_is_unchanged(seeded):
    states = WorkflowState.objects.filter(
        status=WorkflowState.STATUS_IN_PROGRESS,
        base_content_type=ContentType.objects.get_for_model(Organisation),
    )
    assert states.count() == seeded["drafts"] == 2
    for state in states:
        organisation = Organisation.objects.get(pk=state.object_id)
        assert organisation.live and organisation.has_unpublished_changes
        draft = organisation.get_latest_revision_as_object()
        assert draft.description_fr != organisation.description_fr
        assert draft.description_fr.startswith(organisation.description_fr)
    assert Organisation.objects.filter(has_unpublished_changes=True).count() == 2
    audit = Revision.objects.get(audit_source__reference="seed_demo")
    assert audit.audit_source.source == AuditSource.Source.COMMAND


def test_new_records_are_found_by_the_admin_search(seeded):
    organisation = Organisation.objects.order_by("pk").first()
    results = get_search_backend().search(organisation.name, Organisation)
    assert organisation in list(results)
    organisation_type = ContentType.objects.get_for_model(Organisation)
    assert IndexEntry.objects.filter(content_type=organisation_type).count() == N


def test_no_index_leaves_the_search_index_alone():
    demo_seed(organisations=5, seed=1, drafts=0, index=False)
    assert not IndexEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Organisation)
    ).exists()


def test_if_empty_seeds_an_empty_database_and_leaves_a_full_one_alone():
    out = io.StringIO()
    call_command("seed_demo", "--organisations", "5", "--drafts", "0", "--if-empty", stdout=out)
    assert Organisation.objects.count() == 5
    assert "5 organisations" in out.getvalue()

    out = io.StringIO()
    call_command("seed_demo", "--organisations", "5", "--if-empty", stdout=out)
    assert Organisation.objects.count() == 5
    assert "no demo data added" in out.getvalue()


def test_the_demo_comes_with_its_quality_results_and_probable_duplicates():
    """`make run` shows the quality panel, the report and the duplicates filled in (issue 15)."""
    from organisations.models import QualityRun

    out = io.StringIO()
    call_command("seed_demo", "--organisations", "8", "--drafts", "0", stdout=out)

    assert QualityRun.objects.get().checked == 8
    assert "Data quality: 8 records checked" in out.getvalue()


def test_no_quality_leaves_the_checks_to_quality_run():
    from organisations.models import QualityRun

    call_command(
        "seed_demo", "--organisations", "3", "--drafts", "0", "--no-quality", stdout=io.StringIO()
    )

    assert not QualityRun.objects.exists()
