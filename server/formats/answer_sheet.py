"""An instance's answers laid out for reading: in form order, with the question and choice
labels of one language, repeat groups (household members) as tables, and the fields that have
no question (calculations, meta) at the end under their names.

Questions the phone did not ask are absent from the XML (non-relevant), and empty answers say
nothing, so both are left out; a page on a phone stays short.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from server.formats.instance import local_name
from server.formats.xform_outline import Outline, Question, flatten

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


# Names of the values of choice lists read from a media file (the communes and villages of the
# area tree), by file name; a page passes them so that it shows names, never codes.
FileNames = Mapping[str, Mapping[str, str]]
_NO_NAMES: FileNames = {}


def display_value(
    question: Question, raw: str, language: str, file_names: FileNames = _NO_NAMES
) -> str:
    """A select answer by its choice labels (or the names its choice file has); anything else
    as given."""
    values = raw.split() if question.kind == MULTIPLE else [raw]
    if not question.choices:
        named = file_names.get(question.choices_file) if question.choices_file else None
        return ", ".join(named.get(v, v) for v in values) if named else raw
    known = question.choices
    return ", ".join(known[v].get(language) or v if v in known else v for v in values)


def file_choice_values(outline: Outline, root: Element) -> dict[str, set[str]]:
    """The values answered to questions whose choices come from a media file, by file (outside
    repeats), so that the caller can look their names up."""
    found: dict[str, set[str]] = {}
    for _, question in flatten(outline.questions):
        if not question.choices_file or question.kind == "repeat":
            continue
        for node in _nodes_at(root, _relative(question.path, "")):
            found.setdefault(question.choices_file, set()).update(_text(node).split())
    return found


def labelled_issues(message: str, outline: Outline) -> str:
    """An issue message (errors.py: "… ở <field>. / … in <field>.") with each question named by
    its label instead of its variable name: Vietnamese label after "ở", English after "in"."""
    labels = {q.name: q.label for _, q in flatten(outline.questions) if q.kind != "group"}
    for name, label in labels.items():
        vi, en = label.get("vi"), label.get("en")
        if vi:
            message = re.sub(rf"(?<=\bở ){re.escape(name)}\b", f"«{vi}»", message)
        if en:
            message = re.sub(rf"(?<=\bin ){re.escape(name)}\b", f"“{en}”", message)
    return message


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


def _items(
    root: Element, questions: tuple[Question, ...], language: str, names: FileNames
) -> list[Item]:
    items: list[Item] = []
    for question in questions:
        label = question.label.get(language) or question.name
        if question.kind == "repeat":
            table = _table(root, question, language)
            items.extend([table] if table else [])
        elif question.kind == "group":
            inner = _items(root, question.children, language, names)
            items.extend([Section(label, tuple(inner))] if inner else [])
        else:
            nodes = _nodes_at(root, _relative(question.path, ""))
            raw = _text(nodes[0]) if nodes else ""
            if raw:
                value = display_value(question, raw, language, names)
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


def answer_sheet(
    outline: Outline, root: Element, language: str, file_names: FileNames = _NO_NAMES
) -> tuple[Item, ...]:
    """The answers of `root` (an instance of the outlined form) in the given language."""
    items = _items(root, outline.questions, language, file_names)
    asked = {question.path: question.kind for question in _asked(outline.questions)}
    others = tuple(_unasked(root, asked))
    if others:
        items.append(Section("", others, kind="other"))
    return tuple(items)
