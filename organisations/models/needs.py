"""The needs a service meets, in a two-level bilingual tree (the public search's need filter
and facets, the needs portraits)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .bilingual import bilingual


class Category(models.Model):
    """A need, in a two-level bilingual tree (for example Food aid > Meals on wheels)."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    # What people call the need, for the public search: an organisation serving it (or a need
    # under it) is found by these words as by the need's names (organisations/search.py).
    keywords_fr = models.TextField(
        _("keywords (French)"),
        blank=True,
        help_text=_(
            "What people call this need, separated by commas: synonyms, everyday words, "
            "misspellings. The public search finds its organisations by them."
        ),
    )
    keywords_en = models.TextField(
        _("keywords (English)"),
        blank=True,
        help_text=_(
            "The same in English, separated by commas: synonyms, everyday words, misspellings. "
            "The public search finds its organisations by them."
        ),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "name_fr"]

    def __str__(self):
        if self.parent_id:
            return f"{self.parent.name} › {self.name}"
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self, "name")
