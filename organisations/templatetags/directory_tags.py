import json
from dataclasses import dataclass

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from organisations import selectors
from organisations.models import bilingual, bilingual_language

register = template.Library()


@dataclass(frozen=True)
class Text:
    text: str
    lang: str

    def __str__(self):
        return self.text

    def __bool__(self):
        return bool(self.text)


@register.simple_tag
def text_of(obj, field: str) -> Text:
    """A bilingual field in the visitor's language (French when the other is empty), with the
    language it is really written in, for the ``lang`` attribute."""
    return Text(bilingual(obj, field), bilingual_language(obj, field))


@register.simple_tag
def language_name(code: str) -> str:
    """``"es"`` -> ``"espagnol"`` / ``"Spanish"``; an unknown code is shown as it is."""
    from django.conf.locale import LANG_INFO
    from django.utils.translation import gettext

    info = LANG_INFO.get(code)
    return gettext(info["name"]) if info else code


@register.filter
def clock(value) -> str:
    """A time as people read it here: « 9 h », « 12 h 30 » in French; "9 a.m." in English."""
    from django.utils import translation
    from django.utils.formats import time_format

    if value is None:
        return ""
    if (translation.get_language() or "fr")[:2] == "fr":
        return f"{value.hour} h {value.minute:02d}" if value.minute else f"{value.hour} h"
    return time_format(value, "TIME_FORMAT")


@register.simple_tag
def map_tiles() -> dict:
    """Where the public map's tiles come from (settings ``MAP_TILE_URL``, ``MAP_TILE_ATTRIBUTION``)."""
    from django.conf import settings

    return {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION}


# As Django's json_script: inside <script>, "</script>" or "<!--" in a description must not end
# the element, whatever an organisation writes.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_script(data: dict) -> SafeString:
    """``data`` in a ``<script type="application/ld+json">`` element, safe to put in HTML."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=None)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_JSON_SCRIPT_ESCAPES)),  # noqa: S308 (escaped just above)
    )


@register.simple_tag(takes_context=True)
def organisation_json_ld(context) -> SafeString:
    """The schema.org description of the page's organisation (see selectors.organisation_json_ld)."""
    data = selectors.organisation_json_ld(
        context["organisation"],
        context["request"],
        locations=context.get("locations"),
        phones=context.get("phones"),
    )
    return json_ld_script(data)


@register.simple_tag
def postal_line(location) -> str:
    """The last line of a public address as people write it here: « Duvernay, Laval (Québec)
    H7E 1A1 » in French, "Duvernay, Laval, Quebec H7E 1A1" in English; the district or borough
    first when it is not itself the municipality the mail goes to."""
    from django.utils.translation import gettext

    city = location.locality or location.municipality
    postal_code = location.postal_code.replace(" ", "\u00a0")  # never split over two lines
    if location.municipality and location.municipality != city:
        city = f"{location.municipality}, {city}"
    if not city:
        return postal_code
    if postal_code:
        return gettext("%(city)s, Quebec %(postal_code)s") % {
            "city": city,
            "postal_code": postal_code,
        }
    return gettext("%(city)s, Quebec") % {"city": city}
