"""The yearly cycle in the admin: recording a verification, the report, its export.

Thin views: a permission check, a form or a selector, one service call, a redirect.
"""

import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from organisations.lib.formulas import neutralise_formula
from organisations.models import Organisation
from organisations.phones import format_phone_national

from .forms import VerificationForm
from .selectors import due_within, overdue, review_status
from .services import verification_record

# How many records the report lists under "overdue" and "due soon" (the listing has them all).
REPORT_LIST_SIZE = 25


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _return_url(request: HttpRequest, default: str) -> str:
    """Where the curator came from (``?next=``, on this site only), else ``default``."""
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return default


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that a member of staff confirmed the record (by phone, email, visit...), then go
    back where the curator came from (her filtered list, or the record)."""
    _require(request, "organisations.change_organisation")
    organisation = get_object_or_404(Organisation.objects.select_related("assigned_curator"), pk=pk)
    form = VerificationForm(request.POST or None)
    back = _return_url(request, organisation.get_admin_url())
    if request.method == "POST" and form.is_valid():
        verification_record(
            organisation=organisation,
            method=form.cleaned_data["method"],
            user=request.user,
            note=form.cleaned_data["note"],
            verified_at=form.verified_at(),
        )
        messages.success(
            request,
            _("“%(name)s” is verified; its next review is due on %(date)s.")
            % {
                "name": organisation,
                "date": date_format(organisation.next_review_due, "DATE_FORMAT"),
            },
        )
        return redirect(back)
    return TemplateResponse(
        request,
        "review/admin/verify.html",
        {
            "organisation": organisation,
            "form": form,
            "back_url": back,
            "header_title": _("Record a verification: %(name)s") % {"name": organisation.name},
            "header_icon": "tasks",
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {
                    "url": reverse("wagtailsnippets_organisations_organisation:list"),
                    "label": Organisation._meta.verbose_name_plural.capitalize(),
                },
                {"url": organisation.get_admin_url(), "label": organisation.name},
                {"url": "", "label": _("Record a verification")},
            ],
            "contact_phone": format_phone_national(organisation.update_contact_phone),
            "phones": list(organisation.phones.all()),
            "verifications": organisation.verifications.select_related("user")[:10],
        },
    )


def _listing_url(**filters) -> str:
    from urllib.parse import urlencode

    from django.urls import reverse

    base = reverse("wagtailsnippets_organisations_organisation:list")
    return f"{base}?{urlencode(filters)}"


def listing_links() -> dict:
    """The organisation listing filtered to the overdue and the due-soon records, soonest first
    (the report's and the home panel's links)."""
    return {
        "overdue_url": _listing_url(review_state="overdue", ordering="next_review_due"),
        "due_soon_url": _listing_url(review_state="due_60", ordering="next_review_due"),
    }


def _due(today, *, late: bool):
    active = Organisation.objects.filter(status=Organisation.Status.ACTIVE)
    found = active.filter(overdue(today) if late else due_within(today, 60))
    return found.select_related("assigned_curator").order_by(
        "next_review_due", "name"
    )  # never verified (no date) first on PostgreSQL, last on SQLite: both fine for a list


@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """Where the year stands: coverage, pace, overdue and due soon, by sector and curator."""
    _require(request, "organisations.view_organisation")
    status = review_status()
    today = status.today
    peak = max([m.verified for m in status.months] + [status.needed_per_month, 1])
    return TemplateResponse(
        request,
        "review/admin/report.html",
        {
            "status": status,
            "coverage_percent": round(status.totals.coverage * 100, 1),
            "chart": [
                {
                    "month": m,
                    "height": round(m.verified / peak * 100),
                    "future": m.start > today,
                }
                for m in status.months
            ],
            "pace_height": round(min(status.needed_per_month / peak, 1) * 100),
            "overdue": _due(today, late=True)[:REPORT_LIST_SIZE],
            "due_soon": _due(today, late=False)[:REPORT_LIST_SIZE],
            **listing_links(),
        },
    )


def _export_rows(today):
    """The records to chase (overdue, then due within 90 days), for a spreadsheet: each value
    made safe to open (a name such as "=HYPERLINK(...)" stays text)."""
    headers = [
        _("Organisation"),
        _("State"),
        _("Next review due"),
        _("Last verified"),
        _("Verified by"),
        _("Curator"),
        _("Contact for updating"),
        _("Email"),
        _("Phone"),
        _("Language"),
    ]
    yield headers
    chase = (
        Organisation.objects.filter(status=Organisation.Status.ACTIVE)
        .filter(overdue(today) | due_within(today, 90))
        .select_related("assigned_curator")
        .order_by("next_review_due", "name")
    )
    for organisation in chase.iterator(chunk_size=2_000):
        due = organisation.next_review_due
        if organisation.last_verified_at is None:
            state = _("Never verified")
        elif due < today:
            state = _("Overdue")
        else:
            state = _("Due soon")
        curator = organisation.assigned_curator
        row = [
            organisation.name,
            state,
            due.isoformat() if due else "",
            timezone.localtime(organisation.last_verified_at).date().isoformat()
            if organisation.last_verified_at
            else "",
            organisation.verified_by,
            (curator.get_full_name() or curator.get_username()) if curator else "",
            organisation.update_contact_name,
            organisation.update_contact_email,
            organisation.update_contact_phone,
            organisation.preferred_language,
        ]
        yield [neutralise_formula(value) for value in row]


class _Echo:
    def write(self, value):
        return value


@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The report as a spreadsheet: ``?format=xlsx`` (summary, sectors, curators, months, the
    records to chase) or ``?format=csv`` (the records to chase, to phone them)."""
    _require(request, "organisations.view_organisation")
    today = timezone.localdate()
    stamp = today.isoformat()
    if request.GET.get("format") == "csv":
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in _export_rows(today)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="review-{stamp}.csv"'
        return response

    from openpyxl import Workbook

    status = review_status()
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(_("Summary"))
    totals = status.totals
    for label, value in (
        (_("Date"), stamp),
        (_("Active organisations"), totals.active),
        (_("Verified in the last 12 months"), totals.verified_12m),
        (_("Coverage"), totals.coverage),
        (_("Verified this cycle"), status.verified_this_cycle),
        (_("Needed each month from now on"), status.needed_per_month),
        (_("Overdue"), totals.overdue),
        (_("Due within 30 days"), totals.due_30),
        (_("Due within 60 days"), totals.due_60),
        (_("Due within 90 days"), totals.due_90),
    ):
        summary.append([label, value])
    headers = [
        _("Active"),
        _("Verified in the last 12 months"),
        _("Coverage"),
        _("Overdue"),
        _("Due within 30 days"),
        _("Due within 60 days"),
        _("Due within 90 days"),
    ]
    for title, groups in (
        (_("By sector"), [(name, counts) for name, counts in status.by_sector]),
        (_("By curator"), [(name, counts) for name, _pk, counts in status.by_curator]),
    ):
        sheet = workbook.create_sheet(title)
        sheet.append(["", *headers])
        for name, c in groups:
            sheet.append(
                [
                    neutralise_formula(name),
                    c.active,
                    c.verified_12m,
                    c.coverage,
                    c.overdue,
                    c.due_30,
                    c.due_60,
                    c.due_90,
                ]
            )
    months = workbook.create_sheet(_("Months"))
    months.append([_("Month"), _("Verified"), _("Verified since January"), _("Pace to 100 %")])
    for m in status.months:
        months.append([m.start.strftime("%Y-%m"), m.verified, m.cumulative, m.target])
    chase = workbook.create_sheet(_("To verify"))
    for row in _export_rows(today):
        chase.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="review-{stamp}.xlsx"'
    return response


