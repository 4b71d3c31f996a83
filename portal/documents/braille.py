"""Braille Ready Format (.brf): Unified English Braille grade 2 via liblouis, laid out for embossers.

liblouis's Python binding is Debian's python3-louis (not on PyPI: PyPI's `louis` is an
unrelated stub). Only its one module file is loaded, so the rest of the system's
dist-packages never shadows the virtualenv. BRF is North American ASCII braille: 40 cells
by 25 lines, CRLF line ends and a form feed between pages (TOOLING.md section 5).
"""

from __future__ import annotations

import importlib.util
import os
import re
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from types import ModuleType

WIDTH = 40
LINES = 25
DISPLAY = "en-us-brf.dis"
# UK braille is UEB since 2013 (UKAAF); en-GB-g2.ctb is the old British code.
TABLES = {"en": "en-ueb-g2.ctb"}
LOUIS_MODULE = os.environ.get("PORTAL_LOUIS_MODULE", "/usr/lib/python3/dist-packages/louis/__init__.py")
# Typographic characters UEB readers do not need, and that would not round-trip cleanly.
_PLAIN = str.maketrans(
    {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "—", "\u00a0": " ", "·": "|", "…": "..."}
)
_ESCAPE = re.compile(r"\\X", re.IGNORECASE)


class BrailleUnavailable(RuntimeError):
    """liblouis (Debian liblouis20 + python3-louis) is not installed."""


@dataclass(frozen=True)
class Block:
    """A piece of the letter: a heading (level 1-6), a paragraph (0) or a list item (-1)."""

    text: str
    level: int = 0


@cache
def louis() -> ModuleType:
    if not os.path.isfile(LOUIS_MODULE):
        raise BrailleUnavailable(f"liblouis Python module not found at {LOUIS_MODULE} (apt: python3-louis)")
    spec = importlib.util.spec_from_file_location("louis", LOUIS_MODULE)
    if spec is None or spec.loader is None:
        raise BrailleUnavailable(f"cannot load {LOUIS_MODULE}")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except OSError as error:  # liblouis.so missing
        raise BrailleUnavailable(str(error)) from error
    return module


def table_for(lang: str) -> tuple[str, str]:
    """(liblouis table list, language actually used): English UEB where no table is set up."""
    code = lang if lang in TABLES else "en"
    return f"{DISPLAY},{TABLES[code]}", code


@cache
def _plain_char(char: str, tables: str) -> str:
    """The character itself if liblouis knows it, else its unaccented letter (or nothing)."""
    cells = louis().translateString(tables.split(","), char)
    if not _ESCAPE.search(cells):
        return char
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if base.isascii() else ""


def prepare(text: str, tables: str = table_for("en")[0]) -> str:
    """Text as it goes to liblouis: plain punctuation, no web scheme, characters it can show."""
    text = text.translate(_PLAIN).replace("https://", "").replace("http://", "")
    return "".join(c if c.isascii() else _plain_char(c, tables) for c in text)


def translate(text: str, tables: str = table_for("en")[0]) -> str:
    """One line of print to one line of ASCII braille (liblouis drops newlines)."""
    result: str = louis().translateString(tables.split(","), prepare(text, tables))
    return result


def back_translate(cells: str, tables: str = table_for("en")[0]) -> str:
    result: str = louis().backTranslateString(tables.split(","), cells)
    return result


def wrap(cells: str, width: int = WIDTH, indent: int = 0, runover: int = 0) -> list[str]:
    """Break braille at spaces only: `-` is a braille cell, and a long word is split at the margin."""
    return textwrap.wrap(
        cells,
        width=width,
        initial_indent=" " * indent,
        subsequent_indent=" " * runover,
        break_on_hyphens=False,
        break_long_words=True,
    ) or [""]


def layout(blocks: Iterable[tuple[Block, str]], width: int = WIDTH) -> list[str]:
    """Lines for translated blocks: a blank line between blocks, main heading centred, list runovers in 2."""
    lines: list[str] = []
    for block, cells in blocks:
        if lines:
            lines.append("")
        for part in cells.split("\n"):
            if block.level == 1:
                lines.extend(line.center(width).rstrip() for line in wrap(part, width))
            else:
                lines.extend(wrap(part, width, runover=2 if block.level == -1 else 0))
    return lines


def page_number(number: int, width: int = WIDTH) -> str:
    """The braille page number at the right margin (BANA: last line of the page).

    UEB numbers: the numeric indicator (#) then the letters a-j for the digits 1-9, 0.
    """
    return ("#" + "".join("JABCDEFGHI"[int(d)] for d in str(number))).rjust(width)


def paginate(lines: Sequence[str], length: int = LINES, width: int = WIDTH) -> list[list[str]]:
    """Pages of `length` lines: text on the first length-1, the page number on the last.

    Blocks are separated by one blank line, also across a page break, so where a paragraph
    ends is never lost (BRF has no other markup).
    """
    body = length - 1
    pages: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        # A blank line at the top of a page is kept: it says a new block starts there.
        current.append(line)
        if len(current) == body:
            pages.append(current)
            current = []
    if current or not pages:
        pages.append(current)
    return [page + [""] * (body - len(page)) + [page_number(n, width)] for n, page in enumerate(pages, 1)]


def to_brf(pages: Sequence[Sequence[str]]) -> str:
    """CRLF after every line, a form feed between pages."""
    return "\f".join("".join(line + "\r\n" for line in page) for page in pages)


def pages_of(brf: str) -> list[list[str]]:
    return [page.split("\r\n")[:-1] for page in brf.split("\f")]


def blocks_of(brf: str) -> list[str]:
    """The braille of each block again: page numbers dropped, runovers joined (inverse of layout)."""
    lines = [line for page in pages_of(brf) for line in page[:-1]]
    blocks: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(" ".join(current))
            current = []
    return blocks


def document(blocks: Sequence[Block], lang: str = "en") -> tuple[str, str]:
    """(BRF text, language of the braille) for the blocks of a letter."""
    tables, used = table_for(lang)
    translated = [(b, "\n".join(translate(part, tables) for part in b.text.split("\n"))) for b in blocks]
    return to_brf(paginate(layout(translated))), used


def read_back(brf: str, lang: str = "en") -> list[str]:
    """Each block back in print (for checks and previews)."""
    tables, _ = table_for(lang)
    return [back_translate(cells, tables) for cells in blocks_of(brf)]
