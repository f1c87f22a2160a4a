"""Data quality: what is missing, malformed, misplaced, out of date or duplicated in the records.

- :mod:`.checks`: the checks, each a declarative unit (code, severity, message, fix hint);
- :mod:`.services`: running them and storing the results (``QualityIssue``, ``QualityRun``);
- :mod:`.duplicates`: probable duplicates, found by blocking (postal code, phone, name words),
  scored with rapidfuzz, dismissed or merged by a curator;
- :mod:`.links`: the websites' periodic check.
"""