# --- Proposals ------------------------------------------------------------------------------------

PROPOSALS_PER_PAGE = 25


@require_GET
def proposal_queue(request: HttpRequest) -> HttpResponse:
    """What organisations sent, waiting for a curator: grouped by organisation, the
    organisation with the newest proposal first."""
    from django.core.paginator import Paginator
    from django.db.models import Max

    from .models import Proposal

    _require(request, "organisations.change_organisation")
    status = request.GET.get("status") or Proposal.Status.SUBMITTED
    if status not in Proposal.Status.values:
        status = Proposal.Status.SUBMITTED
    waiting = Proposal.objects.filter(status=status)
    organisations = (
        Organisation.objects.filter(pk__in=waiting.values("organisation_id"))
        .annotate(newest=Max("proposals__created_at", filter=Q(proposals__status=status)))
        .order_by("-newest", "pk")
    )
    page = Paginator(organisations, PROPOSALS_PER_PAGE).get_page(request.GET.get("p"))
    proposals: dict[int, list] = {}
    # An answer sent again through its link replaced the earlier one (kept as "replaced"):
    # the queue shows the current one, with the date of the answer it replaced.
    shown = waiting.filter(organisation__in=[o.pk for o in page.object_list]).annotate(
        replaced_earlier=Max("replaces__created_at")
    )
    for proposal in shown.select_related("replaced_by"):
        proposals.setdefault(proposal.organisation_id, []).append(proposal)
    groups = [(organisation, proposals.get(organisation.pk, [])) for organisation in page]
    return TemplateResponse(
        request,
        "review/admin/proposal_queue.html",
        {
            "page_obj": page,
            "groups": groups,
            "status": status,
            "statuses": Proposal.Status.choices,
        },
    )


