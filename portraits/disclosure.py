"""Privacy by construction: which public figures are shown and which are withheld.

Issue 19: a public figure counts at least ``THRESHOLD`` requests or needs, or it is shown as
« moins de 5 » / "fewer than 5"; and no withheld figure can be worked out from the published
ones. Every sum that is published with its parts (a total and its rows, a year and its months, a
family of needs and the needs under it, a territory and the places inside it) is an equation:
an equation with exactly one withheld member gives that member away by subtraction. So, as
statistical agencies do (complementary suppression), a second member of that equation is
withheld too, the smallest one, and so on until every equation has no withheld member or at
least two. Zero is withheld like any figure under 5: « moins de 5 » says nothing more.

Only public figures go through here; the 211's own reports (admin) show the exact counts.
"""

from collections.abc import Hashable, Iterable

THRESHOLD = 5

SMALL = "small"  # under the threshold: « moins de 5 »
COMPLEMENT = "complement"  # withheld so that a small figure cannot be subtracted out


def suppress(values: dict[Hashable, int], equations: Iterable[list[Hashable]]) -> dict:
    """{key: SMALL or COMPLEMENT} for the figures of ``values`` that may not be published.

    Each equation lists the key of a sum, then the keys of its parts (all published together, so
    any one of them is the others' difference). A complement is the smallest figure still shown
    in the equation, a part rather than the sum, the first listed among equals: the same figures
    always give the same result, whatever page or file shows them.
    """
    withheld = {key: SMALL for key, value in values.items() if value < THRESHOLD}
    equations = [list(members) for members in equations]
    containing: dict[Hashable, list[int]] = {}
    for index, members in enumerate(equations):
        for key in members:
            containing.setdefault(key, []).append(index)
    # Only equations with exactly one withheld member need work; withholding a figure can make
    # others so, and only those containing it are looked at again.
    pending = [
        index
        for index, members in enumerate(equations)
        if sum(key in withheld for key in members) == 1
    ]
    while pending:
        members = equations[pending.pop()]
        hidden = [key for key in members if key in withheld]
        if len(hidden) != 1:
            continue
        shown = [key for key in members if key not in withheld]
        if not shown:
            continue
        total = members[0]
        complement = min(shown, key=lambda key: (values[key], key == total))
        withheld[complement] = COMPLEMENT
        pending.extend(containing.get(complement, ()))
    return withheld
