"""What the other parts add to the records' admin, through Wagtail's hooks, so that the records
never import them: a part registers a function under one of these names in its own
``wagtail_hooks.py`` (``@hooks.register(organisations.hooks.LISTING_MORE_BUTTONS)``).

- ``LISTING_MORE_BUTTONS``: ``fn(request) -> list[Button]``, buttons for the "More" menu of the
  organisation listing's header; they carry the listing's filters and search from ``request``
  (the imports' "Export for import").
- ``VERIFICATION_URL``: ``fn(organisation) -> str``, where a verification of the record is
  recorded (the review's "Record a verification"); the quality panel links a problem with "last
  verified" or "next review" to it.
"""

from wagtail import hooks

LISTING_MORE_BUTTONS = "register_organisation_listing_more_buttons"
VERIFICATION_URL = "register_organisation_verification_url"


def listing_more_buttons(request) -> list:
    """Every part's buttons for the organisation listing's "More" menu."""
    return [button for hook in hooks.get_hooks(LISTING_MORE_BUTTONS) for button in hook(request)]


def verification_url(organisation) -> str:
    """Where a verification of ``organisation`` is recorded, or "" when no part offers it."""
    for hook in hooks.get_hooks(VERIFICATION_URL):
        if url := hook(organisation):
            return url
    return ""
