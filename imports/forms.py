"""Forms of the import wizard and of the mapping profiles in the admin.

The two lists a profile keeps as JSON (its columns and its needs mapping) are edited as plain
text, one ``left = right`` pair a line, which a curator can paste from an email.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm

from organisations.lib.text import fold
from organisations.models import Category

from .columns import TARGETS, TARGETS_BY_KEY, suggest_target
from .models import MappingProfile

# The groups of the field select, in the order a record reads.
_PARTS = [
    ("key", gettext_lazy("Identifiers")),
    ("organisation", gettext_lazy("Organisation")),
    ("service", gettext_lazy("Service")),
    ("location", gettext_lazy("Place")),
    ("phone", gettext_lazy("Phones")),
]
_PART_GROUP = {"fax": "phone", "toll_free": "phone"}
# The fields that tell the import which organisation a row is about.
_IDENTITY = {"name", "uuid", "partner_id"}


def target_choices() -> list:
    """The choices of a column's select: "not imported", then our fields grouped by part."""
    groups = {part: [] for part, _label in _PARTS}
    for target in TARGETS:
        groups[_PART_GROUP.get(target.part, target.part)].append((target.key, target.label))
    return [("", gettext_lazy("— Not imported —"))] + [
        (label, groups[part]) for part, label in _PARTS if groups[part]
    ]


def _pairs(text: str) -> list[tuple[int, str, str]]:
    """``(line number, left, right)`` for each non-empty line of ``left = right`` text."""
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        left, sign, right = line.rpartition("=")
        if not sign or not left.strip():
            raise ValidationError(
                _("Line %(number)s (“%(line)s”) is not of the form “partner word = code”.")
                % {"number": number, "line": line.strip()[:60]}
            )
        pairs.append((number, " ".join(left.split()), right.strip()))
    return pairs


def category_map_text(category_map: dict) -> str:
    return "\n".join(f"{word} = {code}" for word, code in (category_map or {}).items())


def category_map_parse(text: str) -> dict[str, str]:
    """``"Aide alimentaire = food"`` lines to ``{"Aide alimentaire": "food"}``; every code must
    be one of our needs."""
    codes = set(Category.objects.values_list("code", flat=True))
    mapping, problems = {}, []
    for number, word, code in _pairs(text):
        if code not in codes:
            problems.append(
                _("Line %(number)s: “%(code)s” is not the code of one of our needs.")
                % {"number": number, "code": code}
            )
        mapping[word] = code
    if problems:
        raise ValidationError(problems)
    return mapping


def columns_text(columns: list[dict]) -> str:
    return "\n".join(f"{c['column']} = {c.get('target') or ''}".rstrip() for c in columns)


def columns_parse(text: str) -> list[dict]:
    """``"Nom de l'organisme = name"`` lines to the profile's columns, in order; a column with
    nothing after "=" is kept and not imported."""
    columns, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        header, sign, key = line.rpartition("=")
        if not sign:
            header, key = line, ""
        header, key = " ".join(header.split()), key.strip()
        if not header:
            problems.append(_("Line %(number)s has no column name.") % {"number": number})
        elif key and key not in TARGETS_BY_KEY:
            problems.append(
                _("Line %(number)s: “%(key)s” is not one of the fields listed below.")
                % {"number": number, "key": key}
            )
        columns.append({"column": header, "target": key})
    if problems:
        raise ValidationError(problems)
    return columns


def _check_targets(targets: list[str], scheme: str) -> list[str]:
    """What is wrong with a mapping as a whole."""
    problems = []
    chosen = [t for t in targets if t]
    repeated = sorted({t for t in chosen if chosen.count(t) > 1})
    for key in repeated:
        problems.append(
            _("Several columns feed “%(field)s”: choose one.")
            % {"field": TARGETS_BY_KEY[key].label}
        )
    if not _IDENTITY & set(chosen):
        problems.append(
            _(
                "Say which column holds the organisation's name (or its Répertoire UUID, or the "
                "partner's id)."
            )
        )
    if "partner_id" in chosen and not scheme:
        problems.append(
            _(
                "A column holds the partner's ids: give the partner's identifier scheme, under "
                "which those ids are kept on our records and found again next time."
            )
        )
    return problems


