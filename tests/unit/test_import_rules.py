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


# Everything that answers a request or a command: pages, APIs, the CLI and the server around
# them. They work through services; of storage they use only the write unit.
SURFACE_MODULES = [
    *(p for surface in sorted(SURFACES) for p in modules(f"server/{surface}")),
    *(
        REPO_ROOT / "server" / name
        for name in (
            "cli.py",
            "serving.py",
            "media_files.py",
            "downloads.py",
            "error_pages.py",
            "query_params.py",
        )
    ),
]


@pytest.mark.parametrize("path", SURFACE_MODULES, ids=str)
def test_surfaces_reach_storage_only_through_the_write_unit(path: Path) -> None:
    storage = [
        n for n in imported(path) if n == "server.storage" or n.startswith("server.storage.")
    ]
    assert [n for n in storage if not n.startswith("server.storage.transaction")] == []


def reads_the_query(path: Path) -> list[str]:
    """`….args` and `….query_string` of a request, as 'line: expression'."""
    return [
        f"{node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute)
        and node.attr in {"args", "query_string"}
        and isinstance(node.value, ast.Name)
        and node.value.id == "request"
    ]


# Query parameters are declared, bounded and refused in one place (server/query_params.py), so
# no route parses a number or a string of the query by hand. (OpenRosa's Digest check reads the
# query string as sent, to compare the URI the phone signed; nothing is parsed.)
QUERY_READERS = {
    REPO_ROOT / "server" / "query_params.py",
    REPO_ROOT / "server" / "openrosa" / "http.py",
}


@pytest.mark.parametrize("path", sorted(set(modules("server")) - QUERY_READERS), ids=str)
def test_only_the_query_parameters_module_reads_the_query(path: Path) -> None:
    assert reads_the_query(path) == []


def test_the_query_rule_sees_request_args() -> None:
    assert reads_the_query(REPO_ROOT / "server" / "query_params.py")


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


def outside_storage() -> list[Path]:
    return [
        p for p in modules("server") if p.relative_to(REPO_ROOT / "server").parts[0] != "storage"
    ]


@pytest.mark.parametrize("path", outside_storage(), ids=str)
def test_no_module_outside_storage_commits_or_rolls_back(path: Path) -> None:
    assert transaction_ends(path) == []


# Only storage speaks to the database session: services and surfaces call storage functions.
SESSION_CALLS = {
    "add",
    "add_all",
    "begin_nested",
    "delete",
    "execute",
    "flush",
    "get",
    "merge",
    "refresh",
    "scalar",
    "scalars",
}


def receiver(node: ast.expr) -> str | None:
    """How a call's receiver names a database session: `session`, `….session`, `db.session()`
    or `db_session()`; None for anything else."""
    if isinstance(node, ast.Call):
        node = node.func
        if isinstance(node, ast.Name) and node.id == "db_session":
            return "db_session()"
    if isinstance(node, ast.Name) and node.id == "session":
        return "session"
    if isinstance(node, ast.Attribute) and node.attr == "session":
        return f"{ast.unparse(node)}"
    return None


def flask_session_imported(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.ImportFrom)
        and node.module == "flask"
        and any(alias.name == "session" and alias.asname is None for alias in node.names)
        for node in ast.walk(tree)
    )


def session_calls(path: Path) -> list[str]:
    """`session.add(…)`, `db.session.execute(…)` and the like, as 'receiver.method'; a bare
    `session` in a module that imports Flask's session (the cookie) is that one, not the
    database's."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    cookie = flask_session_imported(tree)
    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SESSION_CALLS
        ):
            continue
        name = receiver(node.func.value)
        if name is not None and not (cookie and name == "session"):
            found.append(f"{name}.{node.func.attr}")
    return found


@pytest.mark.parametrize("path", outside_storage(), ids=str)
def test_no_module_outside_storage_speaks_to_the_database_session(path: Path) -> None:
    assert session_calls(path) == []


def test_the_session_rule_sees_every_way_of_naming_a_session(tmp_path: Path) -> None:
    source = tmp_path / "module.py"
    source.write_text(
        "def f(session, db, self, x):\n"
        "    session.add(x)\n"
        "    db.session.flush()\n"
        "    self.session.get(X, 1)\n"
        "    db.session().execute(q)\n"
        "    db_session().flush()\n"
        "    session.scalars(q)\n"
        "    x.add(1)\n"
        "    others.get('key')\n",
        encoding="utf-8",
    )
    assert session_calls(source) == [
        "session.add",
        "db.session.flush",
        "self.session.get",
        "db.session.execute",
        "db_session().flush",
        "session.scalars",
    ]


def test_the_session_rule_leaves_flasks_cookie_session_alone(tmp_path: Path) -> None:
    source = tmp_path / "module.py"
    source.write_text(
        "from flask import session\n"
        "def lang():\n"
        "    return session.get('lang')\n"
        "def save(db):\n"
        "    db.session.add(1)\n",
        encoding="utf-8",
    )
    assert session_calls(source) == ["db.session.add"]
