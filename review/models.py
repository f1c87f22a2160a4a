"""The yearly cycle's records (verifications, update requests, proposals) live here.

The roles and the organisation workflow are Wagtail's own models, set up by ``services.py``.
"""
