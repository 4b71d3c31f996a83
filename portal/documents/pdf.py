"""HTML -> tagged, accessible PDF (PDF/UA-1) with the page size, font size and paper colour asked for."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template

# Paper colours people ask for, with a text colour that keeps contrast on each.
PAPER = {
    "white": "#ffffff",
    "cream": "#fff8dc",
    "yellow": "#ffff99",
    "blue": "#cfe8ff",
    "pink": "#ffd9e6",
    "green": "#d9f2d9",
    "grey": "#e6e6e6",
}


@dataclass(frozen=True)
class Format:
    """How a document should look: font size in points and paper colour."""

    font_pt: int = 12
    paper: str = "white"

    @property
    def paper_hex(self) -> str:
        return PAPER.get(self.paper, PAPER["white"])


STANDARD = Format()


def render_pdf(template: str, title: str, lang: str, fmt: Format = STANDARD, **context: object) -> bytes:
    from weasyprint import HTML

    html = render_template(template, title=title, lang=lang, fmt=fmt, **context)
    document = HTML(string=html)
    pdf: bytes = document.write_pdf(pdf_variant="pdf/ua-1")
    return pdf
