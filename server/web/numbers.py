"""Numbers on the pages the way each language writes them, by Babel's number formatting:
Vietnamese `4.488`, `1.462.500 đồng`, `12,6 %`; English `4,488`, `1,462,500 dong`, `12.6%`.

Files keep their own rules (formats/table_files.py): XLSX real numbers with number formats,
CSV machine-readable numbers unless the "Excel tiếng Việt" variant is asked for.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import format_decimal, format_percent

from server.formats.tables import UNKNOWN, CellKind, Words

# Vietnamese sets the per cent sign apart (TCVN practice, and the issue's `12,6 %`); CLDR's
# Vietnamese pattern does not, so the pattern is ours, the digits and separators Babel's.
_PERCENT = {"vi": "#,##0.0\u00a0%", "en": "#,##0.0%"}
_CURRENCY = {"vi": "đồng", "en": "dong"}


def shown(value: object, kind: str, language: str = "vi") -> str:
    """A cell's text on a page in `language` (the template passes the column kind as text)."""
    if isinstance(value, Words):
        return value.text(language)
    if value is None:
        return UNKNOWN if kind != CellKind.TEXT else ""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return str(value)
    if kind == CellKind.PERCENT:
        return str(format_percent(value, _PERCENT.get(language, _PERCENT["en"])))
    if kind == CellKind.AMOUNT:
        return f"{format_decimal(int(value), '#,##0')}\u00a0{_CURRENCY.get(language, 'dong')}"
    if kind == CellKind.COUNT:
        return str(format_decimal(int(value), "#,##0"))
    return str(value)


def whole(value: int) -> str:
    """A count in running text (a page count, a number of households)."""
    return str(format_decimal(value, "#,##0"))
