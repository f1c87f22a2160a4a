"""The partner import in the admin, through its real views: upload, columns, dry run, decisions,
apply, roll back; who may do what; what an unreadable file shows; the progress figures; the
export from the organisation listing; the default profile kept read-only."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from wagtail.models import WorkflowState
from wagtail.users.models import UserProfile

from imports.models import ImportBatch, ImportRow, MappingProfile
from imports.services import profile_default
from organisations.factories import (
    LocationFactory,
    OrganisationFactory,
    UserFactory,
    territory,
)
from organisations.models import Organisation, OrganisationIdentifier

pytestmark = pytest.mark.django_db

HEADERS = ["No de dossier", "Nom de l'organisme", "Adresse civique", "Ville", "Code postal", "Courriel"]  # fmt: skip
TARGETS = ["partner_id", "name", "street_address", "municipality", "postal_code", "email"]


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload_file(data: bytes, name: str = "ville-de-laval.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return file


@pytest.fixture
def staff(client_for):
    """A client logged in as ``user``, with the admin in English (the words the tests read
    are the source strings, whatever the translations say)."""

    def login(user):
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = "en"
        profile.save(update_fields=["preferred_language"])
        return client_for(user)

    return login


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run what a view queues once its transaction commits (the check, the apply), as a worker
    would: the tests' transaction never commits by itself."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            response = call()
        return response

    return run


def mapping_data(response, **overrides) -> dict:
    """What a browser posts from the columns page as it was filled in, with ``overrides``."""
    form = response.context["form"]
    data = {"profile": response.context["profile"].pk if response.context["profile"] else "new"}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = value
    data.update(overrides)
    return data


def test_a_curator_imports_a_partner_file_from_upload_to_rollback(staff, curator, run_tasks):
    pivot = OrganisationFactory(name="Centre communautaire Le Pivot", email="info@pivot.org")
    LocationFactory(organisation=pivot, municipality=territory("laval"), postal_code="H7N 1A1")
    OrganisationIdentifier.objects.create(
        organisation=pivot, scheme="ville-laval", identifier="A-1"
    )
    popote = OrganisationFactory(name="Popote roulante Saint-Vincent")
    LocationFactory(organisation=popote, municipality=territory("laval"), postal_code="H7N 2B2")
    client = staff(curator)
    data = xlsx(
        [
            HEADERS,
            ["A-1", "Centre communautaire Le Pivot", "", "Laval", "H7N 1A1", "accueil@pivot.org"],
            ["A-2", "Maison de la famille de Laval", "12 rue Principale", "Laval", "H7N 3C3", ""],
            ["A-3", "Popote roulante St-Vincent", "", "Laval", "H7N 2B2", "popote@ex.org"],
            ["A-4", "Café de quartier", "8 rue Nord", "Laval", "H7N", ""],
        ]
    )

    # 1. Upload.
    response = client.post(reverse("imports:upload"), {"file": upload_file(data)})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:mapping", args=[batch.pk])
    assert batch.created_by == curator
    assert batch.status == ImportBatch.Status.UPLOADED

    # 2. Columns: a new partner, every column suggested from its name; the first rows shown.
    response = client.get(response["Location"])
    assert response.context["profile"] is None
    form = response.context["form"]
    assert [form[name].value() for name in form.column_fields] == [
        "partner_id", "name", "street_address", "municipality", "postal_code", "email",
    ]  # fmt: skip
    assert "Maison de la famille de Laval" in response.content.decode()
    response = run_tasks(
        lambda: client.post(
            reverse("imports:mapping", args=[batch.pk]),
            mapping_data(
                response, scheme="ville-laval", label="Ville de Laval", name="ville-laval"
            ),
        )
    )
    assert response["Location"] == reverse("imports:batch", args=[batch.pk])
    profile = MappingProfile.objects.get(name="ville-laval")
    assert profile.created_by == curator
    assert profile.mapping()["No de dossier"] == "partner_id"

    # 3. The dry run: each organisation's outcome, nothing written.
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED
    assert batch.profile == profile
    outcomes = {r.number: r.outcome for r in batch.results.all()}
    assert outcomes == {
        2: ImportRow.Outcome.UPDATE,
        3: ImportRow.Outcome.NEW,
        4: ImportRow.Outcome.PROBABLE,
        5: ImportRow.Outcome.ERROR,
    }
    response = client.get(reverse("imports:batch", args=[batch.pk]))
    page = response.content.decode()
    assert "info@pivot.org" in page and "accueil@pivot.org" in page  # before → after
    assert "H7N" in page and "postal code" in page  # the error: row, value, message
    assert reverse("imports:decide", args=[batch.pk]) in page
    assert Organisation.objects.count() == 2

    # Decisions: the probable match is the same organisation.
    response = client.post(reverse("imports:decide", args=[batch.pk]), {"decision-4": "same"})
    assert response.status_code == 302
    assert batch.results.get(number=4).decision == ImportRow.Decision.SAME

    # 4. Confirm: drafts submitted to the review workflow, nothing published.
    response = run_tasks(lambda: client.post(reverse("imports:apply", args=[batch.pk])))
    assert response["Location"] == reverse("imports:batch", args=[batch.pk])
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    assert batch.applied_by == curator
    assert batch.summary["applied"] == 3
    created = Organisation.objects.get(name="Maison de la famille de Laval")
    assert not created.live
    pivot.refresh_from_db()
    assert pivot.email == "info@pivot.org"  # the live record waits for review
    assert pivot.get_latest_revision_as_object().email == "accueil@pivot.org"
    assert WorkflowState.objects.filter(status=WorkflowState.STATUS_IN_PROGRESS).count() == 3

    # 5. The result links to the records and offers to roll back.
    response = client.get(reverse("imports:batch", args=[batch.pk]))
    page = response.content.decode()
    assert created.get_admin_url() in page
    assert pivot.get_admin_url() in page
    assert reverse("imports:rollback", args=[batch.pk]) in page

    # Rolling back: a page says what will be undone, then everything is as it was.
    response = client.get(reverse("imports:rollback", args=[batch.pk]))
    assert [r.number for r in response.context["created"]] == [3]
    assert [r.number for r in response.context["updated"]] == [2, 4]
    response = client.post(reverse("imports:rollback", args=[batch.pk]))
    assert response["Location"] == reverse("imports:batch", args=[batch.pk])
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.ROLLED_BACK
    assert batch.rolled_back_by == curator
    assert not Organisation.objects.filter(name="Maison de la famille de Laval").exists()
    pivot.refresh_from_db()
    assert pivot.get_latest_revision_as_object().email == "info@pivot.org"
    assert not WorkflowState.objects.filter(status=WorkflowState.STATUS_IN_PROGRESS).exists()
    response = client.get(reverse("imports:batch", args=[batch.pk]))
    assert "Rolled back on" in response.content.decode()
    assert reverse("imports:rollback", args=[batch.pk]) not in response.content.decode()


def test_the_partners_next_file_is_read_with_its_saved_profile(staff, curator):
    profile = MappingProfile.objects.create(
        name="ville-laval",
        label="Ville de Laval",
        scheme="ville-laval",
        columns=[
            {"column": "No de dossier", "target": "partner_id"},
            {"column": "Nom de l'organisme", "target": "name"},
            {"column": "Courriel", "target": "email"},
            {"column": "Adresse civique", "target": ""},
        ],
    )
    client = staff(curator)
    client.post(
        reverse("imports:upload"),
        {"file": upload_file(xlsx([HEADERS, ["A-9", "Entraide", "", "Laval", "", ""]]))},
    )
    batch = ImportBatch.objects.get()

    response = client.get(reverse("imports:mapping", args=[batch.pk]))

    assert response.context["profile"] == profile
    form = response.context["form"]
    assert [form[name].value() for name in form.column_fields] == [
        "partner_id", "name", "", "", "", "email",
    ]  # fmt: skip


def test_changing_the_columns_of_a_checked_file_updates_the_profile_and_checks_again(
    staff, curator, run_tasks
):
    profile = MappingProfile.objects.create(
        name="ville-laval",
        label="Ville de Laval",
        scheme="ville-laval",
        columns=[
            {"column": "No de dossier", "target": "partner_id"},
            {"column": "Nom de l'organisme", "target": "name"},
        ],
    )
    client = staff(curator)
    client.post(
        reverse("imports:upload"),
        {"file": upload_file(xlsx([HEADERS, ["A-1", "Entraide", "", "Laval", "", "a@ex.org"]]))},
    )
    batch = ImportBatch.objects.get()
    url = reverse("imports:mapping", args=[batch.pk])
    run_tasks(lambda: client.post(url, mapping_data(client.get(url))))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED
    assert batch.summary["unmapped_columns"] == [
        "Adresse civique",
        "Ville",
        "Code postal",
        "Courriel",
    ]

    response = client.get(url, {"profile": profile.pk})
    run_tasks(lambda: client.post(url, mapping_data(response, column_5="email", save_as="update")))

    profile.refresh_from_db()
    assert profile.mapping()["Courriel"] == "email"
    assert MappingProfile.objects.exclude(name="default").count() == 1
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED
    assert batch.profile_snapshot["columns"] == profile.columns
    assert batch.results.get().data["organisation"]["email"] == "a@ex.org"


def test_confirming_twice_applies_once_and_says_why(staff, curator, run_tasks):
    client = staff(curator)
    client.post(
        reverse("imports:upload"),
        {"file": upload_file(xlsx([HEADERS, ["A-1", "Entraide", "1 rue A", "Laval", "", ""]]))},
    )
    batch = ImportBatch.objects.get()
    url = reverse("imports:mapping", args=[batch.pk])
    run_tasks(lambda: client.post(url, mapping_data(client.get(url), scheme="ville-laval")))
    apply = reverse("imports:apply", args=[batch.pk])

    run_tasks(lambda: client.post(apply))
    response = run_tasks(lambda: client.post(apply, follow=True))

    assert response.status_code == 200
    assert "This import is not waiting for confirmation." in response.content.decode()
    assert Organisation.objects.filter(name="Entraide").count() == 1


def test_a_profile_that_reads_a_column_the_file_lacks_stops_the_check_with_the_reason(
    staff, curator, run_tasks
):
    profile = MappingProfile.objects.create(
        name="ville-laval",
        label="Ville de Laval",
        columns=[
            {"column": "Nom de l'organisme", "target": "name"},
            {"column": "Téléphone", "target": "phone"},
        ],
    )
    client = staff(curator)
    client.post(reverse("imports:upload"), {"file": upload_file(xlsx([HEADERS, ["A-1", "X"]]))})
    batch = ImportBatch.objects.get()
    url = reverse("imports:mapping", args=[batch.pk])
    response = client.get(url, {"profile": profile.pk})
    assert response.context["missing_columns"] == ["Téléphone"]

    run_tasks(lambda: client.post(url, mapping_data(response)))  # used as it is saved

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UNREADABLE
    response = client.get(reverse("imports:batch", args=[batch.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "“Téléphone”" in page
    assert reverse("imports:upload") in page


def test_an_unreadable_file_shows_why_and_offers_another_upload(staff, curator):
    client = staff(curator)
    response = client.post(
        reverse("imports:upload"),
        {"file": upload_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "vieux.xls")},
    )
    batch = ImportBatch.objects.get()

    response = client.get(response["Location"], follow=True)

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UNREADABLE
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("imports:batch", args=[batch.pk])
    page = response.content.decode()
    assert "password-protected or in the old Excel format" in page
    assert reverse("imports:upload") in page


def test_the_progress_figures_say_how_far_the_work_is_and_where_to_go_next(staff, curator):
    batch = ImportBatch.objects.create(
        profile=profile_default(),
        filename="laval.xlsx",
        status=ImportBatch.Status.APPLYING,
        rows_total=200,
        rows_done=50,
    )
    client = staff(curator)

    response = client.get(reverse("imports:progress", args=[batch.pk]))

    assert response.json() == {
        "status": "applying",
        "status_label": "Applying",
        "working": True,
        "rows_done": 50,
        "rows_total": 200,
        "progress": 25,
        "text": "Writing: 50 of 200 organisations…",
        "figures": "50 of 200",
        "url": reverse("imports:batch", args=[batch.pk]),
    }
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert 'value="25"' in page and "imports/js/progress.js" in page
    assert 'http-equiv="refresh"' in page  # without JavaScript, the page reloads itself

    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.APPLIED, rows_done=200)
    data = client.get(reverse("imports:progress", args=[batch.pk])).json()
    assert data["working"] is False
    assert data["progress"] == 100


@pytest.fixture
def receptionist(db):
    """Staff who may open the admin and nothing of the imports."""
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.create(name="Reception")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    return UserFactory(username="accueil", groups=["Reception"])


def refused(response) -> bool:
    """Wagtail's admin answers a refusal (``PermissionDenied``) with a redirect to its dashboard
    and a message; a script's request gets a 403."""
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


