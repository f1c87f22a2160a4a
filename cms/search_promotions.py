"""Promoted organisations: what the 211 suggests first for a query the public searches.

Wagtail's ``search_promotions`` keeps the queries (``Query``, the rows the search demand report
counts, keyed by the folded query: ``cms.search_demand.normalise``) and promotes pages for them;
the directory's organisations are routes of the DirectoryPage, not pages, so a promotion here
points at an ``Organisation``. Page 1 of a public search whose words fold to the query shows the
promoted organisations first, under « Suggéré par le 211 », in both languages; one the public may
not see (unpublished, archived) is never shown, as it is not in the search index.

A promotion is added, changed or removed through Wagtail's actions (registered for this model in
cms/wagtail_hooks.py), which log it; each also bumps the public version, so that the cached
public pages, and the promotions the search reads once per version, are fresh at once.
"""

from dataclasses import dataclass

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from wagtail.actions import CreateAction, DeleteAction, EditAction
from wagtail.contrib.search_promotions.models import Query

from organisations import search as engine
from organisations.models import Organisation

from .search_demand import normalise
from .search_page import ResultRow, result_rows


class OrganisationPromotion(models.Model):
    """An organisation shown first on page 1 of a search for ``query``."""

    query = models.ForeignKey(
        Query,
        on_delete=models.CASCADE,
        related_name="organisation_promotions",
        verbose_name=_("query"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="promotions",
        verbose_name=_("organisation"),
    )
    sort_order = models.PositiveSmallIntegerField(
        _("order"),
        default=0,
        help_text=_("Smaller first; with the same number, in the order they were added."),
    )
    note = models.CharField(
        _("note"),
        max_length=200,
        blank=True,
        help_text=_(
            "Optional: one short sentence shown under the organisation, as written, in both "
            "languages."
        ),
    )

    class Meta:
        verbose_name = _("promoted organisation")
        verbose_name_plural = _("promoted organisations")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["query", "organisation"], name="cms_organisationpromotion_once_per_query"
            )
        ]

    def __str__(self):
        return f"{self.query} → {self.organisation.name}"


# --- Writes: Wagtail's actions, which log, plus the public version ------------------------------
# The version is bumped in the write's own transaction: no request reads the new version with the
# old promotions, nor the reverse.


class CreatePromotionAction(CreateAction):
    @transaction.atomic
    def _create(self, skip_permission_checks=False):
        instance = super()._create(skip_permission_checks=skip_permission_checks)
        engine.public_version_bump()
        return instance


class EditPromotionAction(EditAction):
    @transaction.atomic
    def _edit(self, skip_permission_checks=False):
        instance = super()._edit(skip_permission_checks=skip_permission_checks)
        engine.public_version_bump()
        return instance


class DeletePromotionAction(DeleteAction):
    @transaction.atomic
    def _delete(self):
        result = super()._delete()
        engine.public_version_bump()
        return result


# --- Reads: the public search page ----------------------------------------------------------------


@dataclass(frozen=True)
class PromotedRow(ResultRow):
    note: str = ""


def _promotions() -> dict[str, list[tuple[int, str, str]]]:
    """{folded query: [(organisation id, slug, note)]} of the public organisations promoted,
    in order: one query, made once per public version (``Reference.memo``)."""
    table: dict[str, list[tuple[int, str, str]]] = {}
    rows = (
        OrganisationPromotion.objects.filter(organisation__in=Organisation.objects.public())
        .order_by("query_id", "sort_order", "pk")
        .values_list("query__query_string", "organisation_id", "organisation__slug", "note")
    )
    for query, pk, slug, note in rows:
        table.setdefault(query, []).append((pk, slug, note))
    return table


def promoted_rows(
    text: str,
    language: str,
    known: engine.Reference,
    distances: dict[int, float] | None = None,
    near: engine.Point | None = None,
) -> list[PromotedRow]:
    """The organisations promoted for a search whose words are ``text``, as result rows (with
    the distance from ``near`` of those among the results): no query when the words have no
    promotion, one (the rows' cards, read from the index, which holds public organisations
    only) when they do."""
    if not text.strip():
        return []
    promoted = known.memo(("promotions",), _promotions).get(normalise(text))
    if not promoted:
        return []
    notes = {slug: note for _pk, slug, note in promoted}
    rows = result_rows(
        [pk for pk, _slug, _note in promoted], distances or {}, language, known, near
    )
    # A row's address ends with the organisation's slug (result_rows), unique in the directory.
    return [
        PromotedRow(**vars(row), note=notes.get(row.url.rstrip("/").rsplit("/", 1)[-1], ""))
        for row in rows
    ]


def promoted_first(
    rows: list[ResultRow],
    text: str,
    language: str,
    known: engine.Reference,
    distances: dict[int, float] | None = None,
    near: engine.Point | None = None,
) -> dict:
    """What page 1 of the search page shows: ``promoted`` (``promoted_rows``) first, then
    ``rows``, the page's results without them (an organisation is shown once)."""
    promoted = promoted_rows(text, language, known, distances, near)
    shown = {row.url for row in promoted}
    return {"promoted": promoted, "rows": [row for row in rows if row.url not in shown]}


# --- Reads: the search demand report --------------------------------------------------------------


def promoted_names(query_ids: list[int]) -> dict[int, list[str]]:
    """{query id: names of the organisations promoted for it, in order}: one query."""
    names: dict[int, list[str]] = {}
    rows = (
        OrganisationPromotion.objects.filter(query_id__in=query_ids)
        .order_by("sort_order", "pk")
        .values_list("query_id", "organisation__name")
    )
    for query_id, name in rows:
        names.setdefault(query_id, []).append(name)
    return names
