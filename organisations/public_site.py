"""What the records know of the public site: the address of a record's public page, and what
that page shows (the admin's preview of a record shows the same).

The site (``cms``) serves the records' pages, and the records never import the site: the site
registers the page that serves them when it starts (``cms/apps.py``, ``ready()``). Until it has,
or when no such page is published, a record has no public address (``None``), as when the
directory page is missing.
"""

from typing import Protocol

from wagtail.models import Page


class DirectoryPages(Protocol):
    """The page type that serves one page per record, one page per language."""

    def organisation_url(self, slug: str, language: str | None = None) -> str | None:
        """The address of the record's page in ``language`` (the active one by default)."""

    def for_language(self, language: str | None = None) -> Page | None:
        """The live page in ``language`` (the active one by default)."""

    def organisation_context(self, organisation, *, preview: bool = False) -> dict:
        """What the record's page shows of ``organisation`` (a live row or a draft)."""


_directory: DirectoryPages | None = None


def directory_register(pages: DirectoryPages) -> None:
    """Called by the site at start-up: ``pages`` serves the records' public pages."""
    global _directory
    _directory = pages


def organisation_url(slug: str, language: str | None = None) -> str | None:
    """The public address of the record with this slug in ``language``, or ``None``."""
    return _directory.organisation_url(slug, language) if _directory is not None else None


def directory_page(language: str | None = None) -> Page | None:
    """The live page serving the records in ``language``, or ``None`` (redirects point at it)."""
    return _directory.for_language(language) if _directory is not None else None


def organisation_context(organisation, *, preview: bool = False) -> dict:
    """What the record's public page shows of ``organisation`` ({} without a public site)."""
    if _directory is None:
        return {}
    return _directory.organisation_context(organisation, preview=preview)