WIZARD_URLS = [
    ("index", False, "get"),
    ("upload", False, "get"),
    ("upload", False, "post"),
    ("batch", True, "get"),
    ("mapping", True, "get"),
    ("progress", True, "get"),
    ("decide", True, "post"),
    ("apply", True, "post"),
    ("rollback", True, "get"),
    ("rollback", True, "post"),
    ("original", True, "get"),
]


def test_staff_without_the_import_permissions_are_refused_everywhere(staff, receptionist):
    batch = ImportBatch.objects.create(
        profile=profile_default(), filename="laval.xlsx", status=ImportBatch.Status.CHECKED
    )
    client = staff(receptionist)

    for name, with_batch, method in WIZARD_URLS:
        url = reverse(f"imports:{name}", args=[batch.pk] if with_batch else [])
        assert refused(getattr(client, method)(url)), name
    assert refused(client.get(reverse("imports:export", args=["csv"])))
    assert refused(client.get(reverse("mapping_profiles:index")))
    progress = reverse("imports:progress", args=[batch.pk])
    assert client.get(progress, headers={"x-requested-with": "XMLHttpRequest"}).status_code == 403
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED
    assert not ImportBatch.objects.exclude(pk=batch.pk).exists()


def test_an_outsider_is_sent_to_the_login_page(client_for, outsider):
    batch = ImportBatch.objects.create(profile=profile_default(), filename="laval.xlsx")
    client = client_for(outsider)

    for name, with_batch, method in WIZARD_URLS:
        url = reverse(f"imports:{name}", args=[batch.pk] if with_batch else [])
        response = getattr(client, method)(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("wagtailadmin_login")), name


