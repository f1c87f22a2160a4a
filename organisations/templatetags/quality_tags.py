"""The data-quality line of the yearly review's report and home panel."""

from django import template

from organisations.quality.selectors import verified_quality

register = template.Library()


@register.inclusion_tag("organisations/quality/_verified_share.html")
def verified_quality_share(status):
    """Of the records the review counts as verified (``status``: the ``review_status()`` the
    page shows), the share also free of severe problems: one aggregate query."""
    return {"share": verified_quality(today=status.today)}
