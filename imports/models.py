"""Import batches and mapping profiles will live here."""