def test_staff_who_may_only_look_see_the_imports_but_cannot_apply_one(staff, receptionist):
    from django.contrib.auth.models import Permission

    receptionist.groups.get().permissions.add(Permission.objects.get(codename="view_importbatch"))
    batch = ImportBatch.objects.create(
        profile=profile_default(), filename="laval.xlsx", status=ImportBatch.Status.CHECKED
    )
    client = staff(receptionist)

    assert client.get(reverse("imports:index")).status_code == 200
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "You may look at this import but not apply it." in page
    assert refused(client.post(reverse("imports:apply", args=[batch.pk])))
    assert refused(client.get(reverse("imports:upload")))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED


def test_only_an_administrator_may_ask_to_publish_without_review(staff, curator, administrator):
    data = xlsx([HEADERS, ["A-1", "Entraide"]])

    page = staff(curator).get(reverse("imports:upload")).content.decode()
    assert "publish_directly" not in page
    staff(curator).post(
        reverse("imports:upload"), {"file": upload_file(data), "publish_directly": "on"}
    )
    assert ImportBatch.objects.get().publish_directly is False

    assert (
        "publish_directly" in staff(administrator).get(reverse("imports:upload")).content.decode()
    )
    staff(administrator).post(
        reverse("imports:upload"), {"file": upload_file(data), "publish_directly": "on"}
    )
    assert ImportBatch.objects.get(created_by=administrator).publish_directly is True


