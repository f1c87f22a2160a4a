"""The public's side of the review app: suggesting a correction to an organisation's page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from organisations.models import Organisation
from organisations.selectors import public_organisations

from .forms import SuggestionForm
from .ratelimit import attempt, too_many_attempts
from .services import suggestion_create

# Suggestions sent from one address: a person corrects a few pages, a robot many.
SUGGESTIONS_PER_HOUR = 10


def _public_organisation(slug: str) -> Organisation:
    """Only a page the public can see takes suggestions."""
    return get_object_or_404(public_organisations().only("pk", "name", "slug"), slug=slug)


@never_cache
@require_http_methods(["GET", "POST"])
def suggestion_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _public_organisation(slug)
    if request.method == "POST":
        if not attempt(request, "suggestion", limit=SUGGESTIONS_PER_HOUR, seconds=3600):
            return too_many_attempts(request, minutes=60)
        form = SuggestionForm(request.POST)
        if form.is_valid():
            # A robot is thanked like anyone else, and nothing is kept: it learns nothing.
            if not form.is_from_a_robot():
                suggestion_create(
                    organisation=organisation,
                    text=form.cleaned_data["text"],
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    language=(translation.get_language() or "fr")[:2],
                )
            # Post/redirect/get; the thanks have a page of their own because the organisation's
            # page is served from the cache, where a flash message would never show.
            return redirect("review:suggestion_sent", slug=organisation.slug)
    else:
        form = SuggestionForm()
    return render(
        request,
        "review/suggestion_form.html",
        {
            "organisation": organisation,
            "organisation_url": organisation.get_public_url(),
            "form": form,
        },
    )


@require_http_methods(["GET"])
def suggestion_sent_view(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _public_organisation(slug)
    return render(
        request,
        "review/suggestion_sent.html",
        {"organisation": organisation, "organisation_url": organisation.get_public_url()},
    )
