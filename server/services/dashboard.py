"""The key numbers of a person's area for the home page: the current review at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from server.domain.measures import deficiency_key
from server.domain.standards import standard_for_year
from server.formats.tables import RowKind
from server.services.reports import review_summary
from server.storage.areas import top_areas
from server.storage.models import Area
from server.storage.reports import latest_period


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    share: Decimal  # of the largest bar, for drawing


@dataclass(frozen=True)
class KeyNumbers:
    area: Area | None
    period: int
    standard: str
    residents: int | None
    cells: dict[str, object]
    deficiencies: tuple[Bar, ...]

    def get(self, key: str) -> object:
        return self.cells.get(key)


def key_numbers(
    session: Session, scope: Area | None, period: int | None, today: date, language: str = "vi"
) -> KeyNumbers:
    """The key numbers of `period` (default: the latest with data), named in `language`."""
    area = scope or next(iter(top_areas(session)), None)
    period = period or latest_period(session) or today.year
    standard = standard_for_year(period)
    caption = standard.caption_for(period, language)
    if area is None:
        return KeyNumbers(None, period, caption, None, {}, ())
    table = review_summary(session, scope, area.code, period)
    total = next(r.cells for r in table.rows if r.kind is RowKind.TOTAL)
    counts = [
        (
            i.name_en if language == "en" else i.name_vi,
            int(str(total.get(deficiency_key(i.code)) or 0)),
        )
        for i in standard.indicators
    ]
    largest = max((c for _, c in counts), default=0) or 1
    bars = tuple(Bar(name, count, Decimal(count) / Decimal(largest)) for name, count in counts)
    residents = total.get("residents")
    return KeyNumbers(
        area,
        period,
        caption,
        residents if isinstance(residents, int) else None,
        dict(total),
        bars,
    )