def _comparisons(organisation, before, after, request):
    """Wagtail's own field-by-field comparison of two versions of the record (the one its
    revision history uses), the fields that differ only."""
    from organisations.wagtail_hooks import OrganisationViewSet

    panel = OrganisationViewSet.edit_handler.bind_to_model(Organisation).get_bound_panel(
        instance=organisation, request=request, form=None
    )
    found = []
    for comparison_class in panel.get_comparison():
        comparison = comparison_class(before, after)
        if comparison.has_changed():
            found.append(comparison)
    return found


@require_http_methods(["GET", "POST"])
def proposal_review(request: HttpRequest, pk: int) -> HttpResponse:
    """One proposal: what it changes (live vs proposed), the note, and the curator's actions:
    take it up (a draft in the workflow, to edit then send on) or turn it down with a message.
    When the record changed since, the three versions are shown and the curator chooses."""
    from .forms import ProposalRejectForm
    from .models import Proposal
    from .proposals import (
        ProposalChoicesStale,
        ProposalConflict,
        ProposalError,
        proposal_changes,
        proposal_reject,
        proposal_take_up,
    )

    _require(request, "organisations.change_organisation")
    proposal = get_object_or_404(Proposal.objects.select_related("organisation"), pk=pk)
    organisation = proposal.organisation
    changes = proposal_changes(proposal) if proposal.status == Proposal.Status.SUBMITTED else []
    conflicts = [change for change in changes if change.conflict]
    reject_form = ProposalRejectForm()
    error = ""
    if request.method == "POST" and proposal.status == Proposal.Status.SUBMITTED:
        try:
            if request.POST.get("action") == "reject":
                reject_form = ProposalRejectForm(request.POST)
                if reject_form.is_valid():
                    proposal_reject(
                        proposal=proposal,
                        user=request.user,
                        message=reject_form.cleaned_data["message"],
                    )
                    messages.success(
                        request,
                        _(
                            "The proposal is turned down; the organisation will receive your message."
                        ),
                    )
                    return redirect("review_proposals")
            else:
                choices = {c.key: request.POST.get(f"choice-{c.key}", "") for c in conflicts}
                seen = request.POST.get("seen_revision", "")
                proposal_take_up(
                    proposal=proposal,
                    user=request.user,
                    choices=choices,
                    seen_revision_id=int(seen) if seen.isdigit() else None,
                )
                # A curator's submission passes the curators' step at once (CurationTask): the
                # proposal is with the editors now, and the record is theirs until they decide.
                messages.success(
                    request,
                    _(
                        "The proposal from “%(name)s” is sent on to the editors: it is published "
                        "once one of them approves it."
                    )
                    % {"name": organisation.name},
                )
                return redirect("review_proposals")
        except ProposalChoicesStale as problem:
            error = str(problem)
        except ProposalConflict:
            error = _(
                "The record changed since the organisation saw it: choose a version for each field below."
            )
        except ProposalError as problem:
            error = str(problem)
    base = organisation.with_content_json(proposal.base_content)
    proposed = organisation.with_content_json({**proposal.base_content, **proposal.content})
    current = organisation.get_latest_revision_as_object()
    conflict_views = []
    for change in conflicts:
        only = {**proposal.base_content, change.key: change.current}
        conflict_views.append(
            {
                "change": change,
                "since": _comparisons(
                    organisation, base, organisation.with_content_json(only), request
                ),
                "proposed": _comparisons(
                    organisation,
                    base,
                    organisation.with_content_json(
                        {**proposal.base_content, change.key: change.proposed}
                    ),
                    request,
                ),
            }
        )
    return TemplateResponse(
        request,
        "review/admin/proposal_review.html",
        {
            "proposal": proposal,
            "organisation": organisation,
            "comparison": _comparisons(organisation, base, proposed, request),
            "conflicts": conflict_views,
            # What a person changed since, as the comparison shows it (not geocoding's point).
            "current_differs": bool(conflicts)
            or bool(_comparisons(organisation, base, current, request)),
            "reject_form": reject_form,
            "error": error,
            "in_review_elsewhere": organisation.workflow_in_progress,
        },
    )
