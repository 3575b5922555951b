"""What became of the households that received a support, in plain Python: for each kind of
support (the deficiency it answered), how many households got it delivered in a year, how many
were reviewed the year after, how many of those had left poverty, were still poor, and no
longer (or still) lacked what the support was for. Nothing causal is claimed: these are the
before/after counts. The server counts in SQL (storage/plans.effect); `effect_by_kind` is the
reference it is tested against on random registries."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass

from server.domain.vocabulary import HouseholdClass, Transition


@dataclass(frozen=True)
class NextReview:
    """A household's review of the year after the support."""

    household_class: str | None
    transition: str | None  # of the poor group, against the year of the support
    deficient: frozenset[str]


@dataclass(frozen=True)
class Effect:
    households: int  # with a delivered support of this kind
    reviewed: int  # of them, reviewed the year after
    exited: int
    still_poor: int
    closed: int | None  # reviewed and no longer deficient in it (None: not an indicator)
    still_open: int | None


def effect_by_kind(
    delivered: Iterable[tuple[Hashable, str]],
    next_reviews: Mapping[Hashable, NextReview],
    is_indicator: Callable[[str], bool],
) -> dict[str, Effect]:
    """`delivered`: (household, kind) of every delivered item (a household counts once per
    kind); `next_reviews`: the households reviewed the year after."""
    by_kind: dict[str, set[Hashable]] = {}
    for household, kind in delivered:
        by_kind.setdefault(kind, set()).add(household)
    out: dict[str, Effect] = {}
    for kind, households in by_kind.items():
        later = [next_reviews[h] for h in households if h in next_reviews]
        closed = sum(1 for r in later if kind not in r.deficient)
        out[kind] = Effect(
            households=len(households),
            reviewed=len(later),
            exited=sum(1 for r in later if r.transition == Transition.EXITED),
            still_poor=sum(1 for r in later if r.household_class == HouseholdClass.POOR),
            closed=closed if is_indicator(kind) else None,
            still_open=len(later) - closed if is_indicator(kind) else None,
        )
    return out
