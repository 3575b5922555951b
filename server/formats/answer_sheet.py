"""An instance's answers laid out for reading: in form order, with the question and choice
labels of one language, repeat groups (household members) as tables, and the fields that have
no question (calculations, meta) at the end under their names.

Questions the phone did not ask are absent from the XML (non-relevant), and empty answers say
nothing, so both are left out; a page on a phone stays short.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from server.formats.instance import local_name
from server.formats.xform_outline import Outline, Question

MULTIPLE = "select"
FILE = "upload"


@dataclass(frozen=True)
class Answer:
    label: str
    value: str
    # The file this answer names (a photo question), to be offered for download.
    file: str | None = None
    kind: str = "answer"


@dataclass(frozen=True)
class RepeatTable:
    label: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    kind: str = "repeat"


@dataclass(frozen=True)
class Section:
    label: str
    items: tuple[Answer | RepeatTable | Section, ...]
    kind: str = "section"


Item = Answer | RepeatTable | Section


def _nodes_at(base: Element, steps: list[str]) -> list[Element]:
    nodes = [base]
    for step in steps:
        nodes = [child for node in nodes for child in node if local_name(child.tag) == step]
    return nodes


def _relative(path: str, base_path: str) -> list[str]:
    rest = path[len(base_path) + 1 :] if base_path else path
    return [step for step in rest.split("/") if step]


def _text(node: Element | None) -> str:
    return (node.text or "").strip() if node is not None else ""


def display_value(question: Question, raw: str, language: str) -> str:
    """A select answer by its choice labels; anything else as given."""
    if not question.choices:
        return raw
    values = raw.split() if question.kind == MULTIPLE else [raw]
    known = question.choices
    return ", ".join(known[v].get(language) or v if v in known else v for v in values)


def _leaves(questions: tuple[Question, ...]) -> Iterator[Question]:
    """The answerable questions of a repeat, groups inside it flattened."""
    for question in questions:
        if question.kind == "group":
            yield from _leaves(question.children)
        else:
            yield question


def _cell(entry: Element, base: str, question: Question, language: str) -> str:
    found = _nodes_at(entry, _relative(question.path, base))
    if question.kind == "repeat":
        return str(len(found)) if found else ""
    return display_value(question, _text(found[0]), language) if found else ""


def _table(base: Element, question: Question, language: str) -> RepeatTable | None:
    entries = _nodes_at(base, _relative(question.path, ""))
    if not entries:
        return None
    columns = list(_leaves(question.children))
    rows = tuple(
        tuple(_cell(entry, question.path, c, language) for c in columns) for entry in entries
    )
    headings = tuple(c.label.get(language) or c.name for c in columns)
    return RepeatTable(question.label.get(language) or question.name, headings, rows)


def _items(root: Element, questions: tuple[Question, ...], language: str) -> list[Item]:
    items: list[Item] = []
    for question in questions:
        label = question.label.get(language) or question.name
        if question.kind == "repeat":
            table = _table(root, question, language)
            items.extend([table] if table else [])
        elif question.kind == "group":
            inner = _items(root, question.children, language)
            items.extend([Section(label, tuple(inner))] if inner else [])
        else:
            nodes = _nodes_at(root, _relative(question.path, ""))
            raw = _text(nodes[0]) if nodes else ""
            if raw:
                value = display_value(question, raw, language)
                items.append(Answer(label, value, raw if question.kind == FILE else None))
    return items


def _asked(questions: tuple[Question, ...]) -> Iterator[Question]:
    for question in questions:
        yield question
        yield from _asked(question.children)


def _unasked(root: Element, asked: dict[str, str], path: str = "") -> Iterator[Answer]:
    """Leaf fields that no question shows (calculations, preloads, meta), outside repeats."""
    for child in root:
        child_path = f"{path}/{local_name(child.tag)}".strip("/")
        if asked.get(child_path) == "repeat":
            continue
        if len(child):
            yield from _unasked(child, asked, child_path)
        elif child_path not in asked and (value := _text(child)):
            yield Answer(child_path, value)


def answer_sheet(outline: Outline, root: Element, language: str) -> tuple[Item, ...]:
    """The answers of `root` (an instance of the outlined form) in the given language."""
    items = _items(root, outline.questions, language)
    asked = {question.path: question.kind for question in _asked(outline.questions)}
    others = tuple(_unasked(root, asked))
    if others:
        items.append(Section("", others, kind="other"))
    return tuple(items)
