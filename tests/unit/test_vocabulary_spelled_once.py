"""The domain's words are spelled once: storage and services name a household class or a
movement by its enum member (server/domain/vocabulary.py) and a measure of the summary by its
entry in server/domain/measures.py, never by a string literal, so a renamed or misspelt value
cannot hide in one query or one table."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from server.config import REPO_ROOT
from server.domain.measures import SUMMARY, deficiency_key
from server.domain.vocabulary import HouseholdClass, Role, Transition

WORDS = {member.value for member in (*HouseholdClass, *Transition)}
MEASURE_KEYS = {measure.key for measure in SUMMARY} | {deficiency_key("")}

# "exited" is also the key of a table column: the follow-up table's count of households that
# recently left poverty and the commitments table's count set against the pledge. Those name a
# column of a rendered table (its CSV/JSON key), not the movement a review records. It is
# also the name in the address of the list of exited households (/lists/exited, action_lists).
COLUMN_KEYS = frozenset(
    {
        ("server/services/action_lists.py", "exited"),
        ("server/services/reports.py", "exited"),
        ("server/services/commitments.py", "exited"),
        ("server/storage/reports.py", "exited"),
    }
)


def modules() -> list[Path]:
    folders = ("server/storage", "server/services", "server/demo")
    return sorted(p for folder in folders for p in (REPO_ROOT / folder).rglob("*.py"))


Allowed = frozenset[tuple[str, str]]


def spelled(path: Path, words: set[str], allowed: Allowed = frozenset()) -> list[str]:
    """Where `path` has a string constant (f-string parts included) that is one of `words`."""
    where = str(path.relative_to(REPO_ROOT))
    return [
        f"{where}:{node.lineno}: {node.value!r}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in words
        and (where, node.value) not in allowed
    ]


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_storage_and_services_name_classes_and_movements_by_their_enum_members(
    path: Path,
) -> None:
    assert spelled(path, WORDS, COLUMN_KEYS) == []


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_storage_and_services_name_the_summary_s_measures_by_their_entries_in_the_list(
    path: Path,
) -> None:
    assert spelled(path, MEASURE_KEYS) == []


ROLES = {member.value for member in Role}


def every_module_but_the_vocabulary() -> list[Path]:
    vocabulary = REPO_ROOT / "server" / "domain" / "vocabulary.py"
    return sorted(p for p in (REPO_ROOT / "server").rglob("*.py") if p != vocabulary)


@pytest.mark.parametrize(
    "path", every_module_but_the_vocabulary(), ids=lambda p: str(p.relative_to(REPO_ROOT))
)
def test_every_module_names_a_role_by_its_enum_member(path: Path) -> None:
    assert spelled(path, ROLES) == []


def test_the_menu_names_roles_by_their_enum_members() -> None:
    base = (REPO_ROOT / "server" / "web" / "templates" / "base.html").read_text(encoding="utf-8")
    assert [role for role in ROLES if f"'{role}'" in base or f'"{role}"' in base] == []
