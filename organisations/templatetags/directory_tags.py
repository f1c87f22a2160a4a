from dataclasses import dataclass

from django import template

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
