"""Reading score tables (Phiếu B) from their data files: `<code>.toml` and `<code>.csv`.

`<code>.toml` says what the table is (its region, urban or rural, whether it is a sample and
where its points come from); `<code>.csv` holds the points, one answer a line:

    item,item_vi,item_en,answer,answer_vi,answer_en,points

The lines of one item follow each other; its labels are given on its first line (later lines
may leave them blank or repeat them). Officers replace a sample by the official table with
`rasoat score-table import`, so every mistake names the line and the column.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path

from server.domain.scoring import ScoreAnswer, ScoreItem, ScoreTable, ScoringRules
from server.domain.toml_reader import read_toml
from server.errors import InvalidInput

DEFAULT_FOLDER = Path(__file__).parent / "data" / "score_tables"
COLUMNS = ("item", "item_vi", "item_en", "answer", "answer_vi", "answer_en", "points")
MAX_POINTS = 1000  # no answer of a score table is worth more (the cut-offs are 140 and 175)
# Codes become parts of XLSForm names and choice values.
_CODE = re.compile(r"[a-z][a-z0-9_]{0,30}")


@dataclass(frozen=True)
class _Line:
    number: int
    values: dict[str, str]

    def error(self, column: str, detail: str, source: str) -> InvalidInput:
        return InvalidInput(field=f"{source}: line {self.number}, column {column}", detail=detail)


def parse_points(text: str, source: str) -> tuple[ScoreItem, ...]:
    """The items of a score table's CSV; InvalidInput naming the line and column of the first
    mistake (`source` names the file in the message)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or tuple(cell.strip() for cell in header) != COLUMNS:
        raise InvalidInput(
            field=f"{source}: line 1", detail=f"the header must be {','.join(COLUMNS)}"
        )
    items: list[ScoreItem] = []
    current: list[ScoreAnswer] = []
    labels: tuple[str, str, str] | None = None
    seen: set[str] = set()
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(COLUMNS):
            raise InvalidInput(
                field=f"{source}: line {number}",
                detail=f"expected {len(COLUMNS)} columns, found {len(row)}",
            )
        line = _Line(number, {name: cell.strip() for name, cell in zip(COLUMNS, row, strict=True)})
        item = _code(line, "item", source)
        if labels is None or item != labels[0]:
            if labels is not None:
                items.append(_item(labels, current))
            if item in seen:
                raise line.error(
                    "item", f"{item!r} already came earlier: keep its lines together", source
                )
            seen.add(item)
            labels = (item, _text(line, "item_vi", source), _text(line, "item_en", source))
            current = []
        else:
            _same_label(line, "item_vi", labels[1], source)
            _same_label(line, "item_en", labels[2], source)
        answer = _code(line, "answer", source)
        if any(choice.code == answer for choice in current):
            raise line.error("answer", f"{answer!r} is given twice for {item!r}", source)
        current.append(
            ScoreAnswer(
                answer,
                _text(line, "answer_vi", source),
                _text(line, "answer_en", source),
                _points(line, source),
            )
        )
    if labels is None:
        raise InvalidInput(field=f"{source}: line 2", detail="the table has no lines")
    items.append(_item(labels, current))
    for done in items:
        if len(done.answers) < 2:
            raise InvalidInput(
                field=f"{source}: item {done.code}", detail="needs at least 2 answers"
            )
    return tuple(items)


def _item(labels: tuple[str, str, str], answers: list[ScoreAnswer]) -> ScoreItem:
    return ScoreItem(labels[0], labels[1], labels[2], tuple(answers))


def _code(line: _Line, column: str, source: str) -> str:
    value = line.values[column]
    if not _CODE.fullmatch(value):
        raise line.error(
            column, f"{value!r} is not a code (a-z, 0-9, _, starting with a letter)", source
        )
    return value


def _text(line: _Line, column: str, source: str) -> str:
    value = line.values[column]
    if not value:
        raise line.error(column, "is empty", source)
    if "'" in value:
        # The form writes labels into XPath string literals, which cannot hold an apostrophe.
        raise line.error(column, "must not contain an apostrophe (')", source)
    return value


def _same_label(line: _Line, column: str, first: str, source: str) -> None:
    value = line.values[column]
    if value and value != first:
        raise line.error(column, f"differs from the item's first line ({first!r})", source)


def _points(line: _Line, source: str) -> int:
    value = line.values["points"]
    if not re.fullmatch(r"-?[0-9]+", value):
        raise line.error("points", f"{value!r} is not a whole number", source)
    points = int(value)
    if abs(points) > MAX_POINTS:
        raise line.error("points", f"{points} is beyond ±{MAX_POINTS}", source)
    return points


def read_score_table(code: str, folder: Path | None = None) -> ScoreTable:
    """The table `code` of `folder` (default: the shipped ones), checked."""
    where = DEFAULT_FOLDER if folder is None else folder
    meta_path, points_path = where / f"{code}.toml", where / f"{code}.csv"
    if not meta_path.is_file() or not points_path.is_file():
        raise InvalidInput(
            field=f"score table {code}", detail=f"needs {code}.toml and {code}.csv in {where}"
        )
    meta = read_toml(meta_path)
    if meta.text("code") != code:
        raise meta.error("code", f"must be the file name without .toml ({code!r})")
    area = meta.text("area")
    if area not in ("urban", "rural"):
        raise meta.error("area", "must be urban or rural")
    table = ScoreTable(
        code=code,
        name_vi=meta.text("name_vi"),
        name_en=meta.text("name_en"),
        urban=area == "urban",
        items=parse_points(points_path.read_text(encoding="utf-8"), points_path.name),
        sample=meta.flag("sample"),
        source=meta.text("source"),
    )
    meta.finish()
    return table


def table_codes(folder: Path | None = None) -> tuple[str, ...]:
    where = DEFAULT_FOLDER if folder is None else folder
    return tuple(sorted(path.stem for path in where.glob("*.toml")))


def meta_text(table: ScoreTable) -> str:
    """`<code>.toml` for `table`, as the import writes it (strings quoted as TOML basic strings)."""

    def quoted(text: str) -> str:
        flat = " ".join(text.split())  # one line: a TOML basic string holds no raw line break
        return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return "".join(
        (
            "# Written by `rasoat score-table import`; the points are in the .csv next to it.\n",
            f"code = {quoted(table.code)}\n",
            f"name_vi = {quoted(table.name_vi)}\n",
            f"name_en = {quoted(table.name_en)}\n",
            f'area = "{"urban" if table.urban else "rural"}"\n',
            f"sample = {'true' if table.sample else 'false'}\n",
            f"source = {quoted(table.source)}\n",
        )
    )


@functools.cache
def _shipped(code: str) -> ScoreTable:
    # The shipped files do not change while the process runs (an import restarts nothing: it
    # asks for the forms to be rebuilt and the records reclassified).
    return read_score_table(code)


def scoring_table(rules: ScoringRules, *, urban: bool, folder: Path | None = None) -> ScoreTable:
    """The table a household of an urban or rural area is scored with under `rules`."""
    code = rules.table_code(urban)
    table = _shipped(code) if folder is None else read_score_table(code, folder)
    if table.urban != urban:
        area = "urban" if urban else "rural"
        raise InvalidInput(
            field=f"scoring.{area}_table", detail=f"{code!r} is not a table for {area} areas"
        )
    return table
