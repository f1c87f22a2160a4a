"""A curator imports a partner's spreadsheet through the admin wizard: upload, the suggested
columns, the dry run's results, confirmation, and the progress bar until the result."""

import io
import re

import pytest
from django.db import connection
from django.utils import translation
from openpyxl import Workbook
from playwright.sync_api import expect
from wagtail.users.models import UserProfile

from imports.models import ImportBatch
from imports.services import batch_apply, batch_check
from organisations.models import Organisation
from tests.browser.checks import csp_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


PROGRESS = re.compile(r"/admin/imports/\d+/progress/$")


def partner_file() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["No de dossier", "Nom de l'organisme", "Adresse civique", "Ville", "Code postal"])
    sheet.append(["L-1", "Maison de la famille de Laval", "12 rue Principale", "Laval", "H7N 3C3"])
    sheet.append(
        ["L-2", "Popote roulante de Chomedey", "40 boul. Curé-Labelle", "Laval", "H7V 2W2"]
    )
    sheet.append(["L-3", "Café de quartier", "8 rue Nord", "Laval", "H7N"])  # incomplete code
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def worker(settings):
    """Tasks wait in a queue nobody serves (django-tasks' dummy backend), so the pages show the
    work under way. ``worker.serve(page)``: the test plays the worker, doing the queued check
    or apply when the page asks for the progress the third time (the first answers show the
    work not yet done), while the browser's request is held, so that the test and the live
    server never use the database at once."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": ["default", "geocoding"],
        }
    }

    class Worker:
        polls = 0
        serving = False

        def handle(self, route):
            self.polls += 1
            if self.polls >= 3:
                batch = ImportBatch.objects.get()
                # In the curator's language, as the queued task runs (it is given the language
                # of the request that queued it).
                try:
                    with translation.override("en"):
                        if batch.status == ImportBatch.Status.CHECKING:
                            batch_check(batch=batch)
                        elif batch.status == ImportBatch.Status.APPLYING:
                            batch_apply(batch=batch)
                finally:
                    # Playwright calls this in its own greenlet, whose context gets a database
                    # connection of its own: closed here, as a worker's would be, and not left
                    # open for PostgreSQL to refuse dropping the test database.
                    connection.close()
            route.continue_()

        def serve(self, page):
            """Do the next queued work on the third request for the progress."""
            self.polls = 0
            if not self.serving:
                page.route(PROGRESS, self.handle)
                self.serving = True

    return Worker()


def test_a_curator_imports_a_partner_file_and_watches_it_being_applied(
    desktop, live_server, curator, worker
):
    page = desktop
    # The admin in English: the words below are the source strings, whatever the translation.
    profile = UserProfile.get_for_user(curator)
    profile.preferred_language = "en"
    profile.save(update_fields=["preferred_language"])
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "nadia")
    page.fill("input[name=password]", "password")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))

    # 1. Upload, from the Imports menu.
    page.get_by_role("button", name="Imports").click()
    page.get_by_role("link", name="Import a file").click()
    page.get_by_label("Partner's file").set_input_files(
        {
            "name": "ville-de-laval.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": partner_file(),
        }
    )
    page.get_by_role("button", name="Upload and choose the columns").click()

    # 2. The columns, each matched with the field its name suggests; the first rows shown.
    expect(page.get_by_role("heading", name=re.compile("Columns of the file"))).to_be_visible()
    preview = page.get_by_role("region", name="The file's first rows")
    expect(preview.get_by_role("cell", name="Popote roulante de Chomedey")).to_be_visible()
    expect(page.get_by_label("Nom de l'organisme", exact=True)).to_have_value("name")
    expect(page.get_by_label("Code postal", exact=True)).to_have_value("postal_code")
    page.get_by_label("Partner's identifier scheme").fill("ville-de-laval")
    assert csp_violations(page) == []
    worker.serve(page)
    page.get_by_role("button", name="Check the file (nothing is written)").click()

    # 3. The dry run under way, then its results.
    page.wait_for_url(re.compile(r"/admin/imports/\d+/$"))
    expect(page.get_by_role("heading", name="What the import would do")).to_be_visible()
    counts = page.locator(".imports-counts")
    expect(counts.get_by_role("row", name=re.compile(r"^New 2$"))).to_be_visible()
    expect(counts.get_by_role("row", name=re.compile(r"^Error 1$"))).to_be_visible()
    errors = page.locator(".imports-errors")
    expect(errors).to_contain_text("Café de quartier")
    expect(errors).to_contain_text("incomplete")
    assert Organisation.objects.count() == 0
    assert csp_violations(page) == []

    # 4. Confirm, and watch the progress bar.
    worker.serve(page)
    page.get_by_role("button", name="Apply the import").click()
    expect(page.get_by_role("heading", name=re.compile("Applying"))).to_be_visible()
    expect(page.locator("progress")).to_have_attribute("value", "0")
    # The page asks the server where the work stands, and says it, without reloading (the
    # page itself says "Writing the changes…").
    expect(page.get_by_role("status").filter(has_text="Writing")).to_have_text(
        "Writing: 0 of 2 organisations…"
    )
    expect(page.locator("[data-imports-progress-figures]")).to_have_text("0 of 2")
    assert csp_violations(page) == []  # the progress script under the policy

    # 5. The result, reached by itself once the work is done.
    expect(page.get_by_role("heading", name=re.compile("Applied"))).to_be_visible()
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.APPLIED
    for organisation in Organisation.objects.all():
        expect(page.get_by_role("link", name=organisation.name)).to_have_attribute(
            "href", organisation.get_admin_url()
        )
    assert Organisation.objects.count() == 2
    expect(page.get_by_role("link", name="Roll back this import")).to_be_visible()
    assert csp_violations(page) == []
