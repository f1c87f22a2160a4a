"""Update requests: the yearly email, its link (only a hash stored), "still correct", proposals
through the link, bad links, reminders and retries."""

import re
from datetime import timedelta
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from organisations.factories import (
    LocationFactory,
    OpeningHoursFactory,
    OrganisationFactory,
    PhoneFactory,
    territory,
)
from review.models import Proposal, UpdateRequest, UpdateToken, Verification
from review.proposal_forms import RecordForms
from review.proposals import proposal_changes, send_proposal_email
from review.propose_views import published_content
from review.requests import requests_create, review_tick
from tests.helpers import proposal_form_data

pytestmark = pytest.mark.django_db


class FailingBackend:
    """An email backend whose server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server unreachable")


def _due(**fields):
    defaults = {
        "update_contact_name": "Marc Tremblay",
        "update_contact_email": "marc@banque.example.org",
        "preferred_language": "fr",
        "next_review_due": timezone.localdate() + timedelta(days=10),
        "last_verified_at": timezone.now() - timedelta(days=355),
    }
    return OrganisationFactory(**{**defaults, **fields})


def _link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0).replace("http://127.0.0.1:8000", "")


def _ask(organisation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        requests_create([organisation])
    return _link(mail.outbox[-1])


def test_the_email_goes_in_the_organisations_language_with_a_link_of_its_own(
    django_capture_on_commit_callbacks,
):
    french = _due(name="Banque alimentaire de Longueuil")
    english = _due(name="West Island Food Bank", preferred_language="en")

    with django_capture_on_commit_callbacks(execute=True):
        requests_create([french, english])

    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert "fiche" in mail.outbox[0].subject or "vérification" in mail.outbox[0].subject
    assert "listing" in mail.outbox[1].subject
    assert len(subjects) == 1  # both to the same contact address here
    assert "/fr/mise-a-jour/" in mail.outbox[0].body
    assert "/en/update/" in mail.outbox[1].body


def test_only_the_hash_of_the_token_is_stored(django_capture_on_commit_callbacks):
    link = _ask(_due(), django_capture_on_commit_callbacks)
    token = link.rstrip("/").rsplit("/", 1)[1]

    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    stored = UpdateToken.objects.get()
    assert stored.digest != token and token not in stored.digest
    for update_request in UpdateRequest.objects.values():
        assert token not in str(update_request)


def test_our_information_is_still_correct_records_one_verification(
    client, django_capture_on_commit_callbacks
):
    organisation = _due()
    link = _ask(organisation, django_capture_on_commit_callbacks)

    page = client.get(link)
    assert page.status_code == 200
    assert organisation.name in page.content.decode()
    assert UpdateRequest.objects.get().opened_at is not None

    response = client.post(link, {"note": "Rien n'a changé."})
    assert response.status_code == 302
    again = client.post(link)

    verification = Verification.objects.get()
    assert verification.method == Verification.Method.LINK_CONFIRMED
    assert verification.contact_email == "marc@banque.example.org"
    assert UpdateRequest.objects.get().status == UpdateRequest.Status.ANSWERED
    assert again.status_code == 200  # already answered: thanked, nothing recorded twice
    organisation.refresh_from_db()
    assert organisation.next_review_due > timezone.localdate() + timedelta(days=300)


def test_a_proposal_through_the_link_waits_for_a_curator_and_can_be_corrected(
    client, editor, django_capture_on_commit_callbacks
):
    organisation = _due(name="Banque alimentaire", description_fr="Le mardi.")
    organisation.save_revision(user=editor).publish(user=editor)
    link = _ask(organisation, django_capture_on_commit_callbacks)
    form = client.get(link + "modifier/")
    assert form.status_code == 200

    data = proposal_form_data(
        RecordForms(published_content(organisation)),
        **{
            "org-description_fr": "Le mercredi.",
            "org-submitter_name": "Marc Tremblay",
            "org-submitter_email": "marc@banque.example.org",
        },
    )
    response = client.post(link + "modifier/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    proposal = Proposal.objects.get()
    assert proposal.content["description_fr"] == "Le mercredi."
    assert proposal.update_request == UpdateRequest.objects.get()
    organisation.refresh_from_db()
    assert organisation.description_fr == "Le mardi."  # the live record is untouched
    assert client.get(link).status_code == 200  # answered, but still open to a correction


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"expires_at": timezone.now() - timedelta(days=1)}, 410),
        ({"status": UpdateRequest.Status.REVOKED}, 410),
        ({"status": UpdateRequest.Status.EXPIRED}, 410),
    ],
)
def test_a_link_that_can_no_longer_be_used_says_why(
    client, change, status, django_capture_on_commit_callbacks
):
    organisation = _due(name="Maison des jeunes du Plateau")
    link = _ask(organisation, django_capture_on_commit_callbacks)
    UpdateRequest.objects.update(**change)

    response = client.get(link)

    assert response.status_code == status
    assert not Verification.objects.exists()
    assert client.post(link).status_code == status
    assert not Verification.objects.exists()


def test_an_unknown_link_shows_nothing_about_any_organisation(
    client, django_capture_on_commit_callbacks
):
    organisation = _due(name="Maison des jeunes du Plateau")
    link = _ask(organisation, django_capture_on_commit_callbacks)
    tampered = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]

    response = client.get(tampered)

    assert response.status_code == 404
    assert "Maison des jeunes" not in response.content.decode()


def test_too_many_wrong_links_from_one_address_are_turned_away(client):
    from review.update_views import BAD_LINKS_PER_WINDOW

    for n in range(BAD_LINKS_PER_WINDOW):
        assert client.get(f"/fr/mise-a-jour/faux{n}/").status_code == 404

    assert client.get("/fr/mise-a-jour/encore-faux/").status_code == 429


def test_a_failed_email_is_kept_and_sent_again_by_the_tick(
    settings, django_capture_on_commit_callbacks
):
    organisation = _due()
    settings.EMAIL_BACKEND = "tests.review.test_update_requests.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        requests_create([organisation])

    update_request = UpdateRequest.objects.get()
    assert update_request.status == UpdateRequest.Status.FAILED
    assert "SMTP server unreachable" in update_request.error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert review_tick().retried == 1
    update_request.refresh_from_db()
    assert update_request.status == UpdateRequest.Status.SENT
    assert len(mail.outbox) == 1


def test_reminders_go_out_at_14_and_28_days_once_each(django_capture_on_commit_callbacks):
    _ask(_due(), django_capture_on_commit_callbacks)
    sent = UpdateRequest.objects.get().sent_at

    assert review_tick(now=sent + timedelta(days=13)).reminded == 0
    assert review_tick(now=sent + timedelta(days=15)).reminded == 1
    assert review_tick(now=sent + timedelta(days=16)).reminded == 0  # idempotent
    assert review_tick(now=sent + timedelta(days=29)).reminded == 1
    assert review_tick(now=sent + timedelta(days=29)).reminded == 0
    assert len(mail.outbox) == 3
    assert "Rappel" in mail.outbox[-1].subject or "Reminder" in mail.outbox[-1].subject
    assert review_tick(now=sent + timedelta(days=31)).expired == 1


def test_a_reminder_carries_a_new_link_and_the_first_one_still_works(
    client, django_capture_on_commit_callbacks
):
    first = _ask(_due(), django_capture_on_commit_callbacks)
    review_tick(now=UpdateRequest.objects.get().sent_at + timedelta(days=15))
    second = _link(mail.outbox[-1])

    assert first != second
    assert client.get(first).status_code == 200
    assert client.get(second).status_code == 200


def test_send_update_requests_dry_run_sends_and_writes_nothing_and_names_who_to_phone():
    _due(name="Banque alimentaire")
    _due(name="Popote sans courriel", update_contact_email="", update_contact_phone="4505550100")
    _due(name="Pas encore due", next_review_due=timezone.localdate() + timedelta(days=200))
    out = StringIO()

    call_command("send_update_requests", "--due-within", "30", "--dry-run", stdout=out)

    assert "1 organisations would be asked" in out.getvalue()
    assert "Popote sans courriel" in out.getvalue()
    assert not UpdateRequest.objects.exists()
    assert not mail.outbox


def test_send_update_requests_asks_each_due_organisation_once(django_capture_on_commit_callbacks):
    _due(name="Banque alimentaire")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_update_requests", "--due-within", "30", stdout=StringIO())
        call_command("send_update_requests", "--due-within", "30", stdout=StringIO())

    assert UpdateRequest.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_bulk_action_sends_requests_and_names_those_without_email(
    client_for, curator, django_capture_on_commit_callbacks
):
    asked = _due(name="Banque alimentaire")
    silent = _due(name="Popote sans courriel", update_contact_email="")
    url = (
        reverse(
            "wagtail_bulk_action", args=["organisations", "organisation", "send_update_request"]
        )
        + f"?id={asked.pk}&id={silent.pk}&next="
        + reverse("wagtailsnippets_organisations_organisation:list")
    )
    client = client_for(curator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)

    assert len(mail.outbox) == 1
    assert "Popote sans courriel" in response.content.decode()


def test_a_curator_sees_the_requests_and_revokes_one(
    client, client_for, curator, django_capture_on_commit_callbacks
):
    link = _ask(_due(name="Banque alimentaire"), django_capture_on_commit_callbacks)
    update_request = UpdateRequest.objects.get()
    staff = client_for(curator)
    listing = staff.get(reverse("wagtailsnippets_review_updaterequest:list"))
    assert "Banque alimentaire" in listing.content.decode()

    url = (
        reverse("wagtail_bulk_action", args=["review", "updaterequest", "revoke"])
        + f"?id={update_request.pk}"
    )
    assert staff.post(url).status_code == 302

    update_request.refresh_from_db()
    assert update_request.status == UpdateRequest.Status.REVOKED
    staff.logout()
    assert client.get(link).status_code == 410


def test_the_whole_cycle_from_due_to_published_raises_the_coverage(
    client, client_for, curator, editor, django_capture_on_commit_callbacks
):
    """Due → request → link → proposal → curator → editor → live, verified, coverage up."""
    from review.proposals import proposal_take_up
    from review.selectors import review_status
    from tests.review.test_proposals import approve_through_the_workflow

    organisation = _due(
        name="Banque alimentaire",
        description_fr="Le mardi.",
        last_verified_at=timezone.now() - timedelta(days=400),
        next_review_due=timezone.localdate() - timedelta(days=35),
    )
    organisation.save_revision(user=editor).publish(user=editor)
    assert review_status().totals.coverage == 0.0

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_update_requests", stdout=StringIO())
    link = _link(mail.outbox[-1])
    data = proposal_form_data(
        RecordForms(published_content(organisation)),
        **{
            "org-description_fr": "Le mercredi.",
            "org-submitter_name": "Marc Tremblay",
            "org-submitter_email": "marc@banque.example.org",
        },
    )
    assert client.post(link + "modifier/", data).status_code == 302
    assert UpdateRequest.objects.get().status == UpdateRequest.Status.ANSWERED

    proposal_take_up(proposal=Proposal.objects.get(), user=curator)
    with django_capture_on_commit_callbacks(execute=True):
        approve_through_the_workflow(client_for, curator, editor, organisation)

    organisation.refresh_from_db()
    assert organisation.description_fr == "Le mercredi."
    assert Verification.objects.get().method == Verification.Method.PROPOSAL_APPROVED
    status = review_status()
    assert (status.totals.coverage, status.totals.overdue) == (1.0, 0)
    assert "publiés" in mail.outbox[-1].subject


def test_a_failed_email_is_queued_again_once_however_often_the_tick_runs(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    """With a task worker (not the immediate backend), two ticks may run before it does."""
    from review import requests

    settings.EMAIL_BACKEND = "tests.review.test_update_requests.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        requests_create([_due()])
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send = requests.send_update_request
    queued = []

    class Worker:  # holds the tasks queued, as the database backend does until a worker runs
        @staticmethod
        def enqueue(*args, **kwargs):
            queued.append((args, kwargs))

    monkeypatch.setattr(requests, "send_update_request", Worker)

    review_tick()
    review_tick()

    assert len(queued) == 1
    args, kwargs = queued[0]
    send.call(*args, **kwargs)
    send.call(*args, **kwargs)  # the same task twice: one email
    assert len(mail.outbox) == 1
    assert UpdateRequest.objects.get().status == UpdateRequest.Status.SENT


class _FormValues(HTMLParser):
    """What a browser sends for a page's form as it is shown: each input's value, each select's
    chosen option, each textarea's text, the boxes that are ticked."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") != "submit":
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.data[name] = attrs.get("value") or ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data.removeprefix("\n")


