"""Probable duplicates: found by blocking and scored with rapidfuzz, dismissed for good by a
curator, or merged through the review workflow with a redirect from the old public address."""

import random
import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version
from wagtail.models import ModelLogEntry, WorkflowState

from organisations.demo import demo_seed
from organisations.factories import (
    LocationFactory,
    OrganisationFactory,
    PhoneFactory,
    ServiceFactory,
    category,
    territory,
)
from organisations.models import (
    AuditSource,
    DuplicatePair,
    Location,
    Organisation,
    OrganisationIdentifier,
    Phone,
)
from organisations.quality.duplicates import (
    BLOCK_MAX,
    duplicates_find,
    duplicates_for,
    duplicates_refresh,
    reason_text,
    website_key,
)
from organisations.quality.merge import duplicate_dismiss, duplicate_merge

pytestmark = pytest.mark.django_db

LIST = reverse("quality_duplicates")
ACTION = "wagtailsnippets_organisations_organisation:workflow_action"


# --- A generated set with known duplicates --------------------------------------------------------


def _without_accents(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def _abbreviated(name: str) -> str:
    for long, short in (("Sainte-", "Ste-"), ("Saint-", "St-"), ("Centre", "Ctr")):
        name = name.replace(long, short)
    return name


def _reordered(name: str) -> str:
    head, sep, place = name.rpartition(" de ")
    if sep:
        return f"{place} - {head}"  # "Laval - Banque alimentaire"
    first, _sp, rest = name.partition(" ")
    return f"{rest} {first}" if rest else name


REWRITINGS = [
    _without_accents,
    _abbreviated,
    _reordered,
    lambda name: f"{name} Inc.",
    str.upper,
    lambda name: name.replace("-", " "),
]


def _details(organisation: Organisation) -> dict[str, str]:
    details = {"email": organisation.email, "website": organisation.website}
    location = organisation.locations.order_by("sort_order").first()
    phone = organisation.phones.order_by("sort_order").first()
    details["postal_code"] = location.postal_code if location else ""
    details["phone"] = phone.number if phone else ""
    return {kind: value for kind, value in details.items() if value}


def _record(name: str, rng: random.Random, n: int, shared: dict[str, str]) -> Organisation:
    """A record of our own: its own phone, postal code and email, except what it shares."""
    organisation = OrganisationFactory(
        name=name,
        slug=f"genere-{n}",
        email=shared.get("email", f"info@genere-{n}.example.net"),
        website=shared.get("website", ""),
    )
    LocationFactory(
        organisation=organisation,
        municipality=territory("laval"),
        postal_code=shared.get("postal_code", f"J0{rng.choice('ABCEG')} {n % 10}Z{n // 10 % 10}"),
    )
    PhoneFactory(organisation=organisation, number=shared.get("phone", f"+1819999{n:04d}"))
    return organisation


@pytest.fixture
def generated():
    """1,000 demo records, 100 rewritten copies of some of them sharing one contact detail
    (known duplicates), and 50 near misses: a demo name with another place's name in it,
    sharing a phone (different organisations)."""
    demo_seed(organisations=1000, seed=2024, drafts=0, index=False)
    rng = random.Random(8)
    originals = list(Organisation.objects.order_by("pk"))
    chosen = rng.sample(originals, 150)
    known = set()
    for n, original in enumerate(chosen[:100]):
        details = _details(original)
        kind = rng.choice(sorted(details))
        name = original.name
        for rewrite in rng.sample(REWRITINGS, 2):
            name = rewrite(name)
        copy = _record(name, rng, n, {kind: details[kind]})
        known.add((original.pk, copy.pk))
    places = ["Verdun", "Anjou", "Lachine", "Repentigny", "Boisbriand"]
    for n, original in enumerate(chosen[100:], start=100):
        details = _details(original)
        words = original.name.split()
        name = " ".join([*words[:2], "de", rng.choice(places)])
        if name == original.name or "phone" not in details:
            continue
        _record(name, rng, n, {"phone": details["phone"]})
    return known


def test_it_finds_the_known_duplicates_with_precision_and_recall_of_at_least_90_percent(
    generated,
):
    found = duplicates_find()
    pairs = {(c.first, c.second) for c in found.pairs}
    right = pairs & generated
    precision = len(right) / len(pairs)
    recall = len(right) / len(generated)
    print(
        f"\nduplicates: {found.records} records, {found.compared} pairs compared, "
        f"{len(pairs)} found, {len(right)} of {len(generated)} known: "
        f"precision {precision:.3f}, recall {recall:.3f} ({found.seconds} s)"
    )
    names = dict(Organisation.objects.values_list("pk", "name"))
    for candidate in found.pairs:
        if (candidate.first, candidate.second) not in generated:
            print(
                "  not known:",
                names[candidate.first],
                "|",
                names[candidate.second],
                candidate.reasons,
            )
    assert precision >= 0.9
    assert recall >= 0.9


def test_blocking_compares_a_small_fraction_of_all_pairs(generated):
    found = duplicates_find()
    all_pairs = found.records * (found.records - 1) // 2
    assert found.records > 1100
    assert found.compared < all_pairs / 100


# --- What makes a pair ----------------------------------------------------------------------------


def _org(name: str, *, phone: str = "", postal_code: str = "", **fields) -> Organisation:
    organisation = OrganisationFactory(name=name, **fields)
    if phone:
        PhoneFactory(organisation=organisation, number=phone)
    if postal_code:
        LocationFactory(organisation=organisation, postal_code=postal_code)
    return organisation


def _pairs() -> set[tuple[int, int]]:
    return {(c.first, c.second) for c in duplicates_find().pairs}


def test_a_shared_phone_alone_is_not_a_pair():
    a = _org("Popote roulante de Duvernay", phone="+14505550142")
    b = _org("Club de hockey mineur de Laval", phone="+14505550142")
    c = _org("Popote roulante Duvernay inc.", phone="+14505550142")
    assert _pairs() == {(a.pk, c.pk)}
    assert (b.pk, c.pk) not in _pairs()


def test_similar_names_without_a_shared_detail_are_not_a_pair():
    _org("Maison des jeunes de Chomedey", phone="+14505550101", postal_code="H7W 1A1")
    _org("Maison des jeunes Chomedey", phone="+14505550102", postal_code="H7W 2B2")
    assert _pairs() == set()


def test_names_that_differ_by_the_word_that_tells_them_apart_are_not_a_pair():
    _org("Banque alimentaire de Laval", postal_code="H7W 1A1")
    _org("Banque alimentaire de LaSalle", postal_code="H7W 1A1")
    _org("Centre d'entraide Saint-Antoine", postal_code="H7W 1A1")
    _org("Centre d'entraide Sainte-Anne", postal_code="H7W 1A1")
    assert _pairs() == set()


def test_folded_names_with_a_shared_postal_code_are_a_pair_with_their_reasons():
    a = _org("Centre d'entraide Saint-Édouard", postal_code="H2S 2M6")
    b = _org("CTR D'ENTRAIDE ST-EDOUARD INC.", postal_code="H2S 2M6")
    (candidate,) = duplicates_find().pairs
    assert (candidate.first, candidate.second) == (a.pk, b.pk)
    assert candidate.reasons == [
        {"kind": "name", "likeness": 100},
        {"kind": "postal_code", "value": "H2S2M6"},
    ]
    assert 80 <= candidate.score <= 100


def test_a_number_shared_by_a_switchboard_counts_only_for_names_all_but_the_same():
    for n in range(BLOCK_MAX + 1):
        _org(f"Service {n} du CLSC", phone="+15145550100")
    a = _org("Maison de la famille de Verdun", phone="+15145550100")
    b = _org("Maison de la famille Verdun inc.", phone="+15145550100")
    _org("Service d'entraide Bordeaux", phone="+15145550100")
    _org("Service d'entraide Bordeaux-Cartierville", phone="+15145550100")

    found = duplicates_find()
    assert [(c.first, c.second) for c in found.pairs] == [(a.pk, b.pk)]
    phone = found.pairs[0].reasons[1]
    assert phone == {"kind": "phone", "value": "+15145550100", "shared_by": BLOCK_MAX + 5}
    assert reason_text(phone) == "same phone number (514) 555-0100 (shared by 30 records)"
    # Its 30 records are not compared with one another: the pair came up by its rare word.
    assert found.compared < 10


def test_a_shared_facebook_page_is_evidence_but_facebook_itself_is_not():
    assert website_key("https://www.facebook.com/cejsj/") == "facebook.com/cejsj"
    assert website_key("https://facebook.com") == ""
    assert website_key("http://www.Entraide-Laval.org/nous") == "entraide-laval.org"
    a = _org("Entraide Laval", website="https://facebook.com/entraidelaval", email="")
    b = _org("Entraide de Laval", website="https://www.facebook.com/entraidelaval/", email="")
    _org("Entraide Laval", website="https://facebook.com/autre", email="")
    assert _pairs() == {(a.pk, b.pk)}


# --- Storing and dismissing -----------------------------------------------------------------------


def test_the_refresh_stores_open_pairs_and_drops_those_that_no_longer_qualify():
    a = _org("Popote roulante de Duvernay", phone="+14505550142")
    b = _org("Popote roulante Duvernay", phone="+14505550142")
    assert duplicates_refresh() == 1
    pair = DuplicatePair.objects.get()
    assert (pair.first_id, pair.second_id, pair.status) == (a.pk, b.pk, "open")
    assert duplicates_for(b.pk) == [pair]

    Phone.objects.filter(organisation=b).update(number="+14505550199")
    assert duplicates_refresh() == 0
    assert not DuplicatePair.objects.exists()


def test_a_dismissed_pair_stays_dismissed_after_a_refresh(curator):
    _org("Popote roulante de Duvernay", phone="+14505550142")
    _org("Popote roulante Duvernay", phone="+14505550142")
    duplicates_refresh()
    pair = DuplicatePair.objects.get()
    duplicate_dismiss(pair=pair, user=curator)

    assert duplicates_refresh() == 0
    pair.refresh_from_db()
    assert pair.status == DuplicatePair.Status.DISMISSED
    assert pair.decided_by == curator
    assert duplicates_for(pair.first_id) == []
    assert ModelLogEntry.objects.filter(action="repertoire.not_duplicate").count() == 2


def test_the_quality_run_counts_the_open_pairs():
    from organisations.quality.services import quality_run

    _org("Popote roulante de Duvernay", phone="+14505550142")
    _org("Popote roulante Duvernay", phone="+14505550142")
    assert quality_run().duplicates == 1


# --- Merging --------------------------------------------------------------------------------------


@pytest.fixture
def pair():
    """Two records of one organisation: the kept one has a service and a place; the other has
    another service, another place, a phone, an English description and a partner's id."""
    keep = OrganisationFactory(
        name="Popote roulante de Duvernay", slug="popote-roulante-duvernay", description_en=""
    )
    ServiceFactory(organisation=keep, name_fr="Repas livrés", name_en="Meals on wheels")
    LocationFactory(
        organisation=keep,
        street_address="100 rue Principale",
        municipality=territory("duvernay"),
        postal_code="H7E 1A1",
    )
    other = OrganisationFactory(
        name="Popote roulante Duvernay inc.",
        slug="popote-duvernay",
        description_en="Meals delivered on Tuesdays.",
    )
    ServiceFactory(
        organisation=other,
        name_fr="Repas communautaires",
        name_en="Community meals",
        categories=[category("popote-roulante")],
    )
    LocationFactory(
        organisation=other,
        street_address="100, rue Principale",  # the same place, written differently
        municipality=territory("duvernay"),
        postal_code="H7E 1A1",
    )
    LocationFactory(
        organisation=other,
        street_address="25 boulevard Lévesque",
        municipality=territory("duvernay"),
        postal_code="H7E 2B2",
    )
    PhoneFactory(organisation=other, number="+14505550142")
    OrganisationIdentifier.objects.create(
        organisation=other, scheme="ville-laval", identifier="L-7"
    )
    duplicates_refresh()
    return DuplicatePair.objects.get(), keep, other


def _approve(client, user, organisation):
    state = WorkflowState.objects.for_instance(organisation).get(status="in_progress")
    client.force_login(user)
    task_state = state.current_task_state
    url = reverse(ACTION, args=[organisation.pk, "approve", task_state.pk])
    assert client.post(url, {"comment": ""}).status_code == 302


def test_a_merge_submits_a_draft_of_the_kept_record_and_archives_the_other(
    client, curator, editor, pair
):
    pair, keep, other = pair
    revision = duplicate_merge(pair=pair, keep=keep, user=editor)

    keep.refresh_from_db()
    other.refresh_from_db()
    # The kept record: a draft in review with what it lacked; its live version unchanged.
    assert keep.latest_revision == revision and keep.workflow_in_progress
    draft = keep.get_latest_revision_as_object()
    assert {s.name_fr for s in draft.services.all()} == {"Repas livrés", "Repas communautaires"}
    assert sorted(p.street_address for p in draft.locations.all()) == [
        "100 rue Principale",
        "25 boulevard Lévesque",
    ]
    assert [p.number for p in draft.phones.all()] == ["+14505550142"]
    assert draft.description_en == "Meals delivered on Tuesdays."
    assert list(keep.services.values_list("name_fr", flat=True)) == ["Repas livrés"]
    # The other record: archived, nothing deleted, its partner id now on the kept record.
    assert other.status == Organisation.Status.CLOSED
    assert other.services.count() == 1 and other.locations.count() == 2
    assert OrganisationIdentifier.objects.get(identifier="L-7").organisation == keep
    pair.refresh_from_db()
    assert (pair.status, pair.decided_by) == (DuplicatePair.Status.MERGED, editor)

    # Through the workflow: the curators' check, then the editors' approval, publishes it.
    _approve(client, curator, keep)
    _approve(client, editor, keep)
    keep.refresh_from_db()
    assert not keep.has_unpublished_changes
    assert sorted(keep.services.values_list("name_fr", flat=True)) == [
        "Repas communautaires",
        "Repas livrés",
    ]
    merged_service = keep.services.get(name_fr="Repas communautaires")
    assert list(merged_service.categories.values_list("code", flat=True)) == ["popote-roulante"]
    assert merged_service.uuid != other.services.get().uuid
    assert keep.identifiers.get().identifier == "L-7"
    assert Location.objects.filter(organisation=keep).count() == 2


def test_a_merge_keeps_both_histories_and_writes_the_audit_log(client, editor, pair):
    pair, keep, other = pair
    duplicate_merge(pair=pair, keep=keep, user=editor)

    keep_log = set(ModelLogEntry.objects.for_instance(keep).values_list("action", flat=True))
    other_log = set(ModelLogEntry.objects.for_instance(other).values_list("action", flat=True))
    assert {"repertoire.merge", "wagtail.edit", "wagtail.workflow.start"} <= keep_log
    assert {"repertoire.merged_into", "repertoire.archive"} <= other_log
    # The audit log holds both records as they were before, and the merge.
    comments = set(
        Version.objects.get_for_object(other).values_list("revision__comment", flat=True)
    )
    assert any(c.startswith("Before merging") for c in comments)
    assert Version.objects.get_for_object(keep).filter(revision__comment__startswith="Merged")
    assert AuditSource.objects.filter(reference=f"duplicate:{pair.pk}").exists()
    assert Organisation.objects.filter(pk=other.pk).exists()
    # Each record's history page says what became of it.
    client.force_login(editor)
    history = "wagtailsnippets_organisations_organisation:history"
    page = client.get(reverse(history, args=[other.pk])).content.decode()
    assert "Merged into “Popote roulante de Duvernay” and archived" in page
    page = client.get(reverse(history, args=[keep.pk])).content.decode()
    assert "“Popote roulante Duvernay inc.” merged into this record" in page


def test_the_old_public_address_redirects_to_the_kept_record_in_both_languages(
    client, editor, pair
):
    pair, keep, other = pair
    assert client.get(f"/fr/organismes/{other.slug}/").status_code == 200
    duplicate_merge(pair=pair, keep=keep, user=editor)

    response = client.get(f"/fr/organismes/{other.slug}/")
    assert response.status_code in (301, 302)
    assert response["Location"] == f"/fr/organismes/{keep.slug}/"
    response = client.get(f"/en/organisations/{other.slug}/")
    assert response.status_code in (301, 302)
    assert response["Location"] == f"/en/organisations/{keep.slug}/"
    assert client.get(response["Location"]).status_code == 200


def test_a_merge_into_a_record_already_in_review_is_refused(editor, pair):
    from organisations.quality.merge import DuplicateError

    pair, keep, other = pair
    keep.save_revision(user=editor)
    keep.get_workflow().start(keep, editor)
    with pytest.raises(DuplicateError):
        duplicate_merge(pair=pair, keep=keep, user=editor)
    other.refresh_from_db()
    assert other.status == Organisation.Status.ACTIVE


def test_a_draft_of_the_merged_record_in_review_is_withdrawn(editor, pair):
    pair, keep, other = pair
    other.save_revision(user=editor)
    other.get_workflow().start(other, editor)
    duplicate_merge(pair=pair, keep=keep, user=editor)
    other.refresh_from_db()
    assert not other.workflow_in_progress
    assert WorkflowState.objects.for_instance(other).get().status == WorkflowState.STATUS_CANCELLED


def test_a_curator_cannot_merge_because_merging_archives(curator, pair):
    from django.core.exceptions import PermissionDenied

    pair, keep, _other = pair
    with pytest.raises(PermissionDenied):
        duplicate_merge(pair=pair, keep=keep, user=curator)


# --- The admin ------------------------------------------------------------------------------------


def _pairs_of(count: int) -> None:
    for n in range(count):
        _org(f"Maison de la famille numéro {n}", phone=f"+1450555{n:04d}")
        _org(f"Maison famille numéro {n} inc.", phone=f"+1450555{n:04d}")
    duplicates_refresh()


def test_the_list_shows_the_pairs_side_by_side_with_constant_queries(client, curator):
    client.force_login(curator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST)
            assert response.status_code == 200
        return len(captured)

    _pairs_of(2)
    queries()
    few = queries()
    _pairs_of(12)
    assert queries() == few
    page = client.get(LIST).content.decode()
    assert "Maison famille numéro 0 inc." in page
    assert "(450) 555-0000" in page
    assert "Not a duplicate" in page
    assert "Merge into this one" not in page  # a curator cannot archive


def test_a_curator_dismisses_a_pair_from_the_list(client, curator):
    _pairs_of(1)
    pair = DuplicatePair.objects.get()
    client.force_login(curator)
    response = client.post(reverse("quality_duplicate_dismiss", args=[pair.pk]))
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == DuplicatePair.Status.DISMISSED


def test_an_editor_merges_from_the_confirmation_page(client, editor, pair):
    pair, keep, other = pair
    client.force_login(editor)
    url = reverse("quality_duplicate_merge", args=[pair.pk])
    page = client.get(url, {"keep": keep.pk})
    assert page.status_code == 200
    content = page.content.decode()
    assert "Repas communautaires" in content and "25 boulevard Lévesque" in content
    response = client.post(url, {"keep": keep.pk})
    assert response.status_code == 302
    assert response["Location"] == keep.get_admin_url()
    other.refresh_from_db()
    assert other.status == Organisation.Status.CLOSED


def test_an_outsider_is_refused(client, outsider, curator):
    _pairs_of(1)
    pair = DuplicatePair.objects.get()
    client.force_login(outsider)
    assert client.get(LIST).status_code in (302, 403)
    client.post(reverse("quality_duplicate_dismiss", args=[pair.pk]))
    client.post(reverse("quality_duplicate_merge", args=[pair.pk]), {"keep": pair.first_id})
    pair.refresh_from_db()
    assert pair.status == DuplicatePair.Status.OPEN


def test_a_draft_saved_after_the_merge_page_was_shown_is_kept_by_the_merge(curator, editor, pair):
    """The editor opened the merge page; a curator then saved a draft of the kept record. The
    merge lays the other record over that draft (read under the rows' lock at the merge), so
    the curator's draft is in the merged draft, not lost (issue 17)."""
    pair, keep, _other = pair
    shown = Organisation.objects.get(pk=keep.pk)  # what the merge page was built from
    latest = Organisation.objects.get(pk=keep.pk)
    latest.description_fr = "Repas chauds livrés le mardi, par des bénévoles."
    latest.save_revision(user=curator)

    duplicate_merge(pair=pair, keep=shown, user=editor)

    draft = Organisation.objects.get(pk=keep.pk).get_latest_revision_as_object()
    assert draft.description_fr == "Repas chauds livrés le mardi, par des bénévoles."
    assert draft.description_en == "Meals delivered on Tuesdays."  # from the other record
    assert {s.name_fr for s in draft.services.all()} == {"Repas livrés", "Repas communautaires"}
