"""One function per format: tagged PDF, large print, coloured paper, easy read, braille, text, HTML, audio.

Every format comes from the same Jinja template (easy read from its simplified twin in
templates/documents/easy/): the HTML is rendered once per look and printed by WeasyPrint as
PDF/UA-1; text, braille and audio are made from the blocks (headings, paragraphs, list
items) of the standard HTML, so they say exactly what the printed letter says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.config import ROOT
from portal.documents import audio, braille
from portal.documents.letters import Letter
from portal.documents.pdf import PAPER

FORMATS = ("pdf", "large_print", "coloured", "easy_read", "braille", "text", "html", "audio")
FORMAT_NAMES = {
    "pdf": _l("Accessible PDF"),
    "large_print": _l("Large print PDF"),
    "coloured": _l("PDF on coloured paper"),
    "easy_read": _l("Easy read PDF"),
    "braille": _l("Braille file for an embosser (BRF)"),
    "text": _l("Plain text"),
    "html": _l("Web page for screen readers (HTML)"),
    "audio": _l("Audio (MP3)"),
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "braille": "application/x-brf",
    "text": "text/plain; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "audio": "audio/mpeg",
}
EXTENSIONS = {"pdf": ".pdf", "braille": ".brf", "text": ".txt", "html": ".html", "audio": ".mp3"}
PDF_FORMATS = frozenset({"pdf", "large_print", "coloured", "easy_read"})
INK, LIGHT_INK = "#0b0c0c", "#ffffff"
LARGE_PRINT = range(16, 49)  # the sizes people may ask for, in points
EASY_READ_PT = 16  # easy read guidance: at least 14 point; larger if they also need large print
# Paper names people use that CSS does not have (CSS names such as "lavender" also work).
MORE_PAPER = {"lilac": "#e6dcf2", "buff": "#f0dcb4", "peach": "#ffe5cc", "ivory": "#fffff0"}


class FormatError(ValueError):
    """A format need the portal cannot meet as recorded (message fit for staff)."""


def content_type(fmt: str) -> str:
    return CONTENT_TYPES["pdf" if fmt in PDF_FORMATS else fmt]


def extension(fmt: str) -> str:
    return EXTENSIONS["pdf" if fmt in PDF_FORMATS else fmt]


def paper_hex(name: str) -> str:
    """The page colour asked for: our paper names, common paper names, CSS colour names or #hex."""
    import tinycss2.color3  # WeasyPrint's CSS parser

    key = name.strip().lower()
    if key in PAPER or key in MORE_PAPER:
        return PAPER.get(key) or MORE_PAPER[key]
    rgba = tinycss2.color3.parse_color(key)
    if rgba is None or isinstance(rgba, str) or rgba.alpha != 1:
        raise FormatError(f"The paper colour {name!r} is not known: record a colour name or a #RRGGBB code.")
    return "#" + "".join(f"{round(c * 255):02x}" for c in (rgba.red, rgba.green, rgba.blue))


def _luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@dataclass(frozen=True)
class Look:
    """How a printed format looks (the `fmt` of the templates): size, paper and an ink that keeps contrast."""

    font_pt: int = 12
    paper: str = "white"
    paper_hex: str = "#ffffff"
    ink_hex: str = INK


STANDARD = Look()


def look(font_pt: int = 12, paper: str = "white") -> Look:
    background = paper_hex(paper)
    ink = INK if contrast(background, INK) >= contrast(background, LIGHT_INK) else LIGHT_INK
    return Look(font_pt, paper, background, ink)


@dataclass(frozen=True)
class Target:
    """One file to make: a format, the language it is in, and for print its look."""

    format: str
    language: str
    look: Look = STANDARD


def _print_size(needs: Mapping[str, Any]) -> int:
    size = int(needs.get("large_print_size") or 24)
    return min(max(size, LARGE_PRINT.start), LARGE_PRINT.stop - 1)


def targets(needs: Mapping[str, Any], lang: str) -> list[Target]:
    """Every file a letter needs for this person, from their recorded formats.

    Large print and coloured paper compose: large print is printed on their paper, and a
    separate standard-size coloured copy is made only when they did not ask for large print.
    Braille and audio fall back to English where there is no table or voice for the language;
    a letter in another language also keeps an English PDF and HTML copy on the case.
    """
    wanted = set(needs.get("formats") or [])
    paper = str(needs.get("paper_colour") or "cream") if "coloured_paper" in wanted else "white"
    size = _print_size(needs) if "large_print" in wanted else 12
    found: list[Target] = [Target("pdf", lang), Target("html", lang)]
    if "e_version" in wanted:
        found.append(Target("text", lang))
    if "large_print" in wanted:
        found.append(Target("large_print", lang, look(size, paper)))
    elif paper != "white":
        found.append(Target("coloured", lang, look(12, paper)))
    if "easy_read" in wanted:
        found.append(Target("easy_read", lang, look(max(size, EASY_READ_PT), paper)))
    if "braille" in wanted:
        found.append(Target("braille", braille.table_for(lang)[1]))
    if "audio" in wanted:
        found.append(Target("audio", audio.voice_for(lang)[1]))
    if lang != "en":
        found += [Target("pdf", "en"), Target("html", "en")]
    return found


def describe(target: Target) -> str:
    """For the chronology: "large_print (32 pt, yellow paper)"."""
    extra = []
    if target.look.font_pt != STANDARD.font_pt:
        extra.append(f"{target.look.font_pt} pt")
    if target.look.paper != "white":
        extra.append(f"{target.look.paper} paper")
    if target.language != "en":
        extra.append(target.language)
    return f"{target.format} ({', '.join(extra)})" if extra else target.format