def test_a_curator_is_told_why_she_cannot_apply_an_administrators_publishing_import(
    staff, curator, administrator, run_tasks
):
    from imports.services import batch_check, batch_create

    from .sheets import municipal_profile

    batch = batch_create(
        file=io.BytesIO(xlsx([HEADERS, ["A-1", "Entraide", "", "Laval", "H7N 1A1", ""]])),
        filename="laval.xlsx",
        profile=municipal_profile(
            columns=[{"column": c, "target": t} for c, t in zip(HEADERS, TARGETS, strict=True)]
        ),
        user=administrator,
        publish_directly=True,
    )
    batch_check(batch=batch)
    client = staff(curator)

    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "permission to publish organisations directly" in page
    assert "An administrator can apply it." in page
    assert ">Apply the import</button>" not in page

    response = run_tasks(
        lambda: client.post(reverse("imports:apply", args=[batch.pk]), follow=True)
    )
    assert "Nothing was written." in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED
    assert not Organisation.objects.filter(name="Entraide").exists()

    page = staff(administrator).get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert ">Apply the import</button>" in page


def test_the_original_file_is_downloaded_as_it_was_sent(staff, curator):
    data = xlsx([HEADERS, ["A-1", "Entraide"]])
    client = staff(curator)
    client.post(reverse("imports:upload"), {"file": upload_file(data, "Liste 2026.xlsx")})
    batch = ImportBatch.objects.get()

    response = client.get(reverse("imports:original", args=[batch.pk]))

    assert b"".join(response.streaming_content) == data
    assert response["Content-Disposition"].startswith("attachment")
    assert "Liste 2026.xlsx" in response["Content-Disposition"]


