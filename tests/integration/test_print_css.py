"""Guard: print CSS uses block layout only. No flex or grid in letters (nested ones take WeasyPrint 20 s+).

NFR PERF-5: "The CI guard fails on any nested flex or grid in print CSS." We go further and
allow none at all in templates/documents/**, in the HTML every letter actually renders to,
and in @media print rules or *print*.css of our own stylesheets (static/vendor is GOV.UK
Frontend's browser CSS, never given to WeasyPrint).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import tinycss2
from flask import Flask

from portal.config import ROOT
from portal.documents.letters import LETTERS
from portal.domain.routing import ComplainantCategory, ServiceArea
from portal.extensions import db
from portal.services import documents
from portal.services.cases import SYSTEM, NewCase, record_case
from portal.services.rules import rules

DOCUMENT_TEMPLATES = ROOT / "templates" / "documents"
LAYOUT = re.compile(r"^(inline-)?(flex|grid)$")
GRID_PROPERTIES = re.compile(r"^grid(-template.*|-area|-column.*|-row.*)?$")


def _declarations(tokens: list[tinycss2.ast.Node]) -> list[str]:
    found = []
    for decl in tinycss2.parse_blocks_contents(tokens, skip_whitespace=True, skip_comments=True):
        if isinstance(decl, tinycss2.ast.Declaration):
            value = tinycss2.serialize(decl.value).strip().lower()
            name = decl.lower_name
            if (name == "display" and LAYOUT.match(value)) or GRID_PROPERTIES.match(name):
                found.append(f"{name}: {value}")
        elif isinstance(decl, tinycss2.ast.QualifiedRule):  # CSS nesting
            found += _declarations(decl.content)
    return found


def flex_or_grid(css: str, *, print_only: bool = False) -> list[str]:
    """Every flex or grid declaration in a stylesheet; with print_only, those inside @media print."""
    found = []
    for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
        if isinstance(rule, tinycss2.ast.QualifiedRule) and not print_only:
            found += _declarations(rule.content)
        elif isinstance(rule, tinycss2.ast.AtRule) and rule.content is not None:
            inner = tinycss2.serialize(rule.content)
            if rule.lower_at_keyword == "media" and "print" in tinycss2.serialize(rule.prelude).lower():
                found += flex_or_grid(inner)
            elif rule.lower_at_keyword in ("media", "supports", "layer", "container"):
                found += flex_or_grid(inner, print_only=print_only)
            elif not print_only:  # @page and its margin boxes
                found += _declarations(rule.content)
    return found


def styles_in_html(html: str) -> list[str]:
    """CSS of <style> elements and style attributes."""
    blocks = re.findall(r"<style[^>]*>(.*?)</style>", html, re.S | re.I)
    attributes = re.findall(r"\sstyle\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", html, re.I)
    return blocks + [f"x {{ {a or b} }}" for a, b in attributes]


def _without_jinja(source: str) -> str:
    source = re.sub(r"\{#.*?#\}", "", source, flags=re.S)
    source = re.sub(r"\{%.*?%\}", "", source, flags=re.S)
    return re.sub(r"\{\{.*?\}\}", "1", source, flags=re.S)


def test_the_guard_finds_flex_and_grid_nested_or_not() -> None:
    nested = ".a { display: flex } .a .b { display: inline-grid; grid-template-columns: 1fr 1fr }"
    assert flex_or_grid(nested) == ["display: flex", "display: inline-grid", "grid-template-columns: 1fr 1fr"]
    assert flex_or_grid("@media print { .x { display: inline-flex } }", print_only=True) == [
        "display: inline-flex"
    ]
    assert flex_or_grid("@media screen { .x { display: flex } }", print_only=True) == []
    assert flex_or_grid("@supports (x: y) { @media print { .x { display: grid } } }", print_only=True) == [
        "display: grid"
    ]
    assert flex_or_grid(".x { display: flex }", print_only=True) == []  # screen CSS of a web page
    assert flex_or_grid("@page { @bottom-right { content: 'x' } } p { display: block }") == []
    assert flex_or_grid(".a { .b { display: grid } }") == ["display: grid"]
    html = '<style>p{display:block}</style><div style="display: flex">x</div>'
    assert [found for css in styles_in_html(html) for found in flex_or_grid(css)] == ["display: flex"]


def _document_templates() -> list[Path]:
    return sorted(DOCUMENT_TEMPLATES.rglob("*.html"))


def test_there_are_document_templates_to_guard() -> None:
    names = {p.relative_to(DOCUMENT_TEMPLATES).as_posix() for p in _document_templates()}
    assert {"_base.html", "receipt.html", "stage-response.html", "easy/stage-response.html"} <= names


@pytest.mark.parametrize(
    "path", _document_templates(), ids=lambda p: p.relative_to(DOCUMENT_TEMPLATES).as_posix()
)
def test_no_document_template_uses_flex_or_grid(path: Path) -> None:
    source = _without_jinja(path.read_text(encoding="utf-8"))
    found = [f for css in styles_in_html(source) for f in flex_or_grid(css)]
    assert not found, f"{path.name}: {found} (print CSS must be block layout)"


@pytest.mark.parametrize(
    "path", _document_templates(), ids=lambda p: p.relative_to(DOCUMENT_TEMPLATES).as_posix()
)
def test_document_templates_only_build_on_document_templates(path: Path) -> None:
    # A letter that extended a web layout would bring its (flex) CSS into the PDF.
    source = path.read_text(encoding="utf-8")
    for name in re.findall(r"\{%-?\s*(?:extends|include|import|from)\s+[\"']([^\"']+)[\"']", source):
        assert name.startswith("documents/"), f"{path.name} uses {name}"


def test_our_print_stylesheets_have_no_flex_or_grid() -> None:
    for css_path in sorted((ROOT / "static" / "css").rglob("*.css")):
        css = css_path.read_text(encoding="utf-8")
        found = flex_or_grid(css, print_only="print" not in css_path.name)
        assert not found, f"{css_path.name}: print rules use {found}"


def test_every_letter_as_rendered_has_no_flex_or_grid(app: Flask) -> None:
    given = {
        "rows": [{"key": {"text": "What happened"}, "value": {"text": "Nobody visited."}}],
        "reason": "We are waiting for a report.",
        "new_due": date(2026, 12, 1),
        "panel_date": date(2026, 12, 10),
        "panel_time": "10am",
        "panel_venue": "County Hall",
    }
    with app.app_context(), db.transaction() as s:
        new = NewCase(
            "complaint",
            ComplainantCategory.PARENT,
            ServiceArea.CHILDREN_IN_CARE,
            "Nobody visited.",
            date(2026, 10, 5),
            "Jo Smith",
        )
        case = record_case(s, new, SYSTEM, rules())
        s.flush()
        for letter_id, item in LETTERS.items():
            for easy in (False, True):
                html = documents.preview_html(
                    case, letter_id, given, staff_body="Our findings." if item.staff_body else None, easy=easy
                )
                found = [f for css in styles_in_html(html) for f in flex_or_grid(css)]
                assert not found, f"{letter_id} (easy read: {easy}): {found}"
                assert "<style" in html  # the guard looked at real CSS
