"""The layering of DESIGN.md §2, checked on the AST of every module."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from server.config import REPO_ROOT

STDLIB = set(sys.stdlib_module_names)


def modules(folder: str) -> list[Path]:
    return sorted((REPO_ROOT / folder).rglob("*.py"))


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def top(name: str) -> str:
    return name.split(".")[0]


def outside(path: Path, allowed: set[str], own: tuple[str, ...]) -> list[str]:
    return sorted(
        n for n in imported(path) if top(n) not in STDLIB | allowed and not n.startswith(own)
    )


@pytest.mark.parametrize("path", modules("server/domain"), ids=str)
def test_domain_imports_only_the_standard_library(path: Path) -> None:
    assert outside(path, set(), ("server.domain", "server.errors")) == []


@pytest.mark.parametrize("path", modules("server/formats"), ids=str)
def test_formats_import_only_the_standard_library_and_parsers(path: Path) -> None:
    allowed = {"defusedxml", "lxml", "openpyxl", "xlsxwriter"}
    assert outside(path, allowed, ("server.formats", "server.errors", "server.domain")) == []


@pytest.mark.parametrize("path", modules("server/storage"), ids=str)
def test_storage_never_touches_flask(path: Path) -> None:
    assert [n for n in imported(path) if top(n) == "flask"] == []


# The demo (server/demo) is a client of the services, held to their rule: no HTTP, no SQL.
@pytest.mark.parametrize("path", modules("server/services") + modules("server/demo"), ids=str)
def test_services_leave_sql_to_storage_and_http_to_the_surfaces(path: Path) -> None:
    names = imported(path)
    http = [n for n in names if top(n) in {"flask", "werkzeug"}]
    # werkzeug's password hashing is a library, not HTTP.
    assert [n for n in http if not n.startswith("werkzeug.security")] == []
    sql = [n for n in names if top(n) == "sqlalchemy"]
    assert [n for n in sql if not n.startswith(("sqlalchemy.orm", "sqlalchemy.exc"))] == []


BELOW_THE_DEMO = ("server.services", "server.storage", "server.domain", "server.formats")


@pytest.mark.parametrize("path", modules("server/demo"), ids=str)
def test_the_demo_builds_only_on_the_layers_below_it(path: Path) -> None:
    own = ("server.demo", "server.errors", *BELOW_THE_DEMO)
    assert [n for n in imported(path) if top(n) == "server" and not n.startswith(own)] == []


@pytest.mark.parametrize(
    "path", [p for f in BELOW_THE_DEMO for p in modules(f.replace(".", "/"))], ids=str
)
def test_no_layer_below_the_demo_imports_it(path: Path) -> None:
    assert [n for n in imported(path) if n.startswith("server.demo")] == []


SURFACES = {"openrosa", "api", "web", "webform"}


@pytest.mark.parametrize("surface", sorted(SURFACES))
def test_surfaces_do_not_import_each_other(surface: str) -> None:
    others = SURFACES - {surface}
    for path in modules(f"server/{surface}"):
        assert [
            n for n in imported(path) if n.split(".")[:2][-1] in others and n.startswith("server.")
        ] == []


def test_pyxform_is_imported_only_by_the_xlsform_module() -> None:
    users = [p for p in modules("server") if any(top(n) == "pyxform" for n in imported(p))]
    assert users == [REPO_ROOT / "server" / "xlsform.py"]


@pytest.mark.parametrize("path", modules("sync"), ids=str)
def test_sync_never_imports_the_server(path: Path) -> None:
    assert [n for n in imported(path) if top(n) == "server"] == []


# Services and surfaces hand their writes to the write unit (server/storage/transaction.py);
# only storage ends a transaction.


def transaction_ends(path: Path) -> list[str]:
    """`….commit(…)` and `….rollback(…)` calls, as 'line: name'."""
    return [
        f"{node.lineno}: {node.func.attr}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"commit", "rollback"}
    ]


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in modules("server")
        if "storage" not in p.relative_to(REPO_ROOT / "server").parts[:1]
    ],
    ids=str,
)
def test_no_module_outside_storage_commits_or_rolls_back(path: Path) -> None:
    assert transaction_ends(path) == []

