"""The organisation's form to propose changes, behind its update link (the link's view finds
the organisation and the request, then hands over to ``propose``)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from organisations.models import Organisation

from .proposal_forms import ORGANISATION_FIELDS, SUBMITTER_FIELDS, RecordForms
from .proposals import ProposalError, as_content, proposal_submit


def published_content(organisation: Organisation) -> dict:
    """The record as the public sees it: the live revision's content (not a pending draft)."""
    revision = organisation.live_revision
    return revision.content if revision else as_content(organisation.serializable_data())


def propose(
    request: HttpRequest, *, organisation: Organisation, update_request=None, sent_url: str
) -> HttpResponse:
    """GET: the form, prefilled from the published record (or from the organisation's own answer
    still waiting for a curator, to correct it). POST: keep the answer as a proposal and go to
    ``sent_url``; a form with mistakes comes back with every answer still in it."""
    from .models import Proposal

    published = content = published_content(organisation)
    pending = Proposal.objects.filter(organisation=organisation, status=Proposal.Status.SUBMITTED)
    if update_request is not None:
        pending = pending.filter(update_request=update_request)
    pending = pending.order_by("-created_at").first()
    submitter = {}
    if pending is not None:
        content = {**content, **pending.content}
        submitter = {
            "submitter_name": pending.submitter_name,
            "submitter_email": pending.submitter_email,
            "note": pending.note,
        }
    forms = RecordForms(
        content, request.POST if request.method == "POST" else None, submitter, published
    )
    error = ""
    if request.method == "POST" and forms.is_valid():
        try:
            proposal_submit(
                organisation=organisation,
                content=forms.content(),
                update_request=update_request,
                **forms.submitter(),
            )
        except ProposalError as problem:
            error = str(problem)
        else:
            if update_request is not None:
                from .requests import request_proposed

                request_proposed(update_request)
            return redirect(sent_url)
    return render(
        request,
        "review/propose/form.html",
        {
            "organisation": organisation,
            "forms": forms,
            "record_fields": ORGANISATION_FIELDS,
            "submitter_fields": SUBMITTER_FIELDS,
            "error": error,
        },
        status=400 if request.method == "POST" else 200,
    )
