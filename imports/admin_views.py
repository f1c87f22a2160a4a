"""The partner import in the admin: upload, mapping, dry run, decisions, confirmation, progress,
result and roll back; and the organisations' export in the layout the default profile reads.

Thin views: a permission check, a form or the batch, one service call, a redirect. Reading,
matching and writing are ``imports.services``; the long steps run as tasks, and the pages that
wait for them poll :func:`progress`.
"""

import tempfile
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organisations.lib.text import fold
from organisations.models import Category, Location, Organisation, Phone, Service, Territory
from organisations.phones import format_phone_national

from .columns import TARGETS, CellProblem, cell_text, format_hours
from .exports import records_export
from .forms import MappingForm, UploadForm, decisions_from
from .models import ImportBatch, ImportRow, MappingProfile
from .records import contents
from .services import (
    ImportRefused,
    batch_apply_refusal,
    batch_apply_start,
    batch_check,
    batch_check_start,
    batch_create,
    batch_decide,
    batch_rollback,
    profile_default,
)
from .spreadsheets import SheetError, open_sheet

VIEW = "imports.view_importbatch"
ADD = "imports.add_importbatch"
CHANGE = "imports.change_importbatch"

Status = ImportBatch.Status
Outcome = ImportRow.Outcome

BATCHES_PER_PAGE = 25
PREVIEW_ROWS = 5
# Rows listed per outcome on a results page; the counts say how many there are in all.
SHOWN = 500
PROBABLE_SHOWN = 1000


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _batch_for(request: HttpRequest, pk: int, permission: str) -> ImportBatch:
    """The batch, once the user is allowed ``permission`` on imports (a team's imports are
    everyone's in the team: any curator can pick up a colleague's file)."""
    _require(request, permission)
    return get_object_or_404(
        ImportBatch.objects.select_related("profile", "created_by", "applied_by", "rolled_back_by"),
        pk=pk,
    )


