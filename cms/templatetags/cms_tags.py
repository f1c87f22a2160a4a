from django import template
from django.conf import settings
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def language_alternates(context) -> list[tuple[str, str]]:
    """(language, URL) of the current page in each site language, for the switcher and hreflang.

    Pages say where their translations are (``alternates``); elsewhere Django's own URL
    translation keeps the visitor on the same path.
    """
    alternates = context.get("alternates")
    request = context.get("request")
    result = []
    for code, _name in settings.LANGUAGES:
        if alternates is not None:
            url = alternates.get(code)
        elif request is not None:
            url = translate_url(request.get_full_path(), code)
        else:
            url = None
        if url:
            if request is not None and request.GET and "?" not in url:
                url = f"{url}?{request.GET.urlencode()}"
            result.append((code, url))
    return result
