"""The public search's own index (``organisations/search.py`` keeps it in step and reads it)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .organisation import Organisation


class SearchDocument(models.Model):
    """What the public search matches, one row per public organisation (organisations/search.py).

    Folded (no case, no accents) and stemmed (Snowball, French and English) text in four weighted
    parts: name, other names, the needs served, the rest. The database's own full-text engine
    indexes it: an FTS5 table kept in step by triggers on SQLite, a generated ``tsvector`` column
    with a GIN index on PostgreSQL (migrations 0005, 0007, 0011, 0012; 0013 adds a names-only
    vector and the name order).
    """

    organisation = models.OneToOneField(
        Organisation, primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    name = models.TextField(blank=True)
    other_names = models.TextField(blank=True)
    body = models.TextField(blank=True)
    # The names and keywords of the needs the organisation serves and of the families above them,
    # ranked below the names and above the rest.
    needs = models.TextField(blank=True)
    # What the filters match, worked out at publication so that a search need not: ``n<id>`` for
    # each need the organisation meets and the families above them, ``a<id>`` for each place it
    # serves or is in (with the places inside and above a place served, see search._tags).
    tags = models.TextField(blank=True)
    # What the facets count: ``n<id>`` for each need family, ``m<id>`` for each municipality.
    facets = models.JSONField(default=list, blank=True)
    sort_name = models.CharField(max_length=255, blank=True, db_index=True)
    # What a result shows, in both languages, made at publication (cms/search_page.py result_rows).
    card = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("search document")

    def __str__(self):
        return self.name


class SearchPoint(models.Model):
    """Where a public organisation is, one row per place, for "near": the location's point, or
    its municipality's centre when the address is confidential (not even a distance may give a
    confidential address away)."""

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="points")
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        verbose_name = _("search point")
        # Covering: "near" reads a box of points and their organisations from the index alone.
        indexes = [
            models.Index(fields=["latitude", "longitude", "document"], name="search_point_box")
        ]

    def __str__(self):
        return f"{self.latitude:.5f}, {self.longitude:.5f}"
