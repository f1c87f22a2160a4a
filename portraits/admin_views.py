"""The agents' screens in the admin: recording a request during a call, correcting it within 24
hours, their recent requests, and the lookup the form asks as the agent types.

Thin views: a permission check, the forms, one service call, a redirect. The form works without
JavaScript (« Find organisations » sends it back with the suggestions); with it, the lookup
fills the suggestions as the agent types (portraits/static/portraits/record.js).
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods
from wagtail.admin import messages

from organisations.search import cards, reference

from .forms import MAX_NEEDS, NeedForms, RequestForm
from .matching import PlaceMatch, need_label, need_match, place_label, place_match
from .models import Outcome, Request
from .selectors import (
    MORE_SUGGESTIONS,
    SUGGESTIONS,
    agent_requests,
    referral_suggestions,
)
from .services import NotCorrectable, request_correct, request_record

RECORD = "portraits.add_request"


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _breadcrumbs(*items) -> list[dict]:
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse("portraits_mine"), "label": _("Requests")},
        *({"url": url, "label": label} for url, label in items),
    ]


def _choices_context(known) -> dict:
    """The lists the territory and need boxes offer as the agent types."""
    language = (translation.get_language() or "fr")[:2]

    def make():
        with translation.override(language):
            places = [place_label(t) for t in known.territories if t.kind != t.Kind.REGION]
            needs = [need_label(c) for c in known.categories]
            return sorted(places), needs

    places, needs = known.memo(("portraits", "datalists", language), make)
    return {
        "place_options": places,
        "need_options": needs,
        "outside_label": _("Outside the region"),
    }


def _place_of(request_form: RequestForm, known) -> PlaceMatch | None:
    """The territory understood: as the form cleaned it, else as typed or given."""
    if request_form.place is not None:
        return request_form.place
    text = (request_form["territory"].value() or "").strip()
    return place_match(text, known) if text else None


def _need_rows(need_forms: NeedForms, place: PlaceMatch | None, known, more=()) -> list[dict]:
    """Each need slot with what the screen shows beside it: the need understood and the
    directory's suggestions (more of them for the slots in ``more``), the organisations
    already ticked kept among them."""
    rows = []
    for index, form in enumerate(need_forms):
        row = {"form": form, "understood": "", "others": [], "suggestions": None}
        text = (form["need"].value() or "").strip()
        match = form.match or (need_match(text, known) if text else None)
        if match is not None and match.category is not None:
            row["understood"] = need_label(match.category)
            row["others"] = [need_label(c) for c in match.others]
            row["suggestions"] = referral_suggestions(
                category=match.category,
                place=place if place and place.found else None,
                limit=MORE_SUGGESTIONS if index in more else SUGGESTIONS,
                known=known,
            )
            row["can_more"] = index not in more and len(row["suggestions"].rows) >= SUGGESTIONS
            ticked = {int(v) for v in (form["organisations"].value() or []) if str(v).isdigit()}
            shown = {s.id for s in row["suggestions"].rows}
            row["ticked"] = ticked
            missing = sorted(ticked - shown)
            found = cards(missing)
            row["kept"] = [(pk, found[pk]["name"]) for pk in missing if pk in found]
        rows.append(row)
    return rows


def _as_initial(data) -> tuple[dict, list[dict], set[int]]:
    """A form sent to see the suggestions, as the initial values of a form not yet checked (no
    error is shown for what the agent has not finished typing), and the slots that asked for
    more suggestions."""
    request_initial = {
        name: data.get(name, "")
        for name in ("channel", "language", "territory", "age_band", "note")
    }
    needs, more = [], set()
    for index in range(MAX_NEEDS):
        prefix = f"need-{index}-"
        if not any(key.startswith(prefix) for key in data):
            break
        needs.append(
            {
                "need": data.get(f"{prefix}need", ""),
                "result": data.get(f"{prefix}result", Outcome.REFERRED),
                "organisations": data.getlist(f"{prefix}organisations"),
            }
        )
        if data.get(f"{prefix}more"):
            more.add(index)
    while needs and not needs[-1]["need"].strip():
        needs.pop()
    return request_initial, needs, more


def _is_lookup(data) -> bool:
    """The form was sent to see the suggestions (« Find organisations », « More »), not to be
    saved."""
    return "lookup" in data or any(key.endswith("-more") for key in data)


def _render(request, template_context: dict, request_form, need_forms, known, more=()):
    place = _place_of(request_form, known)
    context = {
        "form": request_form,
        "need_rows": _need_rows(need_forms, place, known, more),
        "need_forms": need_forms,
        "place": place,
        "lookup_url": reverse("portraits_lookup"),
        "recent": [
            {"request": saved, "correctable": not saved.why_not_correctable(request.user)}
            for saved in agent_requests(request.user, days=1)
        ],
        "header_icon": "clipboard-list",
        **_choices_context(known),
        **template_context,
    }
    return TemplateResponse(request, "portraits/record.html", context)


def _values(request_form: RequestForm) -> dict:
    data = request_form.cleaned_data
    return {
        "channel": data["channel"],
        "language": data["language"],
        "territory": request_form.place.territory,
        "age_band": data["age_band"],
        "note": data["note"],
    }


@require_http_methods(["GET", "POST"])
def record(request: HttpRequest) -> HttpResponse:
    """Record a request: the call, its needs, what came of each."""
    _require(request, RECORD)
    known = reference()
    data = request.POST if request.method == "POST" else None
    more: set[int] = set()
    if data is not None and _is_lookup(data):
        request_initial, needs_initial, more = _as_initial(data)
        request_form = RequestForm(known=known, initial=request_initial)
        need_forms = NeedForms(known=known, initial=needs_initial)
    else:
        request_form = RequestForm(data, known=known)
        need_forms = NeedForms(data, known=known)
    if request_form.is_bound:
        valid = request_form.is_valid()
        if need_forms.is_valid() and valid:
            saved = request_record(
                user=request.user, needs=need_forms.inputs(), **_values(request_form)
            )
            count = len(need_forms.inputs())
            messages.success(
                request,
                ngettext(
                    "Request recorded: %(count)s need.", "Request recorded: %(count)s needs.", count
                )
                % {"count": count},
                buttons=[
                    messages.button(reverse("portraits_correct", args=[saved.pk]), _("Correct it"))
                ],
            )
            return redirect("portraits_record")
    return _render(
        request,
        {
            "header_title": _("Record a request"),
            "breadcrumbs_items": _breadcrumbs(("", _("Record a request"))),
            "submit_label": _("Save the request"),
        },
        request_form,
        need_forms,
        known,
        more,
    )


def _initial(saved: Request) -> tuple[dict, list[dict]]:
    request_initial = {
        "channel": saved.channel,
        "language": saved.language,
        "territory": place_label(saved.territory) if saved.territory else _("Outside the region"),
        "age_band": saved.age_band,
        "note": saved.note,
    }
    needs = []
    for need in saved.needs.all():
        result = f"{need.outcome}:{need.reason}" if need.outcome == Outcome.UNMET else need.outcome
        needs.append(
            {
                "need": need_label(need.category),
                "result": result,
                "organisations": [r.organisation_id for r in need.referrals.all()],
            }
        )
    return request_initial, needs


@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a request: its own agent, within 24 hours of recording it. After that, or for
    anyone else, the request is shown read-only with the reason."""
    _require(request, "portraits.view_request")
    saved = get_object_or_404(
        Request.objects.select_related("territory").prefetch_related(
            "needs__category__parent", "needs__referrals"
        ),
        pk=pk,
    )
    if saved.recorded_by_id != request.user.pk and not request.user.is_superuser:
        raise PermissionDenied
    known = reference()
    refusal = saved.why_not_correctable(request.user)
    title = _("Request of %(date)s") % {"date": date_format(saved.received_on, "DATE_FORMAT")}
    if refusal:
        return TemplateResponse(
            request,
            "portraits/request_detail.html",
            {
                "saved": saved,
                "refusal": refusal,
                "header_title": title,
                "header_icon": "clipboard-list",
                "breadcrumbs_items": _breadcrumbs(("", title)),
            },
        )
    _require(request, "portraits.change_request")
    data = request.POST if request.method == "POST" else None
    more: set[int] = set()
    if data is None or _is_lookup(data):
        request_initial, needs_initial = _initial(saved)
        if data is not None:
            request_initial, needs_initial, more = _as_initial(data)
        request_form = RequestForm(known=known, initial=request_initial)
        need_forms = NeedForms(known=known, initial=needs_initial)
    else:
        request_form = RequestForm(data, known=known)
        need_forms = NeedForms(data, known=known)
        valid = request_form.is_valid()
        if need_forms.is_valid() and valid:
            try:
                request_correct(
                    request=saved,
                    user=request.user,
                    needs=need_forms.inputs(),
                    **_values(request_form),
                )
            except NotCorrectable as refused:
                messages.error(request, str(refused))
                return redirect("portraits_correct", pk=saved.pk)
            messages.success(request, _("Request corrected."))
            return redirect("portraits_mine")
    return _render(
        request,
        {
            "header_title": _("Correct a request"),
            "breadcrumbs_items": _breadcrumbs(("", _("Correct a request"))),
            "submit_label": _("Save the correction"),
            "saved": saved,
        },
        request_form,
        need_forms,
        known,
        more,
    )


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The agent's requests of the last seven days, those still correctable marked so."""
    _require(request, "portraits.view_request")
    rows = [
        {"request": saved, "correctable": not saved.why_not_correctable(request.user)}
        for saved in agent_requests(request.user, days=7)
    ]
    return TemplateResponse(
        request,
        "portraits/mine.html",
        {
            "rows": rows,
            "can_record": request.user.has_perm(RECORD),
            "header_title": _("My requests"),
            "header_icon": "clipboard-list",
            "breadcrumbs_items": _breadcrumbs(("", _("My requests"))),
        },
    )


@require_GET
def lookup(request: HttpRequest) -> JsonResponse:
    """What the form shows as the agent types: the territory and the need understood, and the
    organisations to give for that need there."""
    _require(request, RECORD)
    known = reference()
    answer: dict = {}
    place = None
    if "territory" in request.GET:
        place = place_match(request.GET["territory"][:120], known)
        answer["place"] = {"label": place.label, "error": place.error if not place.found else ""}
    text = request.GET.get("need", "")[:150].strip()
    if text:
        match = need_match(text, known)
        answer["need"] = {
            "label": need_label(match.category) if match.category else "",
            "others": [need_label(c) for c in match.others],
            "error": match.error,
        }
        if match.category is not None:
            suggestions = referral_suggestions(
                category=match.category,
                place=place if place and place.found else None,
                limit=MORE_SUGGESTIONS if request.GET.get("more") else SUGGESTIONS,
                known=known,
            )
            answer["elsewhere"] = suggestions.elsewhere
            answer["organisations"] = [
                {
                    "id": s.id,
                    "name": s.name,
                    "detail": s.detail,
                    "phone": s.phone,
                    "phone_uri": s.phone_uri,
                }
                for s in suggestions.rows
            ]
    return JsonResponse(answer)
