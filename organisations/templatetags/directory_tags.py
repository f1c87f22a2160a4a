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
