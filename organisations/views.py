"""Admin views for what Wagtail does not already provide: archiving a record and recovering one
deleted for good. Thin: permission-checked getter, confirmation, one service call, redirect."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .models import Organisation


def _organisation_for(request: HttpRequest, pk: int, permission: str) -> Organisation:
    if not request.user.has_perm(f"organisations.{permission}"):
        raise PermissionDenied
    return get_object_or_404(Organisation, pk=pk)


@require_http_methods(["GET", "POST"])
def archive(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_for(request, pk, "archive_organisation")
    closing = organisation.status != Organisation.Status.CLOSED
    if request.method == "POST":
        if closing:
            services.organisation_archive(organisation=organisation, user=request.user)
            messages.success(
                request,
                _("“%(name)s” is archived: it no longer appears in the public directory.")
                % {"name": organisation},
            )
        else:
            services.organisation_unarchive(organisation=organisation, user=request.user)
            messages.success(request, _("“%(name)s” is active again.") % {"name": organisation})
        return redirect(organisation.get_admin_url())
    return TemplateResponse(
        request,
        "organisations/admin/confirm_archive.html",
        {"organisation": organisation, "closing": closing},
    )


def deleted_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("organisations.delete_organisation"):
        raise PermissionDenied
    page = Paginator(services.deleted_organisations(), 50).get_page(request.GET.get("p"))
    return TemplateResponse(request, "organisations/admin/deleted_list.html", {"page_obj": page})


@require_POST
def recover(request: HttpRequest, version_id: int) -> HttpResponse:
    if not request.user.has_perm("organisations.delete_organisation"):
        raise PermissionDenied
    try:
        organisation = services.organisation_recover(version_id=version_id, user=request.user)
    except services.RecoveryError as error:
        messages.error(request, str(error))
        return redirect("organisations_deleted")
    messages.success(
        request,
        _("“%(name)s” is back, with its services, locations and phones.") % {"name": organisation},
    )
    return redirect(organisation.get_admin_url())
