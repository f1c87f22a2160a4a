"""The places an organisation serves and is in: the region, its sectors, municipalities and
boroughs (the CMM gazetteer, ``organisations/data/``)."""

from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Territory(models.Model):
    """A place an organisation can serve: the CMM region, a sector, a municipality, a borough.

    Loaded from the CMM gazetteer in ``organisations/data/``; centre points give the offline
    geocoding fallback and centre the maps.
    """

    class Kind(models.TextChoices):
        REGION = "region", _("Region")
        SECTOR = "sector", _("Sector")
        MUNICIPALITY = "municipality", _("Municipality")
        BOROUGH = "borough", _("Borough")
        DISTRICT = "district", _("District")

    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    geographic_code = models.CharField(
        _("MAMH geographic code"), max_length=10, blank=True, db_index=True
    )
    mrc = models.CharField(_("MRC"), max_length=120, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    coord_source = models.CharField(_("source of the centre point"), max_length=500, blank=True)
    # What people call the place besides its name (« NDG », « le Plateau »): the public search
    # reads these in the words typed as this place (organisations/search_places.py).
    aliases = models.TextField(
        _("other names"),
        blank=True,
        help_text=_("Other names and nicknames, separated by commas (e.g. NDG, CDN)."),
    )

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="territory_latitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="territory_longitude_in_range",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if (translation.get_language() or "fr")[:2] == "en" and self.name_en:
            return self.name_en
        return self.name

    def ancestors(self) -> list["Territory"]:
        """From the region down to this territory's parent (the tree is at most four deep)."""
        chain = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    @property
    def sector(self) -> "Territory | None":
        if self.kind == self.Kind.SECTOR:
            return self
        return next((t for t in self.ancestors() if t.kind == self.Kind.SECTOR), None)

    @property
    def centre(self) -> tuple[float, float] | None:
        """This territory's centre point, or the nearest ancestor's where it has none."""
        node = self
        while node is not None:
            if node.latitude is not None and node.longitude is not None:
                return (node.latitude, node.longitude)
            node = node.parent
        return None