# --- The wizard -----------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Partner's file"),
        help_text=gettext_lazy(
            "Excel (.xlsx), OpenDocument (.ods) or CSV. The first non-empty row holds the "
            "column names."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,.ods,.csv,text/csv,application/vnd.ms-excel"}
        ),
    )
    publish_directly = forms.BooleanField(
        label=gettext_lazy("Publish directly, without review"),
        required=False,
        help_text=gettext_lazy(
            "Administrators only. The changes go live when the import is applied instead of "
            "waiting in the review workflow; every record so published is logged."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.has_perm("imports.publish_directly_importbatch"):
            del self.fields["publish_directly"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.REPERTOIRE_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                _("The file is %(size)s MB; the limit is %(limit)s MB. Split it in parts.")
                % {"size": round(upload.size / 1e6, 1), "limit": round(limit / 1e6, 1)}
            )
        return upload


def _unique_name(base: str) -> str:
    base = slugify(base)[:50] or "partenaire"
    name, counter = base, 2
    taken = set(MappingProfile.objects.filter(name__startswith=base).values_list("name", flat=True))
    while name in taken or name == MappingProfile.DEFAULT:
        name, counter = f"{base}-{counter}", counter + 1
    return name


class MappingForm(forms.Form):
    """One select per column of the file, the profile's other settings, and where to save them.

    Prefilled from ``profile``'s saved mapping, or, for a new profile (``profile`` is None),
    with the field each column's name suggests. Submitted unchanged, the profile is used as it
    is saved (the default profile, which is read-only, only so)."""

    UPDATE, NEW = "update", "new"

    layout = forms.ChoiceField(
        label=gettext_lazy("Layout"),
        choices=MappingProfile.Layout.choices,
        widget=forms.RadioSelect,
    )
    scheme = forms.SlugField(
        label=gettext_lazy("Partner's identifier scheme"),
        required=False,
        max_length=60,
        help_text=MappingProfile._meta.get_field("scheme").help_text,
    )
    category_map = forms.CharField(
        label=gettext_lazy("Needs mapping"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "The partner's words for needs, one a line, each followed by “=” and the code of "
            "one of our needs: “Aide alimentaire = food”."
        ),
    )
    save_as = forms.ChoiceField(
        label=gettext_lazy("Save the mapping"), widget=forms.RadioSelect, required=False
    )
    label = forms.CharField(label=gettext_lazy("Partner"), max_length=200, required=False)
    name = forms.SlugField(
        label=gettext_lazy("Short name of the new profile"),
        max_length=60,
        required=False,
        help_text=MappingProfile._meta.get_field("name").help_text,
    )

    def __init__(self, *args, headers: list[str], profile: MappingProfile | None, user, filename="",
                 **kwargs):  # fmt: skip
        super().__init__(*args, **kwargs)
        self.headers = headers
        self.profile = profile
        self.user = user
        saved = {
            fold(column): key for column, key in (profile.mapping() if profile else {}).items()
        }
        self.column_fields = []
        for index, header in enumerate(headers):
            if not header:
                continue  # a column without a name cannot be mapped (the reader skips it)
            name = f"column_{index}"
            initial = saved.get(fold(header), "") if profile else suggest_target(header)
            self.fields[name] = forms.ChoiceField(
                label=header, choices=target_choices(), required=False, initial=initial
            )
            self.column_fields.append(name)
        self.fields["layout"].initial = (
            profile.layout if profile else MappingProfile.Layout.ORGANISATION
        )
        self.fields["scheme"].initial = profile.scheme if profile else ""
        self.fields["category_map"].initial = category_map_text(
            profile.category_map if profile else {}
        )

        choices = []
        if self.can_update:
            choices.append(
                (self.UPDATE, _("Save the changes to the profile “%(label)s”") % {"label": profile})
            )
        choices.append((self.NEW, _("Save as a new profile")))
        self.fields["save_as"].choices = choices
        self.fields["save_as"].initial = choices[0][0]
        stem = filename.rsplit(".", 1)[0] if filename else ""
        if not profile or profile.is_default:
            self.fields["label"].initial = stem[:200]
            self.fields["name"].initial = _unique_name(stem)
        else:
            self.fields["label"].initial = profile.label
            self.fields["name"].initial = _unique_name(profile.name)

    @property
    def can_update(self) -> bool:
        return bool(
            self.profile
            and not self.profile.is_default
            and self.user.has_perm("imports.change_mappingprofile")
        )

    def clean_category_map(self):
        return category_map_parse(self.cleaned_data.get("category_map") or "")

    def _updating(self) -> bool:
        return self.cleaned_data.get("save_as") == self.UPDATE and self.can_update

    def clean_name(self):
        name = self.cleaned_data.get("name") or ""
        if self._updating():
            return name
        if name == MappingProfile.DEFAULT or MappingProfile.objects.filter(name=name).exists():
            raise ValidationError(_("A profile already has this short name."))
        return name

    def columns(self) -> list[dict]:
        """The mapping as a profile keeps it: every named column of the file, in order."""
        return [
            {"column": self.fields[name].label, "target": self.cleaned_data.get(name) or ""}
            for name in self.column_fields
        ]

    def unchanged(self) -> bool:
        """Whether the form says what the chosen profile says, for this file's columns."""
        if self.profile is None:
            return False
        data = self.cleaned_data
        return (
            all((data.get(name) or "") == self.fields[name].initial for name in self.column_fields)
            and data.get("layout") == self.profile.layout
            and (data.get("scheme") or "") == self.profile.scheme
            and data.get("category_map", {}) == (self.profile.category_map or {})
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if self.unchanged():
            return data  # the saved profile, as it is: the check reports what does not fit
        for problem in _check_targets(
            [data.get(name) or "" for name in self.column_fields], data.get("scheme") or ""
        ):
            self.add_error(None, problem)
        if self._updating():
            return data
        # A new profile (the default profile is read-only: its changes go to a new one too).
        if not self.user.has_perm("imports.add_mappingprofile"):
            self.add_error(None, _("You may not create mapping profiles."))
        for field in ("label", "name"):
            if not data.get(field) and not self.has_error(field):
                self.add_error(field, _("A new profile needs this."))
        return data

    def save(self) -> MappingProfile:
        """The profile to read the file with: the chosen one as it is, the chosen one updated,
        or a new one."""
        data = self.cleaned_data
        if self.unchanged():
            return self.profile
        values = {
            "layout": data["layout"],
            "scheme": data.get("scheme") or "",
            "columns": self.columns(),
            "category_map": data.get("category_map") or {},
        }
        if self._updating():
            profile = self.profile
            for field, value in values.items():
                setattr(profile, field, value)
            profile.save(update_fields=[*values, "updated_at"])
            return profile
        return MappingProfile.objects.create(
            name=data["name"], label=data["label"], created_by=self.user, **values
        )


def decisions_from(data) -> dict[int, str]:
    """The answers on probable matches a results page posts (``decision-<row>``)."""
    decisions = {}
    for key, value in data.items():
        prefix, _sep, number = key.partition("-")
        if prefix == "decision" and number.isdigit():
            decisions[int(number)] = value
    return decisions


# --- The profiles' own admin ----------------------------------------------------------------------


class MappingProfileForm(WagtailAdminModelForm):
    """A profile's columns and needs mapping as ``left = right`` lines."""

    columns = forms.CharField(
        label=gettext_lazy("Columns"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy(
            "One column of the partner's file a line, in the file's order: its name, “=”, and "
            "the field it feeds (the keys are listed below). Nothing after “=”: not imported."
        ),
    )
    category_map = forms.CharField(
        label=gettext_lazy("Needs mapping"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=MappingForm.base_fields["category_map"].help_text,
    )

    class Meta:
        model = MappingProfile
        fields = ["label", "name", "scheme", "layout", "columns", "category_map"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["columns"] = columns_text(self.instance.columns)
            self.initial["category_map"] = category_map_text(self.instance.category_map)

    def clean_name(self):
        name = self.cleaned_data["name"]
        if name == MappingProfile.DEFAULT:
            raise ValidationError(_("This short name is kept for the built-in profile."))
        return name

    def clean_columns(self):
        return columns_parse(self.cleaned_data.get("columns") or "")

    def clean_category_map(self):
        return category_map_parse(self.cleaned_data.get("category_map") or "")

    def clean(self):
        data = super().clean()
        if "columns" in data:
            for problem in _check_targets(
                [c["target"] for c in data["columns"]], data.get("scheme") or ""
            ):
                self.add_error("columns", problem)
        return data
