"""Spreadsheet safety for every export (the records' list, the data-quality and yearly-review
reports, the search demand report, the export an import reads back)."""

# A cell that starts with one of these is run as a formula by Excel, LibreOffice and Google
# Sheets (OWASP "CSV injection"); tab and carriage return hide such a prefix.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Make a text cell safe to open in a spreadsheet: a leading apostrophe keeps a formula as
    text. Numbers, dates and empty cells pass through unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
