"""Data quality in the admin (being written)."""
