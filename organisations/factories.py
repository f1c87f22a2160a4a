"""factory_boy factories for tests (factory_boy is a development dependency)."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .models import Category, Location, OpeningHours, Organisation, Phone, Service, Territory


def territory(slug: str) -> Territory:
    """Reference data are loaded by migration: tests pick real places by slug."""
    return Territory.objects.get(slug=slug)


def category(code: str) -> Category:
    return Category.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name", locale="fr_CA")
    last_name = factory.Faker("last_name", locale="fr_CA")
    password = factory.django.Password("password")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for name in extracted or []:
            self.groups.add(Group.objects.get(name=name))


class OrganisationFactory(factory.django.DjangoModelFactory):
    """A live organisation with no children; add them with the child factories."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Centre d'entraide numéro {n}")
    slug = factory.Sequence(lambda n: f"centre-entraide-{n}")
    description_fr = "Aide alimentaire et soutien aux familles."
    description_en = "Food aid and family support."
    email = factory.LazyAttribute(lambda o: f"info@{o.slug}.example.org")
    live = True
    has_unpublished_changes = False


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name_fr = "Dépannage alimentaire"
    name_en = "Emergency food"

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if extracted:
            self.categories.set(extracted)
            if create:
                self.categories.commit()

    @factory.post_generation
    def service_areas(self, create, extracted, **kwargs):
        if extracted:
            self.service_areas.set(extracted)
            if create:
                self.service_areas.commit()


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    organisation = factory.SubFactory(OrganisationFactory)
    street_address = factory.Sequence(lambda n: f"{100 + n} rue Principale")
    municipality = factory.LazyFunction(lambda: territory("longueuil"))
    postal_code = "J4K 1A1"
    latitude = 45.53
    longitude = -73.51


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    location = factory.SubFactory(LocationFactory)
    weekday = OpeningHours.Weekday.TUESDAY
    opens = "09:00"
    closes = "12:00"


class PhoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phone

    organisation = factory.SubFactory(OrganisationFactory)
    number = "+14505551234"
