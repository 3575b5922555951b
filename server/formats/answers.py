"""Reading answers out of an instance: by element name, strictly, naming the field on error."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

from server.errors import InvalidInput
from server.formats.instance import local_name


def descendants(node: Element, *, skip: str | None = None) -> Iterator[Element]:
    """Depth-first, optionally not entering elements named `skip` (the member repeat)."""
    stack = list(reversed(list(node)))
    while stack:
        current = stack.pop()
        yield current
        if local_name(current.tag) != skip:
            stack.extend(reversed(list(current)))


def text_of(node: Element, name: str, *, skip: str | None = None) -> str | None:
    return answers_of(node, skip=skip).get(name)


def answers_of(node: Element, *, skip: str | None = None) -> dict[str, str]:
    """Every non-empty answer below `node` by question name (the first one of each name),
    read in one walk of the tree."""
    found: dict[str, str] = {}
    for element in descendants(node, skip=skip):
        name = local_name(element.tag)
        if name not in found and (value := (element.text or "").strip()):
            found[name] = value
    return found


def required(value: str | None, field: str) -> str:
    if value is None:
        raise InvalidInput(field=field, detail="missing")
    return value


def integer(value: str | None, field: str) -> int | None:
    number = decimal(value, field)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise InvalidInput(field=field, detail=f"{value!r} is not a whole number")
    return int(number)


def decimal(value: str | None, field: str) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise InvalidInput(field=field, detail=f"{value!r} is not a number") from exc
    if not number.is_finite() or number < 0:
        raise InvalidInput(field=field, detail=f"{value!r} is not a non-negative number")
    return number


def yes_no(value: str | None, field: str) -> bool | None:
    if value is None:
        return None
    if value not in ("yes", "no"):
        raise InvalidInput(field=field, detail=f"{value!r} is neither yes nor no")
    return value == "yes"


def choices(value: str | None) -> frozenset[str]:
    return frozenset((value or "").split())


def date_of(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise InvalidInput(field=field, detail=f"{value!r} is not a date") from exc
