"""Open data in Open Referral's Human Services Data Specification (HSDS 3.0).

- :mod:`.serialise`: our records as HSDS objects (one place decides what the public may know);
- :mod:`.queries`: the public rows behind each endpoint, a constant number of queries a page;
- :mod:`.views` and :mod:`.urls`: the read-only API under ``/api/hsds/``;
- :mod:`.openapi`: the API's OpenAPI document, built from the official one;
- :mod:`.package`: the tabular data package (CSV files and ``datapackage.json``).
"""

HSDS_VERSION = "3.0"
HSDS_PROFILE = "https://docs.openreferral.org/en/3.0/"
LANGUAGES = ("fr", "en")
