"""The 211's report on requests in the admin (Reports › Requests and needs): any territory, any
period of whole months, each table as a chart and as a table, and the whole to a workbook.

A thin view: the permission (``roles.REPORT``), the form, one call (``reports.needs_report``).
Its hooks (the URLs and the menu item) are registered here and loaded by ``wagtail_hooks``.
"""

import io
from datetime import date

from django import forms
from django.core.exceptions import PermissionDenied
from django.forms.utils import flatatt
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from organisations.lib.text import fold
from organisations.models import Territory
from organisations.search import reference

from .exports import report_xlsx
from .models import month_of
from .reports import Period, needs_report
from .roles import REPORT

# Ten years: a longer period is a mistake, and it would read every count there is.
MAX_MONTHS = 120
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _month(value: str) -> date | None:
    """« 2025-03 » (what a month box sends) as the first day of that month."""
    try:
        year, month = (int(part) for part in value.strip().split("-")[:2])
        return date(year, month, 1) if 1900 <= year <= 2999 else None
    except ValueError:
        return None


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2025-01"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        month = _month(value)
        if month is None:
            raise forms.ValidationError(
                _("Give a month as year and month, for example 2025-03."), code="month"
            )
        return month

    def prepare_value(self, value):
        return f"{value:%Y-%m}" if isinstance(value, date) else value


class PlaceSelect(forms.Select):
    """The select of the 125 places, written in Python: Django renders each option through a
    template, a tenth of the report's time."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = "" if value is None else str(value)

        def option(code, label) -> str:
            selected = " selected" if str(code) == chosen else ""
            return f'<option value="{escape(code)}"{selected}>{escape(label)}</option>'

        parts = [f"<select{flatatt(final)}>"]
        for code, label in self.choices:
            if isinstance(label, (list, tuple)):
                parts.append(f'<optgroup label="{escape(code)}">')
                parts += [option(*item) for item in label]
                parts.append("</optgroup>")
            else:
                parts.append(option(code, label))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every text escaped above)


class ReportForm(forms.Form):
    territory = forms.ChoiceField(
        label=pgettext_lazy("portraits", "Territory"), required=False, widget=PlaceSelect
    )
    start = MonthField(label=gettext_lazy("First month"), required=False)
    end = MonthField(label=gettext_lazy("Last month"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        known = reference()
        groups: dict[str, list] = {}
        for territory in known.territories:
            label = str(Territory.Kind(territory.kind).label)
            groups.setdefault(label, []).append((territory.slug, str(territory)))
        self.fields["territory"].choices = [
            ("", _("All requests, from outside the region too")),
            *(
                (label, sorted(items, key=lambda item: fold(item[1])))
                for label, items in groups.items()
            ),
        ]

    def clean(self):
        data = super().clean()
        if self.errors:  # a month not understood: said beside it, nothing more to check
            return data
        this_month = month_of(timezone.localdate())
        start = data.get("start") or date(this_month.year, 1, 1)
        end = data.get("end") or this_month
        if start > end:
            raise forms.ValidationError(_("The period starts after it ends."), code="order")
        if len(Period(start, end).months) > MAX_MONTHS:
            raise forms.ValidationError(_("A report covers ten years at most."), code="too_long")
        data["period"] = Period(start, end)
        slug = data.get("territory")
        data["place"] = reference().territories_by_slug.get(slug) if slug else None
        return data


@require_GET
def report(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(REPORT):
        raise PermissionDenied
    # Always bound: an empty form is the default report (this year so far, every request).
    form = ReportForm(request.GET)
    found = None
    if form.is_valid():
        data = form.cleaned_data
        found = needs_report(territory=data["place"], period=data["period"])
    if found is not None and request.GET.get("format") == "xlsx":
        stream = io.BytesIO()
        report_xlsx(found, stream)
        name = slugify(
            f"{_('requests')}-{found.place_name}-{found.period.start:%Y-%m}-{found.period.end:%Y-%m}"
        )
        response = HttpResponse(stream.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    query = request.GET.copy()
    query["format"] = "xlsx"
    title = _("Requests and needs")
    return TemplateResponse(
        request,
        "portraits/report.html",
        {
            "form": form,
            "report": found,
            "xlsx_url": f"{request.path}?{query.urlencode()}",
            "header_title": title,
            "header_icon": "table",
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": "", "label": title},
            ],
        },
    )


class _ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(REPORT)


@hooks.register("register_admin_urls")
def register_report_urls():
    return [path("requests/report/", report, name="portraits_report")]


@hooks.register("register_reports_menu_item")
def report_menu_item():
    return _ReportMenuItem(
        gettext_lazy("Requests and needs"),
        reverse("portraits_report"),
        name="requests-report",
        icon_name="table",
        order=150,
    )


@hooks.register("register_permissions")
def report_permissions():
    from django.contrib.auth.models import Permission

    app_label, codename = REPORT.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename)
