"""The questions of a compiled XForm as a tree, in form order, with their labels in every
language of the form.

Used to read a submission with its question and choice labels (`answer_sheet`) and to show a
form's questions before it is published. Paths are relative to the instance root
("area/review_year"); a repeat is one question whose children are its columns. Labels are keyed
by language code ("vi", "en": the code in "Tiếng Việt (vi)", else the form's language name) and
fall back to the form's default language, so `label.get("en")` on a one-language form still
gives its text. Choice lists read from a media file (communes, villages) are named, not
expanded: the server builds them per phone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from server.formats.instance import local_name, parse_xml

CONTROLS = {"input", "select1", "select", "upload", "trigger", "range", "rank"}
_ITEXT = re.compile(r"jr:itext\(\s*'([^']*)'\s*\)")
_INSTANCE = re.compile(r"instance\(\s*'([^']*)'\s*\)")
_CODE = re.compile(r"\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)\)\s*$")
_TRUE = ("true()", "true", "yes")


class Labels(dict[str, str]):
    """Texts by language code; a missing language falls back to the default one."""

    def __init__(self, texts: dict[str, str], default: str) -> None:
        super().__init__(texts)
        self.default = default

    def get(self, language: str, fallback: str | None = None) -> str | None:  # type: ignore[override]
        found = super().get(language)
        if found:
            return found
        return super().get(self.default) or next(iter(v for v in self.values() if v), fallback)


@dataclass(frozen=True)
class Question:
    name: str
    path: str
    # The XForm element: input, select1, select, upload, trigger, range, rank, group, repeat.
    kind: str
    label: Labels
    children: tuple[Question, ...] = ()
    choices: dict[str, Labels] = field(default_factory=dict)
    hint: Labels = field(default_factory=lambda: Labels({}, ""))
    data_type: str = ""  # the bind's type: string, int, decimal, date, geopoint, binary, …
    read_only: bool = False
    required: bool = False
    relevant: str = ""
    constraint: str = ""
    constraint_message: Labels = field(default_factory=lambda: Labels({}, ""))
    choices_file: str = ""  # the media file a choice list is read from, when it is one


@dataclass(frozen=True)
class Outline:
    title: str
    languages: tuple[str, ...]  # codes, default first
    questions: tuple[Question, ...]


def language_code(name: str) -> str:
    """ "Tiếng Việt (vi)" → "vi"; a language without a code keeps its name ("default")."""
    match = _CODE.search(name)
    return match.group(1).lower() if match else name


class _Texts:
    def __init__(self, model: Element) -> None:
        self.by_code: dict[str, dict[str, str]] = {}
        self.default = ""
        for translation in (n for n in model.iter() if local_name(n.tag) == "translation"):
            code = language_code(translation.get("lang", ""))
            if translation.get("default") or not self.by_code:
                self.default = code
            self.by_code[code] = {
                text.get("id", ""): _plain_value(text)
                for text in translation
                if local_name(text.tag) == "text"
            }
        self.codes = tuple(sorted(self.by_code, key=lambda c: c != self.default))

    def labels(self, text_id: str) -> Labels:
        return Labels({c: t.get(text_id, "") for c, t in self.by_code.items()}, self.default)

    def plain(self, text: str) -> Labels:
        return Labels(dict.fromkeys(self.codes, text) or {"": text}, self.default)


def _plain_value(text: Element) -> str:
    """The text form of an itext entry (not its image, audio or guidance forms)."""
    values = [v for v in text if local_name(v.tag) == "value"]
    plain = [v for v in values if v.get("form") in (None, "long", "short")] or values
    return _text_of(plain[0]) if plain else ""


def _text_of(node: Element) -> str:
    """Label text with `<output value="…"/>` shown as the ${name} it inserts."""
    parts = [node.text or ""]
    for child in node:
        if local_name(child.tag) == "output":
            parts.append("${" + child.get("value", "").strip().split("/")[-1] + "}")
        parts.append(child.tail or "")
    return "".join(parts).strip()


def _child(node: Element, name: str) -> Element | None:
    return next((c for c in node if local_name(c.tag) == name), None)


def _child_text(node: Element, name: str) -> str:
    found = _child(node, name)
    return (found.text or "").strip() if found is not None else ""


def _labels(node: Element, tag: str, texts: _Texts, item: Element | None = None) -> Labels:
    found = _child(node, tag)
    if found is None:
        return Labels({}, texts.default)
    ref = found.get("ref", "")
    if match := _ITEXT.search(ref):
        return texts.labels(match.group(1))
    if ref and item is not None:  # an itemset: the label is a field of each item
        if ref.startswith("jr:itext("):
            return texts.labels(_child_text(item, "itextId"))
        return texts.plain(_child_text(item, ref))
    return texts.plain(_text_of(found))


def _choices(control: Element, texts: _Texts, model: Element) -> tuple[dict[str, Labels], str]:
    items = [c for c in control if local_name(c.tag) == "item"]
    if items:
        return {_child_text(i, "value"): _labels(i, "label", texts) for i in items}, ""
    itemset = _child(control, "itemset")
    match = _INSTANCE.search(itemset.get("nodeset", "")) if itemset is not None else None
    if itemset is None or match is None:
        return {}, ""
    instance = next(
        (n for n in model if local_name(n.tag) == "instance" and n.get("id") == match.group(1)),
        None,
    )
    if instance is None:
        return {}, ""
    if instance.get("src"):
        return {}, instance.get("src", "").rsplit("/", 1)[-1]
    value = _child(itemset, "value")
    value_field = value.get("ref", "name") if value is not None else "name"
    rows = [n for n in instance.iter() if local_name(n.tag) == "item"]
    return {_child_text(r, value_field): _labels(itemset, "label", texts, r) for r in rows}, ""


class _Reader:
    def __init__(self, model: Element, root_name: str) -> None:
        self.model = model
        self.texts = _Texts(model)
        self.binds = {b.get("nodeset", ""): b for b in model if local_name(b.tag) == "bind"}
        self.prefix = f"/{root_name}/"

    def questions(self, parent: Element) -> tuple[Question, ...]:
        found: list[Question] = []
        for node in parent:
            tag = local_name(node.tag)
            if tag == "group":
                repeat = _child(node, "repeat")
                wraps = repeat is not None and repeat.get("nodeset") == node.get("ref")
                if repeat is not None and wraps:  # pyxform's group around a repeat: one question
                    found.append(self.question(repeat, "repeat", label_from=node))
                elif node.get("ref"):
                    found.append(self.question(node, "group"))
                else:  # a group without a field of its own only lays questions out
                    found.extend(self.questions(node))
            elif tag == "repeat":
                found.append(self.question(node, "repeat"))
            elif tag in CONTROLS:
                found.append(self.question(node, tag))
        return tuple(found)

    def question(self, node: Element, kind: str, label_from: Element | None = None) -> Question:
        absolute = node.get("ref") or node.get("nodeset") or ""
        bind = self.binds.get(absolute)
        attributes = {
            local_name(k): v for k, v in (bind.attrib if bind is not None else {}).items()
        }
        message = attributes.get("constraintMsg", "")
        itext = _ITEXT.search(message)
        choices, choices_file = _choices(node, self.texts, self.model)
        path = absolute[len(self.prefix) :] if absolute.startswith(self.prefix) else absolute
        return Question(
            name=path.rsplit("/", 1)[-1],
            path=path,
            kind=kind,
            label=_labels(label_from if label_from is not None else node, "label", self.texts),
            children=self.questions(node) if kind in ("group", "repeat") else (),
            choices=choices,
            hint=_labels(node, "hint", self.texts),
            data_type=attributes.get("type", ""),
            read_only=attributes.get("readonly", "") in _TRUE,
            required=attributes.get("required", "") in _TRUE,
            relevant=attributes.get("relevant", ""),
            constraint=attributes.get("constraint", ""),
            constraint_message=self.texts.labels(itext.group(1))
            if itext
            else self.texts.plain(message),
            choices_file=choices_file,
        )


def read_outline(xform: bytes) -> Outline:
    """Every question of the form, in body order."""
    root = parse_xml(xform)
    model = next((n for n in root.iter() if local_name(n.tag) == "model"), None)
    body = next((n for n in root if local_name(n.tag) == "body"), None)
    title = next((n for n in root.iter() if local_name(n.tag) == "title"), None)
    instance = _child(model, "instance") if model is not None else None
    data = list(instance) if instance is not None else []
    if model is None or body is None or not data:
        return Outline("", (), ())
    reader = _Reader(model, local_name(data[0].tag))
    return Outline(
        (title.text or "").strip() if title is not None else "",
        reader.texts.codes,
        reader.questions(body),
    )


def flatten(questions: tuple[Question, ...], depth: int = 0) -> list[tuple[int, Question]]:
    """(depth, question) in form order, for a page that lists them one under another."""
    rows: list[tuple[int, Question]] = []
    for question in questions:
        rows.append((depth, question))
        rows.extend(flatten(question.children, depth + 1))
    return rows
