"""Admin panels of our own.

``PinMapPanel`` shows a Leaflet map inside a location's form: the curator clicks the map or drags
the pin to place it by hand, which fills in the latitude and longitude and ticks "pin placed by
hand". The behaviour lives in a Stimulus controller (``static/organisations/js/pin-map.js``), so
locations added with the InlinePanel's "Add" button get a working map too.
"""

import json

from django import forms
from django.conf import settings
from wagtail.admin.panels import Panel

LEAFLET = "organisations/vendor/leaflet"
# Montréal, seen whole: where the map opens when a location has no coordinates yet.
DEFAULT_CENTRE = (45.5088, -73.5878)
DEFAULT_ZOOM = 10
PIN_ZOOM = 16


def pin_map_media() -> forms.Media:
    """Leaflet (vendored, see ``vendor/leaflet/README.txt``) and the controller that uses it."""
    return forms.Media(
        css={"all": [f"{LEAFLET}/leaflet.css", "organisations/css/pin-map.css"]},
        js=[f"{LEAFLET}/leaflet.js", "organisations/js/pin-map.js"],
    )


class PinMapCoordinateInput(forms.NumberInput):
    """The usual input of a FloatField, which also carries the map's media.

    Wagtail's edit views put ``form.media`` and the edit handler's ``panel.media`` on the page, but
    an InlinePanel does not pass on the media of the panels inside it (Wagtail 8.0): a panel in a
    location's form would never get its script loaded. The media of widgets does reach the page,
    even in nested formsets (``ClusterForm.media`` adds each formset's), so ``PinMapPanel`` gives
    the coordinate inputs this widget. Django merges and de-duplicates the media of every form."""

    @property
    def media(self):
        return pin_map_media()


class PinMapPanel(Panel):
    """A map to place a location's pin by hand. Put it next to the fields it drives, e.g.
    ``MultiFieldPanel([FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
    FieldPanel("coordinates_locked"), PinMapPanel()], heading=...)``.

    It gives the latitude and longitude inputs ``PinMapCoordinateInput`` (see there why): a
    ``widget=`` set on those FieldPanels would be replaced."""

    def __init__(
        self,
        latitude_field="latitude",
        longitude_field="longitude",
        lock_field="coordinates_locked",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.latitude_field = latitude_field
        self.longitude_field = longitude_field
        self.lock_field = lock_field

    def clone_kwargs(self):
        kwargs = super().clone_kwargs()
        kwargs.update(
            latitude_field=self.latitude_field,
            longitude_field=self.longitude_field,
            lock_field=self.lock_field,
        )
        return kwargs

    def get_form_options(self):
        # No "fields": the FieldPanels beside this one render the inputs; this only swaps their
        # widget for one that brings the map's media along.
        return {
            "widgets": {
                self.latitude_field: PinMapCoordinateInput,
                self.longitude_field: PinMapCoordinateInput,
            }
        }

    class BoundPanel(Panel.BoundPanel):
        template_name = "organisations/panels/pin_map.html"

        @property
        def media(self):
            # What a panel normally declares; used wherever Wagtail does collect panel media.
            return pin_map_media()

        def is_shown(self):
            # A form without the inputs (e.g. a read-only view) has nothing for the map to drive.
            return self.form is not None and all(
                name in self.form.fields
                for name in (
                    self.panel.latitude_field,
                    self.panel.longitude_field,
                    self.panel.lock_field,
                )
            )

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            form = self.form
            # ``form.prefix`` is "locations-0", or "locations-__prefix__" in the template that
            # the InlinePanel's "Add" button copies (it replaces __prefix__ in attribute values,
            # at most once per attribute).
            context.update(
                {
                    "map_prefix": form.prefix,
                    "latitude_id": form[self.panel.latitude_field].auto_id,
                    "longitude_id": form[self.panel.longitude_field].auto_id,
                    "lock_id": form[self.panel.lock_field].auto_id,
                    "tile_url": settings.MAP_TILE_URL,
                    "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
                    "default_centre": json.dumps(DEFAULT_CENTRE),
                    "default_zoom": DEFAULT_ZOOM,
                    "pin_zoom": PIN_ZOOM,
                    "leaflet": LEAFLET,
                }
            )
            return context
