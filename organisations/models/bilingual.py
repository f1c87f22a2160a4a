"""Text kept in both languages, as ``<field>_fr`` and ``<field>_en``: French is the record's
language, English is shown where it is written."""

from django.utils import translation


def bilingual(obj, field: str, language: str | None = None) -> str:
    """The text of ``<field>_<language>`` in the visitor's language, falling back to French."""
    language = (language or translation.get_language() or "fr")[:2]
    value = getattr(obj, f"{field}_{language}", "") if language != "fr" else ""
    return value or getattr(obj, f"{field}_fr", "")


def bilingual_language(obj, field: str, language: str | None = None) -> str:
    """The language the text returned by :func:`bilingual` is actually written in."""
    language = (language or translation.get_language() or "fr")[:2]
    if language != "fr" and getattr(obj, f"{field}_{language}", ""):
        return language
    return "fr"
