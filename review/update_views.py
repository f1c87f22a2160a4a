"""The organisation's page behind its update link: its record as the public sees it, "our
information is still correct", or "propose changes" (review/propose_views.py)."""

from django.conf import settings
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from organisations.selectors import organisation_public_context

from .propose_views import propose
from .ratelimit import attempt, too_many_attempts
from .requests import LinkError, request_confirmed, request_for_link, request_opened

# Wrong links from one address before it is turned away for a while: enough for typing
# mistakes, too few to guess a 256-bit token (which could not be guessed anyway).
BAD_LINKS_PER_WINDOW, WINDOW_MINUTES = 20, 10
STATUS_BY_KIND = {"unknown": 404, "expired": 410, "revoked": 410, "answered": 200}


def _too_many_posts(request, update_request):
    """Every post through a request's links counts (all its tokens, any address, a form with
    mistakes too): past ``UPDATE_LINK_POSTS_PER_HOUR`` in an hour, the page that says so (429)
    instead of another answer; ``None`` while under it."""
    if attempt(
        request,
        "update-link-posts",
        who=str(update_request.pk),
        limit=settings.REPERTOIRE_UPDATE_LINK_POSTS_PER_HOUR,
        seconds=60 * 60,
    ):
        return None
    return too_many_attempts(request, minutes=60, link=True)


def _link(request, token: str):
    """(the request, None), or (None, the page that explains why the link cannot be used)."""
    try:
        return request_for_link(token), None
    except LinkError as problem:
        if problem.kind == "unknown" and not attempt(
            request, "update-link", limit=BAD_LINKS_PER_WINDOW, seconds=WINDOW_MINUTES * 60
        ):
            return None, too_many_attempts(request, minutes=WINDOW_MINUTES)
        organisation = problem.update_request.organisation if problem.update_request else None
        page = render(
            request,
            "review/update/link_problem.html",
            # Nothing about the organisation for a link that was never ours.
            {
                "kind": problem.kind,
                "organisation": organisation if problem.kind != "unknown" else None,
                "contact_email": settings.REPERTOIRE_CONTACT_EMAIL,
            },
            status=STATUS_BY_KIND[problem.kind],
        )
        return None, page


@never_cache
@require_http_methods(["GET", "POST"])
def update_request_view(request, token: str):
    update_request, problem = _link(request, token)
    if problem is not None:
        return problem
    organisation = update_request.organisation
    if request.method == "POST":
        if (refused := _too_many_posts(request, update_request)) is not None:
            return refused
        request_confirmed(update_request, note=request.POST.get("note", "")[:2_000])
        return redirect("update_request_thanks", token=token)
    request_opened(update_request)
    context = organisation_public_context(organisation)
    context.update(
        {
            "organisation": organisation,
            "token": token,
            "answered": update_request.status == "answered",
        }
    )
    return render(request, "review/update/record.html", context)


@never_cache
@require_http_methods(["GET", "POST"])  # a POST to a stopped link says why (410), like a GET
def update_request_thanks_view(request, token: str):
    try:
        update_request = request_for_link(token)
    except LinkError as problem:
        if problem.kind != "answered":
            return _link(request, token)[1]
        update_request = problem.update_request
    if request.method == "POST":
        return HttpResponseNotAllowed(["GET"])
    return render(
        request, "review/update/thanks.html", {"organisation": update_request.organisation}
    )


@never_cache
@require_http_methods(["GET", "POST"])
def update_request_propose_view(request, token: str):
    update_request, problem = _link(request, token)
    if problem is not None:
        return problem
    if request.method == "POST" and (refused := _too_many_posts(request, update_request)):
        return refused
    response = propose(
        request,
        organisation=update_request.organisation,
        update_request=update_request,
        sent_url=reverse("update_request_sent", kwargs={"token": token}),
    )
    return response


@never_cache
@require_http_methods(["GET", "POST"])  # a POST to a stopped link says why (410), like a GET
def update_request_sent_view(request, token: str):
    update_request, problem = _link(request, token)
    if problem is not None:
        return problem
    if request.method == "POST":
        return HttpResponseNotAllowed(["GET"])
    return render(
        request,
        "review/propose/sent.html",
        {
            "organisation": update_request.organisation,
            "again_url": reverse("update_request_propose", kwargs={"token": token}),
        },
    )
