"""Small helpers every part of Répertoire shares (as Healthchecks keeps ``hc/lib/``): the records,
the review, the imports and the site depend on them; they depend on nothing of ours.

- ``text``: folding text for comparisons (no case, no accents, no punctuation);
- ``formulas``: a spreadsheet cell that cannot run as a formula, for every export;
- ``spreadsheets``: a workbook of several sheets, its cells so neutralised.
"""
