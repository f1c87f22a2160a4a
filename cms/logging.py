"""A logging filter that keeps update links' tokens out of the logs.

An update link (``/fr/mise-a-jour/<token>/``, ``/en/update/<token>/``, see cms/urls.py) is a
password for one organisation's record: Django writes request paths into log records ("Bad
Request: /fr/mise-a-jour/<token>/modifier/", "Not Found: ...", runserver's access lines), and
logs are read by more people, and kept longer, than the link. The filter is attached both to the
loggers that write paths (so that every handler they reach, mail to administrators included,
gets the masked record) and to the console handler (for any other logger).
"""

import copy
import logging
import re

# What follows the update link's prefix, up to the next slash (or the end of the path).
_TOKEN = re.compile(r"(/(?:mise-a-jour|update)/)[^/\s?#\"']+")
MASK = "[token]"


def mask_tokens(text: str) -> str:
    """``text`` with every update-link token replaced by ``[token]``."""
    return _TOKEN.sub(rf"\g<1>{MASK}", text)


def _masked(value):
    return mask_tokens(value) if isinstance(value, str) else value


class MaskUpdateTokens(logging.Filter):
    """Masks update-link tokens in a record's message, its arguments and its request's path;
    lets every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_masked(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _masked(value) for key, value in record.args.items()}
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if isinstance(path, str) and mask_tokens(path) != path:
            record.request = _masked_request(request)
        return True


def _masked_request(request):
    """A copy of ``request`` whose paths are masked: the request itself is still being served
    (middleware reads its path after a 404 is logged), so it is never changed."""
    masked = copy.copy(request)
    masked.path = mask_tokens(request.path)
    masked.path_info = mask_tokens(request.path_info)
    masked.META = {key: _masked(value) for key, value in request.META.items()}
    return masked
