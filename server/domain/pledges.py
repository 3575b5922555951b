"""What an area pledged to bring out of poverty in a year (chỉ tiêu giảm nghèo), in plain Python.

An area's pledge is its own when it made one, else the sum of what the areas below it pledged
(each by the same rule), and unknown when nobody under it pledged. So a district's own target
is not added to its communes' targets, and a commune counts once whether it or its villages
pledged. The server computes this in SQL (server/storage/reports.py); `rolled_up_pledge` is the
reference it is tested against. The exits the pledge is compared with are the summary's
`poor_exited` measure (server/domain/measures.py).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence


def pledge_of_area(own: int | None, below: Iterable[int | None]) -> int | None:
    if own is not None:
        return own
    known = [pledge for pledge in below if pledge is not None]
    return sum(known) if known else None


def rolled_up_pledge(
    area: Hashable,
    pledges: Mapping[Hashable, int],
    children: Mapping[Hashable, Sequence[Hashable]],
) -> int | None:
    """The pledge of `area` given each area's own pledge and the tree below it."""
    return pledge_of_area(
        pledges.get(area),
        (rolled_up_pledge(child, pledges, children) for child in children.get(area, ())),
    )
