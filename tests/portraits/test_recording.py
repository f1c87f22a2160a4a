"""Karim records a call: one screen, the needs and what came of each, nothing that identifies the
person; he corrects his own request within 24 hours; the audit and the monthly counts follow."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from organisations.factories import UserFactory, category, territory
from portraits.models import (
    MonthlyNeedCount,
    MonthlyRequestCount,
    Need,
    Outcome,
    Reason,
    Referral,
    Request,
)
from portraits.services import AGENTS, NeedInput, NotCorrectable, request_correct, request_record

pytestmark = pytest.mark.django_db

RECORD = reverse("portraits_record")


def call(**changes) -> dict:
    """The form as the screen sends it: a call from Montréal-Nord, two needs."""
    data = {
        "channel": "phone",
        "language": "es",
        "territory": "mtl-n",
        "age_band": "",
        "note": "",
        "need-0-need": "banque alim",
        "need-0-result": "referred",
        "need-1-need": "recherche de logement",
        "need-1-result": "unmet:waiting_list",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_an_agent_records_a_call_with_two_needs(client, agent, directory):
    client.force_login(agent)
    data = call()
    data["need-0-organisations"] = [directory["near"].pk, directory["middle"].pk]

    response = client.post(RECORD, data)

    assert response.status_code == 302
    saved = Request.objects.get()
    assert (saved.channel, saved.language, saved.territory.slug) == ("phone", "es", "montreal-nord")
    assert saved.recorded_by == agent
    assert saved.received_on == timezone.localdate()
    needs = list(saved.needs.order_by("position"))
    assert [(n.category.code, n.outcome, n.reason) for n in needs] == [
        ("banques-alimentaires", "referred", ""),
        ("recherche-logement", "unmet", "waiting_list"),
    ]
    assert sorted(r.organisation_name for r in needs[0].referrals.all()) == [
        "Banque alimentaire du Nord",
        "Dépannage Pie-IX",
    ]
    # The service the organisation gives for that need is kept with the referral.
    assert all(r.service is not None for r in needs[0].referrals.all())
    followed = client.get(response["Location"])
    assert "Demande enregistrée" in followed.text or "Request recorded" in followed.text


def test_the_screen_answers_in_french_with_the_call_first(client, agent, directory):
    client.force_login(agent)
    response = client.get(RECORD)
    assert response.status_code == 200
    html = response.text
    assert 'name="territory"' in html and "autofocus" in html
    assert 'list="request-needs"' in html  # the needs offered as the agent types
    assert html.index('name="channel"') < html.index('name="territory"') < html.index("need-0-need")


def test_saving_a_request_costs_the_same_queries_for_one_need_or_three(agent, directory):
    north = territory("montreal-nord")

    def record(needs):
        request_record(user=agent, channel="phone", language="fr", territory=north, needs=needs)

    food = NeedInput(
        category=category("banques-alimentaires"),
        outcome=Outcome.REFERRED,
        organisations=[(directory["near"].pk, "Banque alimentaire du Nord")],
    )
    record([food])  # content types and the reference data, read once per process
    with CaptureQueriesContext(connection) as one:
        record([food])
    three = [
        food,
        NeedInput(
            category=category("demenagement"),
            outcome=Outcome.REFERRED,
            organisations=[(directory["movers"].pk, "Déménagement solidaire")],
        ),
        NeedInput(
            category=category("aide-domicile"),
            outcome=Outcome.UNMET,
            reason=Reason.WAITING_LIST,
        ),
    ]
    with CaptureQueriesContext(connection) as many:
        record(three)

    assert len(one) == len(many), [q["sql"][:80] for q in many.captured_queries]
    assert len(one) <= 17


def test_the_whole_post_costs_the_same_queries_for_one_need_or_three(client, agent, directory):
    client.force_login(agent)
    one = call(**{"need-1-need": None, "need-1-result": None})
    one["need-0-organisations"] = [directory["near"].pk]
    three = call(**{"need-2-need": "déménagement", "need-2-result": "referred"})
    three["need-0-organisations"] = [directory["near"].pk]
    three["need-2-organisations"] = [directory["movers"].pk]
    client.post(RECORD, one)
    with CaptureQueriesContext(connection) as first:
        assert client.post(RECORD, one).status_code == 302
    with CaptureQueriesContext(connection) as second:
        assert client.post(RECORD, three).status_code == 302
    assert len(first) == len(second)


@pytest.mark.parametrize(
    ("note", "said"),
    [
        ("rappeler au 514 555-1234", "numéro de téléphone"),
        ("(450) 555 1234", "numéro de téléphone"),
        ("écrire à marie.t@example.org", "adresse courriel"),
        ("habite au 1234 rue Fleury", "adresse"),
        ("code postal H1H 1A1", "code postal"),
    ],
)
def test_a_note_that_identifies_the_person_is_refused_and_nothing_is_kept(
    client, agent, directory, note, said
):
    client.force_login(agent)
    data = call(note=note)
    data["need-0-organisations"] = [directory["near"].pk]

    response = client.post(RECORD, data)

    assert response.status_code == 200
    assert Request.objects.count() == 0
    error = " ".join(response.context["form"].errors["note"])
    assert error.startswith("Note"), error  # the field, named (in French: the tests' language)
    assert said in error


def test_a_note_about_the_need_is_kept(client, agent, directory):
    client.force_login(agent)
    data = call(note="cherche un 4 ½ avant le 1er juillet, 2 enfants")
    data["need-0-organisations"] = [directory["near"].pk]
    assert client.post(RECORD, data).status_code == 302
    assert Request.objects.get().note == "cherche un 4 ½ avant le 1er juillet, 2 enfants"


def test_mistakes_are_explained_next_to_their_field(client, agent, directory):
    client.force_login(agent)
    data = call(territory="Atlantide", **{"need-0-need": "xyzzy", "need-1-need": "déménagement"})
    data["need-1-result"] = "referred"  # referred, but to nobody

    response = client.post(RECORD, data)

    assert response.status_code == 200
    assert Request.objects.count() == 0
    assert "Atlantide" in " ".join(response.context["form"].errors["territory"])
    rows = response.context["need_rows"]
    assert "xyzzy" in " ".join(rows[0]["form"].errors["need"])
    assert rows[1]["form"].errors["organisations"]
    # The movers serving the island are offered for the second need, to tick.
    assert [s.name for s in rows[1]["suggestions"].rows] == ["Déménagement solidaire"]


def test_a_request_needs_at_least_one_need(client, agent, directory):
    client.force_login(agent)
    data = call(**{"need-0-need": "", "need-1-need": ""})
    response = client.post(RECORD, data)
    assert response.status_code == 200
    assert Request.objects.count() == 0
    assert response.context["need_forms"].non_form_errors


@pytest.mark.parametrize(
    "changes",
    [
        {"channel": "pigeon"},
        {"language": "klingon"},
        {"age_band": "200+"},
        {"need-0-result": "unmet:boredom"},
        {"need-0-organisations": ["abc"]},
        {"need-0-organisations": ["999999"]},
        {"territory": "x" * 5000},
        {"need-0-need": "\x00"},
    ],
)
def test_bad_input_is_refused_in_words_never_a_server_error(client, agent, directory, changes):
    client.force_login(agent)
    data = call()
    data["need-0-organisations"] = [directory["near"].pk]
    data.update(changes)
    response = client.post(RECORD, data)
    assert response.status_code == 200
    assert Request.objects.count() == 0


def test_outside_the_region_is_recorded_without_a_territory(client, agent, directory):
    client.force_login(agent)
    data = call(territory="hors région", **{"need-1-need": None, "need-1-result": None})
    data["need-0-result"] = "information"
    assert client.post(RECORD, data).status_code == 302
    saved = Request.objects.get()
    assert saved.territory is None and saved.outside_region
    assert MonthlyRequestCount.objects.get().territory is None


def test_find_organisations_without_javascript_shows_the_suggestions(client, agent, directory):
    client.force_login(agent)
    data = call(lookup="1")

    response = client.post(RECORD, data)

    assert response.status_code == 200
    assert Request.objects.count() == 0
    rows = response.context["need_rows"]
    assert rows[0]["understood"] == "Aide alimentaire › Banques alimentaires et dépannage"
    names = [s.name for s in rows[0]["suggestions"].rows]
    # Nearest to Montréal-Nord's centre first; Laval's food bank does not serve Montréal-Nord.
    assert names == ["Banque alimentaire du Nord", "Dépannage Pie-IX"]
    # Nothing is marked as a mistake: the agent has not finished.
    assert not response.context["form"].errors
    assert not any(row["form"].errors for row in rows)
    assert "request-form__problems" not in response.text
    # What was typed stays in the boxes.
    assert rows[1]["form"]["need"].value() == "recherche de logement"
    assert rows[1]["form"]["result"].value() == "unmet:waiting_list"


def test_more_organisations_without_javascript(client, agent, directory):
    client.force_login(agent)
    data = call(**{"need-0-need": "alim", "need-0-more": "1"})
    data["need-0-organisations"] = [directory["far"].pk]
    rows = client.post(RECORD, data).context["need_rows"]
    assert rows[0]["ticked"] == {directory["far"].pk}
    assert not rows[0]["can_more"]


def test_a_long_call_keeps_every_need_sent(client, agent, directory):
    client.force_login(agent)
    data = call(**{"need-1-need": None, "need-1-result": None})
    data["need-0-result"] = "information"
    for index, need in enumerate(
        ["emploi", "aines", "handicap", "education", "dependances", "jeunes", "francisation"],
        start=1,
    ):
        data[f"need-{index}-need"] = need
        data[f"need-{index}-result"] = "information"
    assert client.post(RECORD, data).status_code == 302
    assert Request.objects.get().needs.count() == 8


def test_the_lookup_answers_as_the_agent_types(client, agent, directory):
    client.force_login(agent)
    url = reverse("portraits_lookup")

    answer = client.get(url, {"territory": "mtl-n", "need": "alim"}).json()

    assert answer["place"]["label"] == "Montréal-Nord (Montréal)"
    assert answer["need"]["label"] == "Aide alimentaire"
    assert [o["name"] for o in answer["organisations"]] == [
        "Banque alimentaire du Nord",
        "Dépannage Pie-IX",
        "Frigo solidaire Henri-Bourassa",
    ]
    assert answer["elsewhere"] is False
    assert "km" in answer["organisations"][1]["detail"]


def test_when_nobody_serves_the_territory_the_nearest_elsewhere_are_offered(
    client, agent, directory
):
    client.force_login(agent)
    answer = client.get(
        reverse("portraits_lookup"), {"territory": "terrebonne", "need": "banques alimentaires"}
    ).json()
    assert answer["elsewhere"] is True
    assert "Moisson Laval" in [o["name"] for o in answer["organisations"]]


@pytest.mark.parametrize(
    "params", [{}, {"need": "x" * 10_000}, {"territory": "\x00"}, {"need": "🙂", "more": "oui"}]
)
def test_the_lookup_never_fails_on_odd_input(client, agent, params):
    client.force_login(agent)
    assert client.get(reverse("portraits_lookup"), params).status_code == 200


# --- Correcting -------------------------------------------------------------------------------


def recorded(agent, directory, **changes) -> Request:
    values = {
        "user": agent,
        "channel": "phone",
        "language": "fr",
        "territory": territory("montreal-nord"),
        "needs": [
            NeedInput(
                category=category("banques-alimentaires"),
                outcome=Outcome.REFERRED,
                organisations=[(directory["near"].pk, "Banque alimentaire du Nord")],
            )
        ],
    }
    values.update(changes)
    return request_record(**values)


def test_an_agent_corrects_her_own_request_within_24_hours(client, agent, directory):
    saved = recorded(agent, directory)
    client.force_login(agent)
    url = reverse("portraits_correct", args=[saved.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["need_rows"][0]["form"]["need"].value() == (
        "Aide alimentaire › Banques alimentaires et dépannage"
    )

    data = call(territory="Laval", **{"need-1-need": None, "need-1-result": None})
    data["need-0-result"] = "unmet:cost"
    response = client.post(url, data)

    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.territory.slug == "laval"
    assert [(n.outcome, n.reason) for n in saved.needs.all()] == [("unmet", "cost")]
    assert Referral.objects.count() == 0
    # Counted once, where it now is.
    month = saved.received_on.replace(day=1)
    counts = dict(
        MonthlyRequestCount.objects.filter(month=month).values_list("territory__slug", "count")
    )
    assert counts == {"laval": 1, "secteur-laval": 1, "cmm": 1}


def test_after_24_hours_a_request_is_read_only_and_says_why(client, agent, directory):
    saved = recorded(agent, directory)
    Request.objects.filter(pk=saved.pk).update(created_at=timezone.now() - timedelta(hours=25))
    client.force_login(agent)
    url = reverse("portraits_correct", args=[saved.pk])

    page = client.get(url)
    assert "24" in page.context["refusal"]
    assert "<form" not in page.text.split('class="request-detail"')[1]
    client.post(url, call(territory="Laval"))
    saved.refresh_from_db()
    assert saved.territory.slug == "montreal-nord"
    with pytest.raises(NotCorrectable):
        request_correct(
            request=saved,
            user=agent,
            channel="email",
            language="fr",
            territory=None,
            needs=[NeedInput(category=category("emploi"), outcome=Outcome.INFORMATION)],
        )


def test_an_agent_cannot_see_or_correct_another_agents_request(client, agent, directory):
    saved = recorded(agent, directory)
    colleague = UserFactory(username="lea", groups=[AGENTS])
    client.force_login(colleague)
    url = reverse("portraits_correct", args=[saved.pk])
    # Wagtail answers a refusal with a redirect to the dashboard and a message.
    assert client.get(url).status_code == 302
    assert client.post(url, call(territory="Laval")).status_code == 302
    saved.refresh_from_db()
    assert saved.territory.slug == "montreal-nord"


def test_my_requests_lists_mine_and_which_can_still_be_corrected(client, agent, directory):
    fresh = recorded(agent, directory)
    old = recorded(agent, directory)
    Request.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    recorded(UserFactory(username="lea", groups=[AGENTS]), directory)
    client.force_login(agent)

    rows = client.get(reverse("portraits_mine")).context["rows"]

    assert [(row["request"].pk, row["correctable"]) for row in rows] == [
        (fresh.pk, True),
        (old.pk, False),
    ]


# --- The audit trail and the counts -------------------------------------------------------------


def test_every_change_is_in_the_audit_trail(agent, directory):
    saved = recorded(agent, directory)
    versions = Version.objects.filter(revision__user=agent)
    assert {v.content_type.model for v in versions} == {"request", "need", "referral"}
    revision = versions.first().revision
    assert revision.audit_source.source == "request"

    request_correct(
        request=saved,
        user=agent,
        channel="email",
        language="en",
        territory=territory("laval"),
        needs=[NeedInput(category=category("emploi"), outcome=Outcome.INFORMATION)],
    )
    assert Version.objects.get_for_object(saved).count() == 2
    assert Version.objects.get_for_model(Need).count() == 2  # the first need, then the new one


def test_a_request_counts_in_its_territory_and_every_territory_containing_it(agent, directory):
    recorded(agent, directory)
    recorded(agent, directory, territory=territory("verdun"), language="en")

    places = dict(
        MonthlyRequestCount.objects.filter(language="fr").values_list("territory__slug", "count")
    )
    assert places == {
        "montreal-nord": 1,
        "montreal": 1,
        "secteur-agglomeration-de-montreal": 1,
        "cmm": 1,
    }
    region = MonthlyNeedCount.objects.filter(territory__slug="cmm")
    assert sum(region.values_list("count", flat=True)) == 2
    assert set(region.values_list("category__code", "outcome", "channel")) == {
        ("banques-alimentaires", "referred", "phone")
    }


def test_two_needs_of_a_kind_in_one_month_are_one_row_of_two(agent, directory):
    recorded(agent, directory)
    recorded(agent, directory)
    row = MonthlyNeedCount.objects.get(territory__slug="montreal-nord")
    assert row.count == 2
    assert MonthlyRequestCount.objects.get(territory__slug="montreal-nord").count == 2


def test_counts_rebuilt_from_the_rows_are_the_counts_kept_in_step(agent, directory):
    from portraits.counts import counts_rebuild

    recorded(agent, directory)
    saved = recorded(agent, directory, territory=None, age_band="75+")
    request_correct(
        request=saved,
        user=agent,
        channel="chat",
        language="ar",
        territory=territory("laval"),
        needs=[
            NeedInput(category=category("deneigement"), outcome="unmet", reason="cost"),
            NeedInput(category=category("emploi"), outcome="information"),
        ],
    )

    def snapshot():
        return sorted(
            (str(r) for r in MonthlyNeedCount.objects.values_list(*MonthlyNeedCount.KEY, "count")),
        ) + sorted(
            str(r)
            for r in MonthlyRequestCount.objects.values_list(*MonthlyRequestCount.KEY, "count")
        )

    kept = snapshot()
    assert counts_rebuild() == (2, 3)
    assert snapshot() == kept