# --- rendering --------------------------------------------------------------------------------


def render_html(template: str, context: Mapping[str, Any], fmt: Look = STANDARD) -> str:
    """The letter as HTML. Rendered straight from the app's Jinja environment (no request needed)."""
    return current_app.jinja_env.get_template(template).render({**context, "fmt": fmt})


def pdf(html: str) -> bytes:
    """Tagged PDF/UA-1: structure tags (real headings), title from <title>, /Lang from <html lang>."""
    from weasyprint import HTML  # imported on first use: it takes half a second

    result: bytes = HTML(string=html, base_url=str(ROOT)).write_pdf(pdf_variant="pdf/ua-1")
    return result


def large_print(letter: Letter, context: Mapping[str, Any], fmt: Look) -> bytes:
    """Reflowed at the person's size (16-48 pt) on A4, not a zoomed copy; on their paper if they asked."""
    if fmt.font_pt not in LARGE_PRINT:
        raise FormatError(f"Large print is {LARGE_PRINT.start} to {LARGE_PRINT.stop - 1} point.")
    return pdf(render_html(letter.template, context, fmt))


def coloured(letter: Letter, context: Mapping[str, Any], fmt: Look) -> bytes:
    """Standard size on the page colour asked for; the ink keeps contrast."""
    return pdf(render_html(letter.template, context, fmt))


def easy_read(letter: Letter, context: Mapping[str, Any], fmt: Look) -> bytes:
    """The simplified twin template: short sentences, one idea to a line, at least 16 point."""
    return pdf(
        render_html(letter.easy_template, context, replace(fmt, font_pt=max(fmt.font_pt, EASY_READ_PT)))
    )


def html(standard: str) -> bytes:
    """The e-version: the standard letter's own accessible HTML (headings, lang, title) for screen readers."""
    return standard.encode("utf-8")


class _Blocks(HTMLParser):
    LEVELS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "p": 0, "dt": 0, "dd": 0, "li": -1}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[braille.Block] = []
        self._level: int | None = None
        self._parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self._hidden += 1
        elif tag in self.LEVELS:
            self._flush()
            self._level = self.LEVELS[tag]
        elif tag == "br":
            self._parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._hidden -= 1
        elif tag in self.LEVELS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._hidden and self._level is not None:
            self._parts.append(data)

    def _flush(self) -> None:
        lines = (" ".join(line.split()) for line in "".join(self._parts).split("\n"))
        text = "\n".join(line for line in lines if line)
        if text and self._level is not None:
            self.blocks.append(braille.Block(text, self._level))
        self._parts, self._level = [], None


def blocks(html_text: str) -> list[braille.Block]:
    """Headings, paragraphs and list items of a letter, in reading order."""
    parser = _Blocks()
    parser.feed(html_text)
    parser.close()
    return parser.blocks


def text(html_text: str) -> bytes:
    """Plain text for screen readers and email: blank lines between blocks, list items marked."""
    out: list[str] = []
    for block in blocks(html_text):
        line = f"- {block.text}" if block.level == -1 else block.text
        if out and not (block.level == -1 and out[-1].startswith("- ")):
            out.append("")
        out.append(line)
    return ("\n".join(out) + "\n").encode("utf-8")


def spoken(html_text: str) -> str:
    """What the audio reads: each block its own paragraph, headings ended so the voice pauses."""
    parts = []
    for block in blocks(html_text):
        said = block.text.replace("\n", ", ")
        parts.append(said if said[-1] in ".,:;?!" else said + ".")
    return "\n\n".join(parts)


def brf(html_text: str, lang: str) -> bytes:
    """UEB grade 2 BRF, 40 cells by 25 lines, CRLF, form feeds: ASCII only."""
    result, _ = braille.document(blocks(html_text), lang)
    return result.encode("ascii")


def mp3(html_text: str, lang: str) -> audio.Audio:
    return audio.synthesise(spoken(html_text), lang)


@dataclass(frozen=True)
class Output:
    target: Target
    content: bytes
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return content_type(self.target.format)

    @property
    def extension(self) -> str:
        return extension(self.target.format)


def render(letter: Letter, context: Mapping[str, Any], wanted: Sequence[Target]) -> list[Output]:
    """Make the files of one language (the caller sets the locale). Audio is spoken in a
    background thread while the PDFs print, so it adds little to the time taken."""
    standard = render_html(letter.template, context)
    outputs: dict[Target, Output] = {}
    with ThreadPoolExecutor(max_workers=1) as pool:
        speech: dict[Target, Future[audio.Audio]] = {
            t: pool.submit(mp3, standard, t.language) for t in wanted if t.format == "audio"
        }
        for target in wanted:
            if target.format != "audio":
                outputs[target] = Output(target, _one(letter, context, standard, target))
        for target, future in speech.items():
            spoken_audio = future.result()
            outputs[target] = Output(target, spoken_audio.mp3, {"seconds": round(spoken_audio.seconds, 1)})
    return [outputs[t] for t in wanted]


def _one(letter: Letter, context: Mapping[str, Any], standard: str, target: Target) -> bytes:
    makers = {
        "pdf": lambda: pdf(standard),
        "html": lambda: html(standard),
        "text": lambda: text(standard),
        "large_print": lambda: large_print(letter, context, target.look),
        "coloured": lambda: coloured(letter, context, target.look),
        "easy_read": lambda: easy_read(letter, context, target.look),
        "braille": lambda: brf(standard, target.language),
    }
    if target.format not in makers:
        raise FormatError(f"Unknown format {target.format!r}.")
    return makers[target.format]()
