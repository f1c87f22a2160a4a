"""Probable duplicates in the admin: the open pairs side by side, "Not a duplicate", and "Merge
into this one" (a confirmation page saying what the kept record gets).

Curators and editors see the pairs and may dismiss one (change permission); merging archives a
record, so it also needs the archive permission (editors, administrators). Thin views: a
permission check, one service call, a redirect.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.log_actions import LogFormatter

from ..models import DuplicatePair
from .duplicates import duplicates_open, with_details
from .merge import DuplicateError, duplicate_dismiss, duplicate_merge, duplicate_merge_plan

PAGE_SIZE = 20
VIEW = "organisations.change_organisation"
MERGE = ("organisations.change_organisation", "organisations.archive_organisation")


def _require(request: HttpRequest, *permissions: str) -> None:
    if not all(request.user.has_perm(p) for p in permissions):
        raise PermissionDenied


def _back(request: HttpRequest) -> str:
    """Where to go after a decision: the page of the list the person was on."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        return next_url
    return reverse("quality_duplicates")


@require_GET
def duplicate_list(request: HttpRequest) -> HttpResponse:
    _require(request, VIEW)
    paginator = Paginator(duplicates_open(), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "organisations/quality/duplicates.html",
        {
            "page_obj": page,
            "pairs": with_details(page.object_list),
            "elided_page_range": paginator.get_elided_page_range(page.number),
            "can_merge": all(request.user.has_perm(p) for p in MERGE),
            "next": request.get_full_path(),
        },
    )


@require_POST
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, VIEW)
    pair = get_object_or_404(DuplicatePair.objects.select_related("first", "second"), pk=pk)
    try:
        duplicate_dismiss(pair=pair, user=request.user)
    except DuplicateError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("“%(first)s” and “%(second)s” are not duplicates: this pair will not come back.")
            % {"first": pair.first.name, "second": pair.second.name},
        )
    return redirect(_back(request))


@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, *MERGE)
    pair = get_object_or_404(
        DuplicatePair.objects.select_related("first", "second"),
        pk=pk,
        status=DuplicatePair.Status.OPEN,
    )
    keep_id = request.POST.get("keep") or request.GET.get("keep")
    if str(keep_id) not in (str(pair.first_id), str(pair.second_id)):
        messages.error(request, _("Choose the record to keep."))
        return redirect(_back(request))
    keep, other = (
        (pair.first, pair.second)
        if str(keep_id) == str(pair.first_id)
        else (pair.second, pair.first)
    )
    if request.method == "POST":
        try:
            duplicate_merge(pair=pair, keep=keep, user=request.user)
        except DuplicateError as error:
            messages.error(request, str(error))
            return redirect(_back(request))
        messages.success(
            request,
            _(
                "“%(other)s” is archived and its addresses lead to “%(keep)s”. What it had and "
                "“%(keep)s” lacked is a draft in review."
            )
            % {"other": other.name, "keep": keep.name},
        )
        return redirect(keep.get_admin_url())
    (pair,) = with_details([pair])
    return TemplateResponse(
        request,
        "organisations/quality/duplicates_merge.html",
        {
            "pair": pair,
            "keep": keep,
            "other": other,
            "plan": duplicate_merge_plan(keep=keep, other=other),
            "in_review": keep.workflow_in_progress,
            "next": _back(request),
        },
    )


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("quality/duplicates/", duplicate_list, name="quality_duplicates"),
        path("quality/duplicates/<int:pk>/dismiss/", dismiss, name="quality_duplicate_dismiss"),
        path("quality/duplicates/<int:pk>/merge/", merge, name="quality_duplicate_merge"),
    ]


class DuplicatesMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW)


@hooks.register("register_reports_menu_item")
def duplicates_menu_item():
    return DuplicatesMenuItem(
        gettext_lazy("Probable duplicates"),
        reverse("quality_duplicates"),
        icon_name="copy",
        order=101,  # after the data quality report (report_views.py)
    )


class _PairFormatter(LogFormatter):
    """A history line that names the other record of the pair."""

    template = ""

    def format_message(self, log_entry):
        return self.template % {"name": log_entry.data.get("other_name", "")}


@hooks.register("register_log_actions")
def register_log_actions(actions):
    @actions.register_action("repertoire.not_duplicate")
    class NotDuplicate(_PairFormatter):
        label = gettext_lazy("Not a duplicate")
        template = gettext_lazy("Marked as not a duplicate of “%(name)s”")

    @actions.register_action("repertoire.merge")
    class Merge(_PairFormatter):
        label = gettext_lazy("Merge")
        template = gettext_lazy("“%(name)s” merged into this record (a draft in review)")

    @actions.register_action("repertoire.merged_into")
    class MergedInto(_PairFormatter):
        label = gettext_lazy("Merged into another record")
        template = gettext_lazy("Merged into “%(name)s” and archived")
