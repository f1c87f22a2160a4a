"""The quality panel on an organisation's edit page: the record's stored problems, most severe
first, each with its hint and a link to the field it is about; the last check; the probable
duplicates to decide."""

import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from organisations.factories import OrganisationFactory, PhoneFactory, ServiceFactory
from organisations.models import DuplicatePair, QualityIssue, QualityRun
from organisations.quality.checks import CHECKS_BY_CODE
from organisations.quality.services import quality_recompute

pytestmark = pytest.mark.django_db


def _panel(response) -> str:
    """The panel's HTML (its outer ``div``), unescaped."""
    page = response.content.decode()
    start = page.index('<div class="quality-panel">')
    depth, position = 0, start
    for tag in re.finditer(r"<(/?)div\b", page[start:]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            position = start + tag.end()
            break
    return html.unescape(page[start:position])


def _in_page_language(response, code: str) -> tuple[str, str]:
    """A check's message and hint in the language the admin answered in."""
    check = CHECKS_BY_CODE[code]
    with translation.override(response["Content-Language"]):
        return str(check.message), str(check.hint)


@pytest.fixture
def record():
    """Never verified, no French description, a second phone that cannot be dialled and a
    service filed under no need: one severe problem, three warnings."""
    organisation = OrganisationFactory(name="Maison de la famille", description_fr="")
    PhoneFactory(organisation=organisation, number="+15145551234", sort_order=0)
    PhoneFactory(organisation=organisation, number="123", sort_order=1)
    ServiceFactory(organisation=organisation, service_areas=[])
    quality_recompute(organisation_ids=[organisation.pk])
    return organisation


def test_the_panel_lists_the_problems_most_severe_first_with_their_hints(
    client_for, curator, record
):
    response = client_for(curator).get(record.get_admin_url())

    assert response.status_code == 200
    panel = _panel(response)
    codes = re.findall(r'data-quality-check="([a-z_]+)"', panel)
    assert codes[0] == "phone_invalid"  # the only severe one
    assert set(codes) == set(
        QualityIssue.objects.filter(organisation=record).values_list("code", flat=True)
    )
    for code in codes:
        message, hint = _in_page_language(response, code)
        assert message in panel
        assert hint in panel
    assert "(123)" in panel  # which phone


def test_each_problem_links_to_its_field_on_the_form(client_for, curator, record):
    response = client_for(curator).get(record.get_admin_url())

    page = response.content.decode()
    panel = _panel(response)
    assert 'href="#id_phones-1-number"' in panel  # the second phone, the one that is wrong
    assert 'href="#id_description_fr"' in panel
    assert 'href="#id_services-0-categories"' in panel
    # Wagtail's focus controller opens the tab that holds the field.
    assert 'data-controller="w-focus"' in panel
    for anchor in re.findall(r'<a href="#([^"]+)"', panel):
        assert f'id="{anchor}"' in page, anchor
    # Only a verification changes the review dates: that problem links to recording one.
    assert reverse("review_verify", args=[record.pk]) in panel


def test_the_panel_heading_counts_the_problems(client_for, curator, record):
    response = client_for(curator).get(record.get_admin_url())

    count = QualityIssue.objects.filter(organisation=record).count()
    assert f": {count} " in html.unescape(response.content.decode())


def test_a_record_nobody_can_reach_links_to_adding_a_phone(client_for, curator):
    organisation = OrganisationFactory(email="", website="")
    quality_recompute(organisation_ids=[organisation.pk])

    response = client_for(curator).get(organisation.get_admin_url())

    panel = _panel(response)
    assert 'data-quality-check="no_contact_means"' in panel
    assert 'href="#id_phones-ADD"' in panel
    assert 'id="id_phones-ADD"' in response.content.decode()


def test_the_panel_gives_the_date_of_the_last_check_and_says_when_nothing_is_wrong(
    client_for, curator
):
    organisation = OrganisationFactory()
    QualityRun.objects.create(finished_at=timezone.now())

    response = client_for(curator).get(organisation.get_admin_url())

    panel = _panel(response)
    assert "data-quality-check" not in panel
    assert "quality-problems" not in panel
    assert response.context is not None
    with translation.override(response["Content-Language"]):
        from django.utils.formats import date_format

        when = date_format(
            timezone.localtime(QualityRun.objects.get().finished_at), "DATETIME_FORMAT"
        )
    assert when in panel


def test_the_panel_lists_the_probable_duplicates_to_decide(client_for, curator):
    organisation = OrganisationFactory(name="Centre d'entraide de Verdun")
    twin = OrganisationFactory(name="Centre d’entraide Verdun")
    dismissed = OrganisationFactory(name="Entraide Verdun (autre)")
    first, second = sorted([organisation, twin], key=lambda o: o.pk)
    DuplicatePair.objects.create(
        first=first,
        second=second,
        score=93,
        reasons=[{"kind": "email", "value": "info@entraide-verdun.example.org"}],
    )
    DuplicatePair.objects.create(
        first=organisation, second=dismissed, score=88, status=DuplicatePair.Status.DISMISSED
    )

    response = client_for(curator).get(organisation.get_admin_url())

    panel = _panel(response)
    assert twin.name in panel
    assert twin.get_admin_url() in panel
    assert "93" in panel
    assert "info@entraide-verdun.example.org" in panel  # why, in words
    assert reverse("quality_duplicates") in panel
    assert dismissed.name not in panel


def test_a_new_record_has_no_quality_panel(client_for, curator):
    response = client_for(curator).get(reverse("wagtailsnippets_organisations_organisation:add"))

    assert response.status_code == 200
    assert 'class="quality-panel"' not in response.content.decode()