def test_the_list_of_imports_costs_the_same_queries_for_one_batch_or_many(staff, curator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = staff(curator)
    profile = profile_default()
    ImportBatch.objects.create(profile=profile, filename="a.xlsx", created_by=curator)
    client.get(reverse("imports:index"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("imports:index")).status_code == 200
        return len(captured)

    few = queries()
    for n in range(10):
        ImportBatch.objects.create(profile=profile, filename=f"{n}.xlsx", created_by=curator)
    assert queries() == few


# --- The export -----------------------------------------------------------------------------------


def test_the_export_follows_the_listing_filters_and_hides_what_the_user_may_not_see(
    staff, curator, receptionist
):
    from django.contrib.auth.models import Permission

    # Staff who may see the organisations, not their confidential details.
    receptionist.groups.get().permissions.add(Permission.objects.get(codename="view_organisation"))
    laval = OrganisationFactory(name="Entraide Laval", update_contact_email="prive@laval.org")
    LocationFactory(
        organisation=laval,
        municipality=territory("laval"),
        street_address="1 rue Discrète",
        address_is_confidential=True,
    )
    elsewhere = OrganisationFactory(name="Entraide Longueuil")
    LocationFactory(organisation=elsewhere, municipality=territory("longueuil"))
    laval_only = f"?municipality={territory('laval').pk}"
    export_url = reverse("imports:export", args=["csv"]) + laval_only

    listing = staff(curator).get(
        reverse("wagtailsnippets_organisations_organisation:list") + laval_only
    )
    assert export_url in listing.content.decode()

    rows = list(csv.DictReader(io.StringIO(_text(staff(receptionist).get(export_url)))))
    assert [row["name"] for row in rows] == ["Entraide Laval"]
    assert rows[0]["update_contact_email"] == ""
    assert rows[0]["street_address"] == ""
    assert rows[0]["municipality"]  # the place is public, only the address is hidden

    rows = list(csv.DictReader(io.StringIO(_text(staff(curator).get(export_url)))))
    assert rows[0]["update_contact_email"] == "prive@laval.org"
    assert rows[0]["street_address"] == "1 rue Discrète"


def test_the_export_follows_the_listing_search_too(staff, curator):
    OrganisationFactory(name="Entraide Laval")
    OrganisationFactory(name="Popote Longueuil")

    response = staff(curator).get(reverse("imports:export", args=["csv"]), {"q": "popote"})

    rows = list(csv.DictReader(io.StringIO(_text(response))))
    assert [row["name"] for row in rows] == ["Popote Longueuil"]


def test_the_export_as_xlsx_reads_back_with_the_default_profile(staff, curator):
    OrganisationFactory(name="Entraide Laval")

    response = staff(curator).get(reverse("imports:export", args=["xlsx"]))

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    headers = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert headers[:2] == ["uuid", "name"]
    assert set(profile_default().mapping()) <= set(headers)
    assert response["Content-Disposition"].startswith("attachment")


def _text(response) -> str:
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


# --- Profiles -------------------------------------------------------------------------------------


def test_the_default_profile_cannot_be_edited_or_deleted(staff, curator, administrator):
    default = profile_default()
    columns = default.columns
    client = staff(administrator)

    for view in ("edit", "delete"):
        url = reverse(f"mapping_profiles:{view}", args=[default.pk])
        response = client.get(url)
        assert response["Location"] == reverse("mapping_profiles:inspect", args=[default.pk])
        client.post(url, {"label": "Changed", "name": "default", "layout": "organisation"})

    default.refresh_from_db()
    assert default.columns == columns and default.label != "Changed"
    listing = client.get(reverse("mapping_profiles:index")).content.decode()
    assert reverse("mapping_profiles:edit", args=[default.pk]) not in listing


def test_a_curator_edits_a_partners_profile_as_lines_of_text(staff, curator):
    profile = MappingProfile.objects.create(
        name="ville-laval", label="Ville de Laval", columns=[{"column": "Nom", "target": "name"}]
    )
    client = staff(curator)
    url = reverse("mapping_profiles:edit", args=[profile.pk])
    assert "Nom = name" in client.get(url).content.decode()

    response = client.post(
        url,
        {
            "label": "Ville de Laval",
            "name": "ville-laval",
            "scheme": "ville-laval",
            "layout": "organisation",
            "columns": "No de dossier = partner_id\nNom = name\nRemarques =",
            "category_map": "Aide alimentaire = aide-alimentaire",
        },
    )

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.columns == [
        {"column": "No de dossier", "target": "partner_id"},
        {"column": "Nom", "target": "name"},
        {"column": "Remarques", "target": ""},
    ]
    assert profile.category_map == {"Aide alimentaire": "aide-alimentaire"}


def test_a_profile_with_an_unknown_field_or_need_is_refused_line_by_line(staff, curator):
    client = staff(curator)

    response = client.post(
        reverse("mapping_profiles:add"),
        {
            "label": "Ville de Laval",
            "name": "ville-laval",
            "layout": "organisation",
            "columns": "Nom = name\nCourriel = e-mail",
            "category_map": "Aide alimentaire = nourriture",
        },
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Line 2" in str(errors["columns"])
    assert "Line 1" in str(errors["category_map"])
    assert not MappingProfile.objects.filter(name="ville-laval").exists()


def test_the_mapping_page_refuses_two_columns_for_one_field(staff, curator):
    client = staff(curator)
    client.post(reverse("imports:upload"), {"file": upload_file(xlsx([HEADERS, ["A-1", "X"]]))})
    batch = ImportBatch.objects.get()
    url = reverse("imports:mapping", args=[batch.pk])
    response = client.get(url)

    response = client.post(
        url, mapping_data(response, column_2="name", scheme="ville-laval", name="ville-laval")
    )

    assert response.status_code == 200
    assert "Several columns feed" in str(response.context["form"].non_field_errors())
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UPLOADED


def test_the_import_menu_leads_a_curator_to_the_wizard_and_the_profiles(staff, curator):
    page = staff(curator).get(reverse("wagtailadmin_home")).content.decode()

    assert reverse("imports:upload") in page
    assert reverse("imports:index") in page
    assert reverse("mapping_profiles:index") in page


def test_an_imports_entries_in_a_records_history_say_what_happened(staff, curator):
    from wagtail.log_actions import log

    organisation = OrganisationFactory(name="Entraide Laval")
    log(instance=organisation, action="repertoire.import", user=curator, data={"file": "a.xlsx"})
    log(instance=organisation, action="repertoire.import_rollback", user=curator)

    history = reverse("wagtailsnippets_organisations_organisation:history", args=[organisation.pk])
    page = staff(curator).get(history).content.decode()

    assert "Imported from a partner file" in page
    assert "Import rolled back" in page
