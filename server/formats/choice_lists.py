"""CSV choice lists for phones (`select_one_from_file`): UTF-8, no BOM, header first.

Collect builds a secondary instance from the file; a BOM would end up in the first column's
name, so none is written here (unlike the CSV downloads meant for Excel).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
