"""Reading a page the way a person does: its tables cell by cell and its label/value pairs
(`<dt>`/`<dd>`), with entities decoded, so tests assert on content rather than on markup."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

CELLS = ("td", "th")
PAIRS = ("dt", "dd")


@dataclass
class Page:
    tables: list[list[list[str]]] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.text: list[str] | None = None
        self.term = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.page.tables.append([])
        elif tag == "tr" and self.page.tables:
            self.page.tables[-1].append([])
        elif tag in CELLS + PAIRS:
            self.text = []
        elif tag == "a":
            self.page.links.extend(value or "" for name, value in attrs if name == "href")

    def handle_endtag(self, tag: str) -> None:
        if self.text is None or tag not in CELLS + PAIRS:
            return
        content = " ".join("".join(self.text).split())
        self.text = None
        if tag in CELLS and self.page.tables and self.page.tables[-1]:
            self.page.tables[-1][-1].append(content)
        elif tag == "dt":
            self.term = content
        elif tag == "dd":
            self.page.pairs.append((self.term, content))

    def handle_data(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)


def read_page(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.page
