"""Replacing a score table (Phiếu B) with the official one: `rasoat score-table import`.

The file is checked whole before anything is written (a mistake names its line and column),
then both files of the table are written side by side and moved into place, so a table is
never half replaced. The table keeps its code, region and area; it is no longer a sample, and
its source is what the officer names (the decision or circular the points come from).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from server.domain.score_table_file import meta_text, parse_points, read_score_table
from server.domain.scoring import ScoreTable
from server.errors import InvalidInput


def import_score_table(
    code: str, csv_text: str, source: str, *, file_name: str, folder: Path
) -> ScoreTable:
    """The table `code` of `folder` with the points of `csv_text`, written in place."""
    if not source.strip():
        raise InvalidInput(field="source", detail="name the document the points come from")
    current = read_score_table(code, folder)  # only a table the standards know is replaced
    table = replace(current, items=parse_points(csv_text, file_name), sample=False, source=source)
    staged = {
        folder / f"{code}.csv": csv_text.lstrip("\ufeff"),
        folder / f"{code}.toml": meta_text(table),
    }
    for path, text in staged.items():
        path.with_suffix(path.suffix + ".new").write_text(text, encoding="utf-8")
    for path in staged:
        os.replace(path.with_suffix(path.suffix + ".new"), path)
    return table