def _who(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "—"


def _to_batch(batch: ImportBatch, anchor: str = "") -> HttpResponse:
    url = reverse("imports:batch", args=[batch.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


# --- The list of imports --------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Every import, newest first."""
    _require(request, VIEW)
    batches = ImportBatch.objects.select_related("profile", "created_by").order_by(
        "-created_at", "-pk"
    )
    page = Paginator(batches, BATCHES_PER_PAGE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "imports/admin/index.html",
        {"page_obj": page, "can_upload": request.user.has_perm(ADD)},
    )


# --- 1. Upload ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    _require(request, ADD)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # The profile is chosen on the next page, once the file's columns are known.
            batch = batch_create(
                file=upload,
                filename=upload.name,
                profile=profile_default(),
                user=request.user,
                publish_directly=form.cleaned_data.get("publish_directly", False),
            )
        except ImportRefused as error:
            form.add_error(None, str(error))
        else:
            return redirect("imports:mapping", batch.pk)
    return TemplateResponse(request, "imports/admin/upload.html", {"form": form, "step": 1})


# --- 2. Mapping -----------------------------------------------------------------------------------


@dataclass
class Preview:
    """The file's header and first rows, as the mapping page shows them."""

    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]]


def _preview_text(value) -> str:
    try:
        return cell_text(value)
    except CellProblem:
        return str(value)


def _preview(batch: ImportBatch) -> Preview:
    """Read the header and a few rows (``SheetError`` if the file cannot be read)."""
    with batch.original.open("rb") as stream, open_sheet(stream, batch.filename) as sheet:
        width = len(sheet.headers)
        rows = []
        for number, values in sheet.rows:
            cells = [_preview_text(v) for v in values[:width]]
            rows.append((number, cells + [""] * (width - len(cells))))
            if len(rows) >= PREVIEW_ROWS:
                break
        return Preview(headers=sheet.headers, header_row=sheet.header_row, rows=rows)


def _fits(profile: MappingProfile, headers: set[str]) -> int:
    """How many of the file's columns ``profile`` reads; 0 if it reads a column the file lacks."""
    mapped = [fold(column) for column in profile.mapping()]
    if not mapped or any(column not in headers for column in mapped):
        return 0
    return len(mapped)


def _chosen_profile(choice: str, headers: list[str]) -> MappingProfile | None:
    """The profile the mapping page starts from: the one asked for (``"new"``: none), else the
    profile that reads the most of this file's columns and none it lacks (a partner's next
    file is recognised), else none (a new partner)."""
    if choice == "new":
        return None
    if choice.isdigit():
        found = MappingProfile.objects.filter(pk=int(choice)).first()
        if found:
            return found
    folded = {fold(h) for h in headers if h}
    best, best_fit = None, 0
    for profile in MappingProfile.objects.order_by("-updated_at"):
        fit = _fits(profile, folded)
        if fit > best_fit:
            best, best_fit = profile, fit
    return best


@require_http_methods(["GET", "POST"])
def mapping(request: HttpRequest, pk: int) -> HttpResponse:
    """Which of our fields each column feeds: a saved profile, or a new one suggested from
    the column names; then the dry run."""
    batch = _batch_for(request, pk, ADD)
    if batch.status not in (Status.UPLOADED, Status.CHECKED):
        return _to_batch(batch)
    try:
        preview = _preview(batch)
    except SheetError:
        # The dry run records why, in the words the batch page shows.
        batch_check(batch=batch)
        return _to_batch(batch)
    source = request.POST if request.method == "POST" else request.GET
    profile = _chosen_profile(source.get("profile", ""), preview.headers)
    if profile is None and not request.user.has_perm("imports.add_mappingprofile"):
        profile = profile_default()
    form = MappingForm(
        request.POST if request.method == "POST" else None,
        headers=preview.headers,
        profile=profile,
        user=request.user,
        filename=batch.filename,
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                used = form.save()
                batch_check_start(batch=batch, profile=used)
        except ImportRefused as error:
            messages.error(request, str(error))
        return _to_batch(batch)
    missing = []
    if profile is not None:
        present = {fold(h) for h in preview.headers}
        missing = [c for c in profile.mapping() if fold(c) not in present]
    return TemplateResponse(
        request,
        "imports/admin/mapping.html",
        {
            "batch": batch,
            "preview": preview,
            "form": form,
            "columns": [
                (form[name], [cells[int(name.split("_")[1])] for _n, cells in preview.rows[:3]])
                for name in form.column_fields
            ],
            "profile": profile,
            "profiles": MappingProfile.objects.order_by("label"),
            "missing_columns": missing,
            "categories": Category.objects.select_related("parent").order_by("code"),
            "step": 2,
        },
    )


# --- The batch's page, whatever step it is at -----------------------------------------------------


class _Names:
    """Words for what a change holds: field labels, names for the ids of needs and places,
    labels for choices. Read once per page."""

    _MODELS = {"organisation": Organisation, "service": Service, "location": Location}

    def __init__(self):
        self.territories = {t.pk: str(t) for t in Territory.objects.all()}
        self.categories = {c.pk: c.name for c in Category.objects.all()}
        self.labels = {}
        for target in TARGETS:
            if target.field:
                part = "phone" if target.part in ("fax", "toll_free") else target.part
                self.labels.setdefault((part, target.field), target.label)

    def _model(self, part):
        return self._MODELS.get(part, Phone)

    def field(self, part: str, field: str) -> str:
        if (part, field) in self.labels:
            return str(self.labels[(part, field)])
        try:
            return str(self._model(part)._meta.get_field(field).verbose_name).capitalize()
        except FieldDoesNotExist:
            return field

    def where(self, part: str, name: str) -> str:
        if part == "service":
            return _("Service “%(name)s”") % {"name": name} if name else _("A service")
        if part == "location":
            return _("Place “%(name)s”") % {"name": name} if name else _("A place")
        if part == "phone":
            return _("Phone %(number)s") % {"number": self.phone(name)}
        return ""

    def phone(self, number) -> str:
        try:
            return format_phone_national(number)
        except Exception:  # a value the formatter does not know: shown as it is
            return str(number)

    def value(self, part: str, field: str, value) -> str:
        if value is None or value == "" or value == []:
            return ""
        if field == "categories":
            return "; ".join(self.categories.get(pk, f"#{pk}") for pk in value)
        if field == "service_areas":
            return "; ".join(self.territories.get(pk, f"#{pk}") for pk in value)
        if field == "municipality":
            return self.territories.get(value, f"#{value}")
        if field == "hours":
            return format_hours([{"weekday": w, "opens": o, "closes": c} for w, o, c in value])
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if part == "phone" and field == "number":
            return self.phone(value)
        try:
            choices = self._model(part)._meta.get_field(field).choices
        except FieldDoesNotExist:
            choices = None
        if choices:
            return str(dict(choices).get(value, value))
        return str(value)

    def changes(self, changes: list[dict]) -> list[dict]:
        """Each change as words: where (the record, one of its services, places or phones),
        which field, before, after; or a service, place or phone the import adds."""
        rows = []
        for change in changes:
            part, field, name = change["part"], change["field"], change["name"]
            if part == "identifier":
                rows.append(
                    {
                        "where": "",
                        "field": _("Partner's id (%(scheme)s)") % {"scheme": name},
                        "before": "",
                        "after": str(change["after"]),
                    }
                )
            elif not field:
                rows.append({"where": self.where(part, name), "added": True})
            else:
                rows.append(
                    {
                        "where": self.where(part, name),
                        "field": self.field(part, field),
                        "before": self.value(part, field, change["before"]),
                        "after": self.value(part, field, change["after"]),
                    }
                )
        return rows

    def record(self, content: dict) -> dict:
        """The few things that tell an organisation apart: name, places, phones."""
        organisation = content.get("organisation", content)
        places = []
        for location in content.get("locations", []):
            parts = [
                location.get("street_address") or location.get("name") or "",
                location.get("postal_code") or "",
                self.territories.get(location.get("municipality"), ""),
            ]
            places.append(", ".join(p for p in parts if p))
        return {
            "name": organisation.get("name", ""),
            "alternate_name": organisation.get("alternate_name", ""),
            "places": [p for p in places if p],
            "phones": [
                self.phone(p["number"]) for p in content.get("phones", []) if p.get("number")
            ],
        }


def _results_context(batch: ImportBatch) -> dict:
    names = _Names()
    results = batch.results.select_related("organisation").order_by("number")

    def listed(outcome, limit=SHOWN):
        return list(results.filter(outcome=outcome)[:limit])

    errors = []
    for result in results.exclude(errors=[]).exclude(outcome=Outcome.DUPLICATE)[:SHOWN]:
        for error in result.errors:
            errors.append({**error, "name": result.name})
    updates = [{"result": r, "changes": names.changes(r.changes)} for r in listed(Outcome.UPDATE)]
    new = [{"result": r, "changes": names.changes(r.changes)} for r in listed(Outcome.NEW)]
    probable_rows = listed(Outcome.PROBABLE, PROBABLE_SHOWN)
    ours = contents([r.organisation_id for r in probable_rows if r.organisation_id])
    probable = [
        {
            "result": r,
            "ours": names.record(ours.get(r.organisation_id, {})),
            "theirs": names.record(r.data),
            "changes": names.changes(r.changes),
        }
        for r in probable_rows
    ]
    summary = batch.summary or {}
    counts = [
        (Outcome.NEW, Outcome.NEW.label, summary.get("new", 0)),
        (Outcome.UPDATE, Outcome.UPDATE.label, summary.get("updated", 0)),
        (Outcome.UNCHANGED, Outcome.UNCHANGED.label, summary.get("unchanged", 0)),
        (Outcome.PROBABLE, Outcome.PROBABLE.label, summary.get("probable_matches", 0)),
        (Outcome.ERROR, Outcome.ERROR.label, summary.get("errors", 0)),
        (Outcome.DUPLICATE, Outcome.DUPLICATE.label, summary.get("duplicates", 0)),
        (Outcome.IN_REVIEW, Outcome.IN_REVIEW.label, summary.get("in_review", 0)),
    ]
    pending = sum(1 for r in probable_rows if not r.decision)
    to_apply = (
        summary.get("new", 0)
        + summary.get("updated", 0)
        + sum(1 for r in probable_rows if r.decision in ("same", "different"))
    )
    return {
        "summary": summary,
        "counts": counts,
        "errors": errors,
        "updates": updates,
        "new": new,
        "probable": probable,
        "duplicates": listed(Outcome.DUPLICATE),
        "in_review": listed(Outcome.IN_REVIEW),
        "decisions": ImportRow.Decision.choices[1:],
        "pending": pending,
        "to_apply": to_apply,
        "shown": SHOWN,
        "step": 3,
    }


def _applied_context(batch: ImportBatch) -> dict:
    written = batch.results.filter(applied=True)
    if batch.status == Status.ROLLED_BACK:
        # Rolling back clears "applied"; what the import had written keeps its "previous".
        written = batch.results.exclude(previous={})
    written = list(written.select_related("organisation").order_by("number")[:SHOWN])
    return {
        "summary": batch.summary or {},
        "written": written,
        "created_count": sum(1 for r in written if r.previous.get("created")),
        "applied_by": _who(batch.applied_by),
        "rolled_back_by": _who(batch.rolled_back_by),
        "in_review_count": batch.results.filter(outcome=Outcome.IN_REVIEW).count(),
        # Left alone: a curator saved the record after the dry run compared it.
        "changed": list(
            batch.results.filter(outcome=Outcome.CHANGED)
            .select_related("organisation")
            .order_by("number")[:SHOWN]
        ),
        "changed_count": batch.results.filter(outcome=Outcome.CHANGED).count(),
        "shown": SHOWN,
        "step": 5,
    }


@require_GET
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    """The batch at whatever step it is: mapping to choose, check or apply under way, results
    to confirm, result; or why it stopped."""
    batch = _batch_for(request, pk, VIEW)
    context = {
        "batch": batch,
        "can_add": request.user.has_perm(ADD),
        "can_change": request.user.has_perm(CHANGE),
    }
    if batch.status == Status.UPLOADED and context["can_add"]:
        return redirect("imports:mapping", batch.pk)
    if batch.working or batch.status == Status.UPLOADED:
        context["step"] = 3 if batch.status != Status.APPLYING else 4
        return TemplateResponse(request, "imports/admin/progress.html", context)
    if batch.status in (Status.UNREADABLE, Status.FAILED):
        context["step"] = 3 if batch.status == Status.UNREADABLE else 4
        return TemplateResponse(request, "imports/admin/problem.html", context)
    if batch.status == Status.CHECKED:
        context.update(_results_context(batch))
        context["apply_refusal"] = batch_apply_refusal(batch=batch, user=request.user)
        return TemplateResponse(request, "imports/admin/results.html", context)
    context.update(_applied_context(batch))
    return TemplateResponse(request, "imports/admin/applied.html", context)


def _progress_text(batch: ImportBatch) -> str:
    if batch.status == Status.UPLOADED:
        return _("Waiting for the check to start…")
    if batch.status == Status.CHECKING and not batch.rows_total:
        return ngettext(
            "Reading the file: %(count)s row read…",
            "Reading the file: %(count)s rows read…",
            batch.rows_done,
        ) % {"count": batch.rows_done}
    if batch.status == Status.CHECKING:
        return _("Comparing with our records: %(done)s of %(total)s organisations…") % {
            "done": batch.rows_done,
            "total": batch.rows_total,
        }
    if batch.status == Status.APPLYING:
        return _("Writing: %(done)s of %(total)s organisations…") % {
            "done": batch.rows_done,
            "total": batch.rows_total,
        }
    return str(batch.get_status_display())


@require_GET
def progress(request: HttpRequest, pk: int) -> JsonResponse:
    """Where the check or the apply stands, for the progress bar; ``url``: where to go once
    ``working`` is false."""
    batch = _batch_for(request, pk, VIEW)
    return JsonResponse(
        {
            "status": batch.status,
            "status_label": str(batch.get_status_display()),
            "working": batch.working or batch.status == Status.UPLOADED,
            "rows_done": batch.rows_done,
            "rows_total": batch.rows_total,
            "progress": batch.progress,
            "text": _progress_text(batch),
            "figures": _("%(done)s of %(total)s")
            % {"done": batch.rows_done, "total": batch.rows_total}
            if batch.rows_total
            else "",
            "url": reverse("imports:batch", args=[batch.pk]),
        },
        headers={"Cache-Control": "no-store"},
    )


# --- 3. Decisions, 4. confirmation ----------------------------------------------------------------


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the answers on probable matches (same organisation, different, leave out)."""
    batch = _batch_for(request, pk, ADD)
    try:
        batch_decide(batch=batch, decisions=decisions_from(request.POST))
    except ImportRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your decisions are saved."))
    return _to_batch(batch, "probable")


@require_POST
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm: the decisions on the page are saved, then the changes written (as drafts in
    review, or published for an administrator's batch that says so)."""
    batch = _batch_for(request, pk, ADD)
    try:
        decisions = decisions_from(request.POST)
        if decisions:
            batch_decide(batch=batch, decisions=decisions)
        batch_apply_start(batch=batch, user=request.user)
    except ImportRefused as error:
        messages.error(request, str(error))
    return _to_batch(batch)


# --- 5. Roll back ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def rollback(request: HttpRequest, pk: int) -> HttpResponse:
    """What rolling back undoes, then, confirmed, undo it."""
    batch = _batch_for(request, pk, CHANGE)
    if request.method == "POST":
        try:
            batch_rollback(batch=batch, user=request.user)
        except ImportRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The import “%(file)s” is rolled back: the records are as they were before it.")
                % {"file": batch.filename},
            )
        return _to_batch(batch)
    if batch.status != Status.APPLIED:
        messages.error(request, _("Only an applied import can be rolled back."))
        return _to_batch(batch)
    applied = list(
        batch.results.filter(applied=True).select_related("organisation").order_by("number")
    )
    return TemplateResponse(
        request,
        "imports/admin/rollback.html",
        {
            "batch": batch,
            "created": [r for r in applied if r.previous.get("created")],
            "updated": [r for r in applied if not r.previous.get("created")],
            "step": 5,
        },
    )


@require_GET
def original(request: HttpRequest, pk: int) -> HttpResponse:
    """The file as the partner sent it (always a download, never shown in the browser)."""
    batch = _batch_for(request, pk, VIEW)
    try:
        stream = batch.original.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(_("The original file is no longer kept.")) from None
    return FileResponse(stream, as_attachment=True, filename=batch.filename)


# --- The export -----------------------------------------------------------------------------------

_CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _listed_organisations(request: HttpRequest):
    """The organisations the listing shows for the same query string: its filters, then its
    search (the admin's, on names)."""
    from organisations.filters import OrganisationFilterSet

    queryset = OrganisationFilterSet(request.GET, queryset=Organisation.objects.all()).qs
    query = request.GET.get("q", "").strip()
    if query:
        from wagtail.search.backends import get_search_backend

        found = get_search_backend().autocomplete(query, queryset, order_by_relevance=False)
        queryset = Organisation.objects.filter(pk__in=[o.pk for o in found])
    return queryset


@require_GET
def export(request: HttpRequest, format: str) -> HttpResponse:
    """The organisations of the listing, filtered as it is, in the default profile's layout
    (edit in a spreadsheet, import back). Confidential addresses and the private contact
    are blank for staff who may not see them."""
    _require(request, "organisations.view_organisation")
    if format not in _CONTENT_TYPES:
        raise Http404
    # Spooled: a large export goes to a temporary file, not memory, and is sent in blocks.
    stream = tempfile.SpooledTemporaryFile(max_size=10_000_000)  # noqa: SIM115
    records_export(
        _listed_organisations(request),
        format=format,
        stream=stream,
        confidential=request.user.has_perm("organisations.view_confidential_organisation"),
    )
    stream.seek(0)
    stamp = timezone.localdate().isoformat()
    return FileResponse(
        stream,
        as_attachment=True,
        filename=f"organisations-{stamp}.{format}",
        content_type=_CONTENT_TYPES[format],
    )
