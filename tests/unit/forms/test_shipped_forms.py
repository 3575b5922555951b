"""Every XLSForm we ship compiles and passes ODK Validate (the JavaRosa engine of Collect)."""

from __future__ import annotations

from pathlib import Path

import pytest

from server import xlsform
from server.config import REPO_ROOT
from server.services.forms import shipped_media, shipped_xlsforms
from server.services.phone_lists import GENERATED

FORMS = REPO_ROOT / "forms"


def test_there_is_at_least_one_shipped_form() -> None:
    assert shipped_xlsforms(FORMS)


@pytest.mark.parametrize("path", shipped_xlsforms(FORMS), ids=lambda p: p.name)
def test_a_shipped_form_compiles_passes_odk_validate_and_has_its_media(path: Path) -> None:
    compiled = xlsform.compile_xlsform(path.read_bytes(), path.name, validate=True)
    assert compiled.facts.form_id == path.stem
    assert compiled.facts.version, "shipped forms carry a version in their settings sheet"
    assert [str(w) for w in compiled.warnings] == []
    media = shipped_media(FORMS, path)
    missing = [
        n
        for n in compiled.facts.media_names
        if n not in media and n != "itemsets.csv" and n not in GENERATED
    ]
    assert missing == []