def _published_food_bank(editor):
    organisation = _due(name="Banque alimentaire de Longueuil")
    place = LocationFactory(
        organisation=organisation, municipality=territory("longueuil"), postal_code="J4H 1C5"
    )
    OpeningHoursFactory(location=place, weekday=2, opens="09:30", closes="12:00")
    PhoneFactory(organisation=organisation, number="+14505550154", extension="204")
    organisation.save_revision(user=editor).publish(user=editor)
    return organisation


def test_the_form_sent_back_as_the_browser_shows_it_proposes_no_change(
    client, editor, django_capture_on_commit_callbacks
):
    organisation = _published_food_bank(editor)
    link = _ask(organisation, django_capture_on_commit_callbacks) + "modifier/"
    page = client.get(link).content.decode()
    assert 'value="(450) 555-0154"' in page and 'value="09:30"' in page
    assert "+14505550154" not in page and "09:30:00" not in page
    shown = _FormValues()
    shown.feed(page)

    data = {
        **shown.data,
        "org-submitter_name": "Marc Tremblay",
        "org-submitter_email": "marc@banque.example.org",
    }
    response = client.post(link, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    proposal = Proposal.objects.get()
    assert proposal_changes(proposal) == []


def test_a_form_sent_without_a_name_names_it_at_the_top_with_a_link_to_it(
    client, editor, django_capture_on_commit_callbacks
):
    organisation = _published_food_bank(editor)
    link = _ask(organisation, django_capture_on_commit_callbacks) + "modifier/"
    shown = _FormValues()
    shown.feed(client.get(link).content.decode())

    response = client.post(link, {**shown.data, "org-submitter_email": "marc@banque.example.org"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Erreur :" in page
    assert 'id="error-summary" tabindex="-1" autofocus' in page
    assert "Il y a un problème" in page
    assert (
        '<a href="#id_org-submitter_name">Écrivez votre nom, pour que notre équipe sache qui a '
        "répondu.</a>"
    ) in page
    assert 'autocomplete="name"' in page and 'autocomplete="email"' in page
    assert 'Votre nom <span class="required">(obligatoire)</span>' in page
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("name", ["Centre d'aide & d'écoute", "L'Entraide <Longueuil>"])
def test_the_emails_show_the_organisations_name_as_written(
    name, editor, django_capture_on_commit_callbacks
):
    organisation = _due(name=name)
    organisation.save_revision(user=editor).publish(user=editor)
    _ask(organisation, django_capture_on_commit_callbacks)
    proposal = Proposal.objects.create(
        organisation=organisation,
        content={},
        submitter_name="Marc O'Neil",
        submitter_email="marc@banque.example.org",
        status=Proposal.Status.REJECTED,
        message="L'adresse & l'horaire: à vérifier.",
    )
    send_proposal_email.call(proposal.pk)
    proposal.status = Proposal.Status.APPROVED
    proposal.save()
    send_proposal_email.call(proposal.pk)

    request, rejected, approved = mail.outbox
    for message in (request, rejected, approved):
        assert name in message.subject, message.subject
        assert name in message.body
        assert "&#x27;" not in message.subject + message.body
        assert "&amp;" not in message.subject + message.body
        assert "&lt;" not in message.subject + message.body
    assert "Marc O'Neil" in rejected.body and "L'adresse & l'horaire: à vérifier." in rejected.body


def _answer(client, link, organisation, *, email, description="Le mercredi.", **extra):
    data = proposal_form_data(
        RecordForms(published_content(organisation)),
        **{
            "org-description_fr": description,
            "org-submitter_name": "Marc Tremblay",
            "org-submitter_email": email,
        },
    )
    return client.post(link + "modifier/", data, **extra)


def test_thirty_answers_through_one_link_leave_one_waiting_and_the_others_in_history(
    client, client_for, curator, editor, settings, django_capture_on_commit_callbacks
):
    settings.REPERTOIRE_UPDATE_LINK_POSTS_PER_HOUR = 30  # the hourly limit aside
    organisation = _due(name="Banque alimentaire", description_fr="Le mardi.")
    organisation.save_revision(user=editor).publish(user=editor)
    link = _ask(organisation, django_capture_on_commit_callbacks)

    for number in range(30):
        response = _answer(
            client, link, organisation, email=f"personne{number}@example.org",
            description=f"Réponse {number}.",
        )  # fmt: skip
        assert response.status_code == 302, response.content.decode()[:2000]

    waiting = Proposal.objects.get(status=Proposal.Status.SUBMITTED)
    assert waiting.content["description_fr"] == "Réponse 29."
    replaced = Proposal.objects.filter(status=Proposal.Status.REPLACED)
    assert replaced.count() == 29
    assert not replaced.filter(replaced_by=None).exists()  # each points to its successor
    assert waiting.replaces.get().content["description_fr"] == "Réponse 28."

    queue = client_for(curator).get(reverse("review_proposals")).content.decode()
    assert queue.count(reverse("review_proposal", args=[waiting.pk])) == 1
    assert "personne29@example.org" in queue and "personne28@example.org" not in queue
    assert "replaces an earlier answer of" in queue or "remplace une réponse" in queue


def test_an_answer_after_a_curator_took_up_the_first_waits_on_its_own(
    curator, editor, django_capture_on_commit_callbacks
):
    from review.proposals import proposal_submit, proposal_take_up

    organisation = _due(name="Banque alimentaire", description_fr="Le mardi.")
    organisation.save_revision(user=editor).publish(user=editor)
    _ask(organisation, django_capture_on_commit_callbacks)
    update_request = UpdateRequest.objects.get()
    answer = {
        "organisation": organisation,
        "update_request": update_request,
        "submitter_name": "Marc Tremblay",
        "submitter_email": "marc@banque.example.org",
    }
    first = proposal_submit(content={"description_fr": "Le mercredi."}, **answer)
    proposal_take_up(proposal=first, user=curator)

    second = proposal_submit(content={"description_fr": "Le jeudi."}, **answer)

    first.refresh_from_db()
    assert first.status == Proposal.Status.IN_REVIEW and first.replaced_by is None
    assert second.status == Proposal.Status.SUBMITTED and not second.replaces.exists()


def test_the_database_keeps_one_waiting_answer_per_link(django_capture_on_commit_callbacks):
    from django.db import IntegrityError, transaction

    organisation = _due(name="Banque alimentaire")
    _ask(organisation, django_capture_on_commit_callbacks)
    update_request = UpdateRequest.objects.get()
    fields = {"organisation": organisation, "update_request": update_request, "content": {}}
    Proposal.objects.create(submitter_name="A", **fields)

    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.create(submitter_name="B", **fields)
    # Without a link, nothing to hold them together.
    Proposal.objects.create(submitter_name="C", organisation=organisation, content={})
    Proposal.objects.create(submitter_name="D", organisation=organisation, content={})


def test_two_answers_at_the_same_moment_one_wins_the_other_is_told(
    client, editor, monkeypatch, django_capture_on_commit_callbacks
):
    organisation = _due(name="Banque alimentaire", description_fr="Le mardi.")
    organisation.save_revision(user=editor).publish(user=editor)
    link = _ask(organisation, django_capture_on_commit_callbacks)
    update_request = UpdateRequest.objects.get()
    save = Proposal.save

    def other_answer_lands_first(self, *args, **kwargs):
        # The other post's row arrives between this post's read and its write.
        if self.pk is None and not Proposal.objects.filter(submitter_name="Autre").exists():
            Proposal.objects.bulk_create(
                [
                    Proposal(
                        organisation=organisation,
                        update_request=update_request,
                        content={"description_fr": "Le jeudi."},
                        submitter_name="Autre",
                    )
                ]
            )
        return save(self, *args, **kwargs)

    monkeypatch.setattr(Proposal, "save", other_answer_lands_first)
    response = _answer(client, link, organisation, email="marc@banque.example.org")

    assert response.status_code == 400
    assert "au même moment" in response.content.decode()
    assert "Le mercredi." in response.content.decode()  # the answers are still in the form
    # This post stored nothing (the other one, from its own connection, would stay waiting;
    # here it lived in this post's transaction and went with it).
    assert not Proposal.objects.filter(submitter_email="marc@banque.example.org").exists()


@pytest.mark.parametrize("answered_with", ["proposal", "confirmation", "nothing"])
def test_a_revoked_link_answers_410_on_every_page_answered_or_not(
    client, client_for, curator, editor, answered_with, django_capture_on_commit_callbacks
):
    organisation = _due(name="Banque alimentaire", description_fr="Le mardi.")
    organisation.save_revision(user=editor).publish(user=editor)
    link = _ask(organisation, django_capture_on_commit_callbacks)
    if answered_with == "proposal":
        assert (
            _answer(client, link, organisation, email="marc@banque.example.org").status_code == 302
        )
    elif answered_with == "confirmation":
        assert client.post(link).status_code == 302
    update_request = UpdateRequest.objects.get()
    url = (
        reverse("wagtail_bulk_action", args=["review", "updaterequest", "revoke"])
        + f"?id={update_request.pk}"
    )
    assert client_for(curator).post(url).status_code == 302
    client.logout()
    proposals_before = list(Proposal.objects.values_list("pk", "status"))
    verifications_before = Verification.objects.count()

    update_request.refresh_from_db()
    assert update_request.status == UpdateRequest.Status.REVOKED
    for page in ("", "merci/", "modifier/", "envoye/"):
        for method in ("GET", "POST"):
            if method == "GET":
                response = client.get(link + page)
            elif page == "modifier/":
                response = _answer(client, link, organisation, email="x@example.org")
            else:
                response = client.post(link + page)
            assert response.status_code == 410, (page, method)
            text = response.content.decode()
            assert "Ce lien a été retiré" in text, (page, method)
            assert "info@211.example" in text or "mailto:" in text
    # The answer already sent stays for the curators; nothing new came in.
    assert list(Proposal.objects.values_list("pk", "status")) == proposals_before
    assert Verification.objects.count() == verifications_before


def test_a_revoked_link_says_so_in_english_on_the_english_address(
    client, django_capture_on_commit_callbacks
):
    organisation = _due(name="Banque alimentaire", preferred_language="en")
    link = _ask(organisation, django_capture_on_commit_callbacks)
    assert link.startswith("/en/update/")
    from review.requests import requests_revoke

    requests_revoke(UpdateRequest.objects.all())
    response = client.get(link + "changes/")
    assert response.status_code == 410
    assert "This link was withdrawn" in response.content.decode()


def test_posts_through_one_link_past_the_hourly_limit_are_told_to_wait_and_kept_nowhere(
    client, editor, settings, django_capture_on_commit_callbacks
):
    settings.REPERTOIRE_UPDATE_LINK_POSTS_PER_HOUR = 5
    organisation = _due(name="Banque alimentaire", description_fr="Le mardi.")
    organisation.save_revision(user=editor).publish(user=editor)
    link = _ask(organisation, django_capture_on_commit_callbacks)
    # Every post counts, from any address, the forms with mistakes too.
    assert client.post(link + "modifier/", {}, REMOTE_ADDR="10.0.0.1").status_code == 400
    for number in range(4):
        response = _answer(
            client, link, organisation, email=f"personne{number}@example.org",
            description=f"Réponse {number}.", REMOTE_ADDR=f"10.0.0.{number + 2}",
        )  # fmt: skip
        assert response.status_code == 302

    refused = _answer(client, link, organisation, email="flot@example.org", description="Flot.")
    confirm = client.post(link)

    for response in (refused, confirm):
        assert response.status_code == 429
        assert response["Retry-After"] == "3600"
        page = response.content.decode()
        assert "Trop de réponses par ce lien" in page
        assert "info@211.example" in page
    assert Proposal.objects.get(status=Proposal.Status.SUBMITTED).content["description_fr"] == (
        "Réponse 3."
    )
    assert Proposal.objects.count() == 4 and not Verification.objects.exists()
    assert client.get(link + "modifier/").status_code == 200  # reading it is not limited


def test_the_hourly_limit_counts_per_link_and_says_so_in_english(
    client, settings, django_capture_on_commit_callbacks
):
    settings.REPERTOIRE_UPDATE_LINK_POSTS_PER_HOUR = 1
    english = _due(name="Food bank", preferred_language="en")
    french = _due(name="Banque alimentaire", update_contact_email="julie@banque.example.org")
    english_link = _ask(english, django_capture_on_commit_callbacks)
    french_link = _ask(french, django_capture_on_commit_callbacks)

    assert client.post(english_link + "changes/", {}).status_code == 400
    refused = client.post(english_link + "changes/", {})
    assert client.post(french_link + "modifier/", {}).status_code == 400  # its own count

    assert refused.status_code == 429
    assert "Too many answers through this link" in refused.content.decode()
