"""Build the shipped survey XLSForms: `household_survey.xlsx`, `followup_visit.xlsx` and
`household_screening.xlsx` (Phiếu A).

Run `.venv/bin/python forms/build.py`; it writes both workbooks next to this file. Edit the
form modules, never the workbooks, and raise `common.VERSION` whenever anything changes (phones
only fetch a form again when its version changes). tests/unit/forms/test_form_builder.py
checks that the committed workbooks are what this script writes.

- `xlsform_builder.py`: rows, choice lists and writing a workbook (knows no survey);
- `common.py`: the version, the review year and its poverty standard, shared choice lists;
- `household_survey.py`, `followup_visit.py`: one module per form.

Field names, types and choice values follow the contract in forms/README.md; the server reads
answers by those names. The calculated indicators (`d_*`), the deficiency count and the class
implement the README's rules for NĐ 07/2021 (2022–2026), with the thresholds read from the
standard's data file the server classifies with. They are only shown to the cadre before
sending: the server recomputes everything from the answers.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts only forms/ on the path; the form modules import as forms.*.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from forms.followup_visit import FOLLOWUP_VISIT  # noqa: E402
from forms.household_screening import HOUSEHOLD_SCREENING  # noqa: E402
from forms.household_survey import HOUSEHOLD_SURVEY  # noqa: E402
from forms.xlsform_builder import workbook_bytes  # noqa: E402

FORMS = (HOUSEHOLD_SURVEY, FOLLOWUP_VISIT, HOUSEHOLD_SCREENING)


def build(folder: Path) -> list[Path]:
    """Write every form's workbook into `folder`; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for form in FORMS:
        path = folder / f"{form.form_id}.xlsx"
        path.write_bytes(workbook_bytes(form))
        written.append(path)
    return written


def main() -> int:
    for path in build(Path(__file__).resolve().parent):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
