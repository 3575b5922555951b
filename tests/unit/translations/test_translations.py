"""Every text of the pages has a Vietnamese translation, and the compiled catalogue is current."""

from __future__ import annotations

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from server.config import REPO_ROOT

CATALOG = REPO_ROOT / "server" / "translations" / "vi" / "LC_MESSAGES"
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def texts_in_the_code() -> set[str]:
    found = extract_from_dir(str(REPO_ROOT / "server"), METHODS, KEYWORDS)
    return {message for _, _, message, *_ in found if isinstance(message, str)}


def test_every_text_of_the_pages_is_translated_into_vietnamese() -> None:
    with (CATALOG / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    translated = {m.id: m.string for m in catalog if m.id}
    missing = sorted(t for t in texts_in_the_code() if not translated.get(t))
    assert missing == [], (
        "run .venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o /tmp/m.pot . &&"
        " .venv/bin/pybabel update -i /tmp/m.pot -d server/translations --no-fuzzy-matching,"
        " translate these (without -k _l the lazy texts lose their translations), then compile"
    )


def test_the_compiled_catalogue_matches_the_po_file() -> None:
    with (CATALOG / "messages.po").open("rb") as handle:
        source = {m.id: m.string for m in read_po(handle, locale="vi") if m.id}
    with (CATALOG / "messages.mo").open("rb") as handle:
        compiled = {m.id: m.string for m in read_mo(handle) if m.id}
    assert compiled == source, "run: .venv/bin/pybabel compile -d server/translations"
