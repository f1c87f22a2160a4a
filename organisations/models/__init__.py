"""The organisation record and the reference data it points to, one module per concept (as
pretix's ``base/models/``), every name importable from here: ``from organisations.models import
Organisation``.

An ``Organisation`` is one reviewable unit: everything that belongs to it (services, locations and
their hours, phones, private contacts, identifiers) is a child row on a ``ParentalKey``, edited in
one form and stored in one Wagtail revision. Only the live row is public; drafts live in revisions.
Every public record and child carries a stable UUID for the Open Referral HSDS 3.0 exchange format.

- ``territories``, ``needs``: the reference data (places, needs);
- ``organisation``: the record, "due for review", the identifiers others give it;
- ``service``, ``location`` (with its opening hours), ``contact`` (phones, private contacts): its
  children;
- ``search_index``, ``public_version``: what the public search reads, the public cache's key;
- ``geocoding_cache``, ``audit_source``, ``quality``: geocoders' answers, the audit log's
  sources, what the data-quality checks found;
- ``bilingual``: reading a field in the visitor's language.
"""

# isort: skip_file
# In the order the models were declared in one module: Django registers them in this order
# (content types, permissions, dumpdata).
from .bilingual import bilingual, bilingual_language
from .territories import Territory
from .needs import Category
from .organisation import (
    review_overdue,
    review_due_within,
    OrganisationQuerySet,
    Organisation,
    OrganisationIdentifier,
)
from .service import Service
from .location import (
    GeocodePrecision,
    GeocodeDoubt,
    postal_code_validator,
    Location,
    format_postal_code,
    OpeningHours,
)
from .search_index import SearchDocument, SearchPoint
from .public_version import PublicVersion
from .geocoding_cache import GeocodedAddress
from .contact import Phone, Contact
from .audit_source import AuditSource
from .quality import Severity, QualityIssue, QualityRun, DuplicatePair, LinkCheck

__all__ = [
    "AuditSource",
    "Category",
    "Contact",
    "DuplicatePair",
    "GeocodeDoubt",
    "GeocodePrecision",
    "GeocodedAddress",
    "LinkCheck",
    "Location",
    "OpeningHours",
    "Organisation",
    "OrganisationIdentifier",
    "OrganisationQuerySet",
    "Phone",
    "PublicVersion",
    "QualityIssue",
    "QualityRun",
    "SearchDocument",
    "SearchPoint",
    "Service",
    "Severity",
    "Territory",
    "bilingual",
    "bilingual_language",
    "format_postal_code",
    "postal_code_validator",
    "review_due_within",
    "review_overdue",
]
