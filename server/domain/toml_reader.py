"""Reading a TOML data file key by key, so that every mistake names the file and the key.

Standards are edited by officers, not programmers: a missing key, a wrong type or a misspelt
key must come back as `InvalidInput(field="nd07_2022.toml: rural.middle", detail=...)`, never
as a KeyError or a silently ignored setting. Floats are read as Decimal (exact thresholds).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from server.errors import InvalidInput

T = TypeVar("T")


def read_toml(path: Path) -> TomlTable:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(field=path.name, detail=f"not a valid TOML file: {exc}") from exc
    return TomlTable(data, path.name)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _integer(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    return None if _integer(value) is None else Decimal(str(value))


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _texts(value: object) -> tuple[str, ...] | None:
    if not isinstance(value, list):
        return None
    texts = tuple(item for item in value if _text(item) is not None)
    return texts if len(texts) == len(value) else None


class TomlTable:
    """One table of a TOML file, remembering which keys were read (see `finish`)."""

    def __init__(self, data: Mapping[str, object], file: str, path: str = "") -> None:
        self._data = data
        self._used: set[str] = set()
        self.file = file
        self.path = path

    def error(self, key: str, detail: str) -> InvalidInput:
        where = f"{self.path}.{key}".lstrip(".")
        return InvalidInput(field=f"{self.file}: {where}", detail=detail)

    def has(self, key: str) -> bool:
        return key in self._data

    def names(self) -> tuple[str, ...]:
        return tuple(self._data)

    def _get(self, key: str, convert: Callable[[object], T | None], expected: str) -> T:
        self._used.add(key)
        if key not in self._data:
            raise self.error(key, "required key is missing")
        value = convert(self._data[key])
        if value is None:
            raise self.error(key, f"expected {expected}, found {self._data[key]!r}")
        return value

    def text(self, key: str) -> str:
        return self._get(key, _text, "a non-empty text")

    def integer(self, key: str) -> int:
        return self._get(key, _integer, "a whole number")

    def decimal(self, key: str) -> Decimal:
        return self._get(key, _decimal, "a number")

    def flag(self, key: str) -> bool:
        return self._get(key, _flag, "true or false")

    def texts(self, key: str) -> tuple[str, ...]:
        return self._get(key, _texts, "a list of non-empty texts")

    def optional(self, key: str, read: Callable[[str], T]) -> T | None:
        """`read(key)` if the key is present, else None: `t.optional("max_age", t.integer)`."""
        self._used.add(key)
        return read(key) if key in self._data else None

    def table(self, key: str) -> TomlTable:
        data = self._get(key, lambda v: v if isinstance(v, dict) else None, "a table")
        return TomlTable(data, self.file, f"{self.path}.{key}".lstrip("."))

    def tables(self, key: str, label: str = "code") -> tuple[TomlTable, ...]:
        """An array of tables; each is named by its `label` key if readable, else [n] from 1."""
        items = self._get(key, _table_list, "a list of tables")
        return tuple(self._item(key, index, item, label) for index, item in enumerate(items, 1))

    def _item(self, key: str, index: int, data: dict[str, object], label: str) -> TomlTable:
        name = _text(data.get(label))
        suffix = f".{name}" if name else f"[{index}]"
        return TomlTable(data, self.file, f"{self.path}.{key}{suffix}".lstrip("."))

    def finish(self) -> None:
        """Refuse keys nobody read: a misspelt threshold must not be silently ignored."""
        unknown = sorted(set(self._data) - self._used)
        if unknown:
            raise self.error(unknown[0], "unknown key (check its spelling)")


def _table_list(value: object) -> list[dict[str, object]] | None:
    if not isinstance(value, list) or not value:
        return None
    tables = [item for item in value if isinstance(item, dict)]
    return tables if len(tables) == len(value) else None
