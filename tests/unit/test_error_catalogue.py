"""One error catalogue: stable unique codes, a status, and messages in both languages."""

from __future__ import annotations

import string

import pytest

from server import errors


def all_errors() -> list[type[errors.RasoatError]]:
    found, queue = [], [errors.RasoatError]
    while queue:
        cls = queue.pop()
        found.append(cls)
        queue.extend(cls.__subclasses__())
    return found


def test_every_error_has_its_own_code_and_a_docstring() -> None:
    codes = [cls.code for cls in all_errors()]
    assert len(codes) == len(set(codes))
    assert all(cls.__doc__ for cls in all_errors())


@pytest.mark.parametrize("cls", all_errors(), ids=lambda c: c.__name__)
def test_messages_in_vietnamese_and_english_name_the_same_parameters(
    cls: type[errors.RasoatError],
) -> None:
    def fields(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    assert 400 <= cls.status <= 599
    params = {name.removesuffix("!r"): "X" for name in fields(cls.vi) | fields(cls.en)}
    error = cls(**params)
    assert error.message_vi
    assert error.message_en
    assert error.message == f"{error.message_vi} / {error.message_en}"
    assert {p.removesuffix("_vi") for p in fields(cls.vi)} == {
        p.removesuffix("_vi") for p in fields(cls.en)
    }
