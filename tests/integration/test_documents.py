"""Letters in every format a person needs, checked on the real files: poppler, liblouis, lame, espeak-ng."""

from __future__ import annotations

import hashlib
import re
import shutil
import statistics
import subprocess
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask_babel import force_locale, gettext
from sqlalchemy import select

from portal import create_app
from portal.config import TestConfig
from portal.documents import audio, braille, formats
from portal.documents.letters import LETTERS, LetterError
from portal.domain.lifecycle import Role
from portal.domain.routing import ComplainantCategory, ServiceArea
from portal.extensions import babel, db
from portal.models import Case, CaseEvent, Document
from portal.services import documents
from portal.services.cases import Actor, NewCase, extend_deadline, record_case
from portal.services.rules import rules
from tests.conftest import require
from tests.journey import complete, emailed_tracking_link, page, post, send

TOOLS = ("pdftotext", "pdfinfo", "pdffonts", "pdftoppm", "espeak-ng", "lame")
ALL_NEEDS = {
    "formats": ["large_print", "coloured_paper", "easy_read", "braille", "e_version", "audio"],
    "large_print_size": 32,
    "paper_colour": "yellow",
}
# About two A4 pages at 12 point with the frame: what a real stage 1 response looks like.
BODY = "\n\n".join(
    [
        "We looked at what happened with the visits to Sam. Sam's social worker left in July and "
        "the visits were not arranged again until October. That should not have happened, and we are sorry.",
        "We have spoken to the team manager. Every child in care now has a named second worker who "
        "arranges visits when the social worker is away.",
        "You asked for an apology and a plan. This letter is our apology. The plan for Sam was agreed "
        "at the review on 12 November and a copy is enclosed.",
        "We also found that your phone calls in August were not returned. The duty team now keeps a "
        "log of every call, and a manager checks it each week.",
    ]
    * 2
)
STAFF = Actor("staff", Role.OFFICER, id=None, name="Officer")


def _tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        require(f"not installed: {', '.join(missing)} (make install: APT_RUN)")
    try:
        braille.louis()
    except braille.BrailleUnavailable as error:
        require(str(error))


# --- reading real output ----------------------------------------------------------------------


def run(*argv: str | Path) -> str:
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, check=True).stdout


def pdf_text(path: Path) -> str:
    """The words of a PDF in reading order, page footers removed."""
    return " ".join(re.sub(r"Page \d+ of \d+", " ", run("pdftotext", path, "-")).split())


def pdf_info(path: Path) -> dict[str, str]:
    return dict(
        (k.strip(), v.strip()) for k, v in (line.split(":", 1) for line in run("pdfinfo", path).splitlines())
    )


def pdf_lang(path: Path) -> str:
    """/Lang of the document catalogue (WeasyPrint puts it in a compressed object stream)."""
    data = path.read_bytes()
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            inflated = zlib.decompress(match.group(1))
        except zlib.error:
            continue
        found = re.search(rb"/Lang ?\(([^)]*)\)", inflated)
        if found:
            return found.group(1).decode()
    return ""


def word_heights(path: Path, page: int = 1) -> list[float]:
    """Height in points of each word's box on a page (proportional to its font size)."""
    bbox = run("pdftotext", "-bbox", "-f", str(page), "-l", str(page), path, "-")
    boxes = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">', bbox)
    return [float(y2) - float(y1) for _, y1, _, y2 in boxes]


def word_right_edges(path: Path) -> list[float]:
    bbox = run("pdftotext", "-bbox", path, "-")
    return [float(x) for x in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"', bbox)]


def pixels(path: Path, page: int = 1) -> tuple[int, int, bytes]:
    """(width, height, RGB bytes) of a page drawn by pdftoppm at 20 dpi (PPM)."""
    raw = subprocess.run(
        ["pdftoppm", "-r", "20", "-f", str(page), "-l", str(page), str(path)], capture_output=True, check=True
    ).stdout
    magic, width, height, maxval, data = raw.split(maxsplit=4)
    assert magic == b"P6" and maxval == b"255"
    return int(width), int(height), data


def words(text: str) -> list[str]:
    return re.findall(r"[\w']+", text.lower().replace("’", "'"))  # liblouis reads back ' as ’


def contains_in_order(haystack: str, needle: str) -> bool:
    return " ".join(needle.split()) in haystack


# --- making cases -----------------------------------------------------------------------------


def make_case(needs: dict[str, Any] | None = None, language: str = "en", **person: Any) -> Case:
    """A statutory complaint received on Monday 5 October 2026 (caller commits)."""
    new = NewCase(
        "complaint",
        ComplainantCategory.PARENT,
        ServiceArea.CHILDREN_IN_CARE,
        "Nobody visited for 3 months.",
        date(2026, 10, 5),
        "Jo Smith",
        "jo@example.com",
    )
    case = record_case(db.session, new, STAFF, rules())
    assert case.complainant is not None
    case.complainant.needs = needs or {"formats": []}
    case.complainant.preferred_language = language
    case.complainant.address = "1 High Street\nNorthtown\nNT1 2BB"
    for key, value in person.items():
        setattr(case.complainant, key, value)
    db.session.flush()
    return case


def app_for(database_url: str, folder: Path, **overrides: Any) -> Flask:
    return create_app(TestConfig(database_url, DOCUMENT_DIR=str(folder), **overrides))


def _documents_in(app: Flask, tmp_path: Path) -> Path:
    folder = tmp_path / "documents"
    app.config["DOCUMENT_DIR"] = str(folder)
    return folder


@dataclass
class Produced:
    app: Flask
    case_id: int
    files: dict[str, Path]
    documents: list[Document]
    event: CaseEvent
    seconds: float


@pytest.fixture(scope="module")
def full(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Produced]:
    """One stage 1 response produced in every format (32 pt on yellow paper), on SQLite."""
    _tools()
    folder = tmp_path_factory.mktemp("full")
    shutil.copyfile(sqlite_template, folder / "db.sqlite3")
    app = app_for(f"sqlite:///{folder / 'db.sqlite3'}", folder / "documents")
    with app.app_context():
        case = make_case(all_needs())
        started = time.perf_counter()
        made = documents.produce(db.session, case, "stage1_response", staff_body=BODY, on=date(2026, 10, 16))
        seconds = time.perf_counter() - started
        db.session.commit()
        event = db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "letter_produced")).one()
        files = {d.format: documents.path_of(d) for d in made}
        produced = Produced(app, case.id, files, made, event, seconds)
        db.session.commit()  # end the read: SQLite transactions here take the write lock
    yield produced
    app.extensions["portal.db"].engine.dispose()


def all_needs() -> dict[str, Any]:
    """A fresh copy for each case (needs is a JSON column: never share the dict)."""
    return {**ALL_NEEDS, "formats": list(ALL_NEEDS["formats"])}


# --- every format, on real output -------------------------------------------------------------


def test_one_document_per_needed_format_tied_together_and_on_the_chronology(full: Produced) -> None:
    made = full.documents
    assert [d.format for d in made] == ["pdf", "html", "text", "large_print", "easy_read", "braille", "audio"]
    assert {d.language for d in made} == {"en"} and len({d.letter_group for d in made}) == 1
    assert {d.letter for d in made} == {"stage1_response"}
    for document in made:
        path = full.files[document.format]
        assert path.parent == Path(full.app.config["DOCUMENT_DIR"])
        assert re.fullmatch(r"[0-9a-f]{32}\.(pdf|html|txt|brf|mp3)", document.stored_name)
        assert path.stat().st_size == document.size
        assert document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert document.content_type == formats.content_type(document.format)
    data = full.event.data
    assert data["letter"] == "stage1_response" and data["letter_group"] == made[0].letter_group
    assert data["documents"] == [d.id for d in made]
    assert "large_print (32 pt, yellow paper)" in data["formats"] and "braille" in data["formats"]
    assert "Our stage 1 response to your complaint" in full.event.summary
    print(f"\nproduce, all 7 formats of a 2-page letter: {full.seconds:.2f} s (includes WeasyPrint import)")


def test_accessible_pdf_is_tagged_titled_in_english_with_an_open_font_and_the_body(full: Produced) -> None:
    path = full.files["pdf"]
    text = pdf_text(path)
    for paragraph in BODY.split("\n\n"):
        assert contains_in_order(text, paragraph)
    assert "Please ask by 13 November 2026." in text  # 20 working days after 16 October
    info = pdf_info(path)
    assert info["Tagged"] == "yes" and info["Pages"] == "2"
    assert info["Title"].startswith("Our stage 1 response to your complaint, CC-")
    assert info["Page size"].startswith("595.276 x 841.89")  # A4
    assert pdf_lang(path) == "en"
    fonts = run("pdffonts", path)
    assert "Liberation-Sans" in fonts and all(
        line.split()[-5:-3] == ["yes", "yes"] for line in fonts.splitlines()[2:]
    )  # embedded and subset
    structure = run("pdfinfo", "-struct", path)
    assert re.search(r"^\s*H1\b", structure, re.M) and len(re.findall(r"^\s*H2\b", structure, re.M)) >= 3
    assert re.search(r"^\s*P\b", structure, re.M)


def test_large_print_is_reflowed_at_the_size_asked_for(full: Produced) -> None:
    standard, large = full.files["pdf"], full.files["large_print"]
    text = pdf_text(large)
    for paragraph in BODY.split("\n\n"):
        assert contains_in_order(text, paragraph)
    ratio = statistics.median(word_heights(large, 2)) / statistics.median(word_heights(standard, 1))
    assert abs(ratio - 32 / 12) < 0.1, ratio
    info = pdf_info(large)
    # Reflowed, not zoomed: still A4, many more pages, every word inside the page.
    assert info["Page size"].startswith("595.276 x 841.89") and int(info["Pages"]) >= 6
    assert max(word_right_edges(large)) <= 595.3 - 20 / 25.4 * 72 + 1
    assert info["Tagged"] == "yes" and pdf_lang(large) == "en"


def _corner_and_darkest(path: Path) -> tuple[tuple[int, ...], int]:
    width, _, data = pixels(path)
    corner = tuple(data[0:3])
    darkest = min(sum(data[i : i + 3]) for i in range(0, len(data), 3)) // 3
    return corner, darkest


def test_large_print_is_on_the_paper_colour_asked_for_with_dark_text(full: Produced) -> None:
    corner, darkest = _corner_and_darkest(full.files["large_print"])
    assert corner == (255, 255, 153)  # yellow, to the edge of the sheet
    assert darkest < 40
    assert _corner_and_darkest(full.files["pdf"])[0] == (255, 255, 255)  # the standard copy stays white


def test_easy_read_is_the_simple_template_in_large_type_one_sentence_a_line(full: Produced) -> None:
    path = full.files["easy_read"]
    text = pdf_text(path)
    assert "Easy read" in text and "Our answer" in text and "What you can do next" in text
    assert contains_in_order(text, "That should not have happened, and we are sorry.")
    ratio = statistics.median(word_heights(path, 2)) / statistics.median(word_heights(full.files["pdf"], 1))
    assert abs(ratio - 32 / 12) < 0.1  # their large print size (never below 16 point)
    assert _corner_and_darkest(path)[0] == (255, 255, 153)
    lines = [line.strip() for line in run("pdftotext", "-layout", path, "-").splitlines() if line.strip()]
    assert max(len(line) for line in lines) < 45  # short lines


def test_text_and_html_e_versions(full: Produced) -> None:
    text = full.files["text"].read_text(encoding="utf-8")
    for paragraph in BODY.split("\n\n"):
        assert paragraph in text
    assert "Our stage 1 response to your complaint\n\nDear Jo Smith," in text
    soup = BeautifulSoup(full.files["html"].read_text(encoding="utf-8"), "html.parser")
    html_tag = soup.find("html")
    assert html_tag is not None and html_tag.get("lang") == "en"
    assert soup.title is not None and soup.title.get_text().startswith("Our stage 1 response")
    assert [h.get_text() for h in soup.find_all("h1")] == ["Our stage 1 response to your complaint"]
    assert [h.get_text() for h in soup.find_all("h2")][:2] == ["Our response", "What you can do next"]


def test_braille_is_brf_for_embossers_and_reads_back_to_the_same_words(full: Produced) -> None:
    raw = full.files["braille"].read_bytes()
    brf = raw.decode("ascii")
    assert all(32 <= ord(c) <= 95 for c in brf.replace("\r\n", "").replace("\f", ""))  # BRF: upper ASCII
    assert "\n" not in brf.replace("\r\n", "")  # CRLF only
    pages = braille.pages_of(brf)
    assert len(pages) >= 3 and brf.count("\f") == len(pages) - 1
    assert all(len(page) == 25 for page in pages)
    assert all(len(line) <= 40 for page in pages for line in page)
    assert max(len(line) for page in pages for line in page) == 40
    assert [page[-1].strip() for page in pages[:3]] == ["#A", "#B", "#C"]
    assert ",\\R RESPONSE" in brf  # "Our response" in UEB grade 2: contracted
    back = braille.read_back(brf)
    source = [
        braille.prepare(b.text).replace("\n", " ") for b in formats.blocks(full.files["html"].read_text())
    ]
    assert len(back) == len(source)
    different = [(s, b) for s, b in zip(source, back, strict=True) if words(s) != words(b)]
    # A token longer than a braille line (the council's email address) is divided at the margin
    # with no hyphen, as UEB does; it reads back whole once line breaks are ignored.
    too_long = [(s, b) for s, b in different if any(len(braille.translate(t)) > 40 for t in s.split())]
    assert different == too_long and len(too_long) <= 2, different[:3]
    assert all("".join(s.split()) == "".join(b.split()).replace("’", "'") for s, b in different)
    # Whitespace aside, the whole letter comes back character for character.
    assert "".join("".join(back).split()).replace("’", "'") == "".join("".join(source).split())


def test_audio_is_an_mp3_of_the_letter_at_speaking_length(full: Produced) -> None:
    mp3 = full.files["audio"].read_bytes()
    assert mp3[:3] == b"ID3" or (mp3[0] == 0xFF and mp3[1] & 0xE0 == 0xE0)  # MPEG frame sync
    seconds = audio.mp3_seconds(mp3)
    assert abs(seconds - full.event.data["audio_seconds"][0]) < 1.0
    spoken = formats.spoken(full.files["html"].read_text())
    expected = len(spoken.split()) / audio.RATE_WPM * 60
    assert 0.7 * expected < seconds < 1.5 * expected, (seconds, expected)
    assert len(mp3) < seconds * 32_000 / 8 * 1.1  # 32 kbit/s


def test_audio_speaks_the_persons_language_where_espeak_has_a_voice() -> None:
    _tools()
    assert audio.voice_for("en") == ("en-gb", "en")
    for lang in ("pl", "lt", "ro", "ar"):
        assert audio.voice_for(lang) == (lang, lang)
    assert audio.voice_for("zz") == ("en-gb", "en")
    polish = audio.synthesise("Dziękujemy za Pana skargę. Odpowiemy w ciągu dziesięciu dni roboczych.", "pl")
    assert polish.language == "pl" and polish.voice == "pl" and 2 < polish.seconds < 10
    assert audio.speakable("Reference CC-2026-000123.") == "Reference C C, 2026, 0 0 0 1 2 3."


def test_two_page_letter_renders_well_under_a_second(full: Produced) -> None:
    with full.app.app_context():
        case = db.session.get(Case, full.case_id)
        assert case is not None
        html = documents.preview_html(case, "stage1_response", staff_body=BODY)
        formats.pdf(html)  # warm: fonts loaded
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            pdf = formats.pdf(html)
            timings.append(time.perf_counter() - started)
        large = formats.look(48, "cream")
        started = time.perf_counter()
        big = formats.pdf(documents.preview_html(case, "stage1_response", staff_body=BODY, fmt=large))
        large_seconds = time.perf_counter() - started
        started = time.perf_counter()
        brf = braille.document(formats.blocks(html))[0]
        braille_seconds = time.perf_counter() - started
    assert pdf.startswith(b"%PDF")
    assert statistics.median(timings) < 0.5 and max(timings) < 1.0, timings
    assert large_seconds < 2.0 and braille_seconds < 0.5 and big and brf
    print(
        f"\n2-page PDF median {statistics.median(timings) * 1000:.0f} ms (max {max(timings) * 1000:.0f});"
        f" 48 pt large print {large_seconds * 1000:.0f} ms; braille {braille_seconds * 1000:.0f} ms"
    )


# --- composition of needs ---------------------------------------------------------------------


def test_targets_compose_large_print_and_paper_and_keep_an_english_copy() -> None:
    _tools()
    only_paper = formats.targets({"formats": ["coloured_paper"], "paper_colour": "pink"}, "en")
    assert [(t.format, t.look.font_pt, t.look.paper) for t in only_paper] == [
        ("pdf", 12, "white"),
        ("html", 12, "white"),
        ("coloured", 12, "pink"),
    ]
    both = formats.targets({**all_needs(), "large_print_size": 99}, "pl")
    assert [(t.format, t.language) for t in both] == [
        ("pdf", "pl"),
        ("html", "pl"),
        ("text", "pl"),
        ("large_print", "pl"),
        ("easy_read", "pl"),
        ("braille", "en"),  # no Polish braille table set up: English UEB
        ("audio", "pl"),
        ("pdf", "en"),
        ("html", "en"),
    ]
    assert both[3].look.font_pt == 48 and both[3].look.paper_hex == "#ffff99"  # 99 pt is capped at 48
    easy_only = formats.targets({"formats": ["easy_read"]}, "en")
    assert easy_only[-1].look == formats.Look(16, "white", "#ffffff", formats.INK)


@pytest.mark.parametrize(
    ("paper", "hex_colour", "ink"),
    [
        ("cream", "#fff8dc", formats.INK),
        ("Yellow", "#ffff99", formats.INK),
        ("blue", "#cfe8ff", formats.INK),
        ("pink", "#ffd9e6", formats.INK),
        ("green", "#d9f2d9", formats.INK),
        ("grey", "#e6e6e6", formats.INK),
        ("lilac", "#e6dcf2", formats.INK),
        ("lavender", "#e6e6fa", formats.INK),
        ("#FFE4B5", "#ffe4b5", formats.INK),
        ("navy", "#000080", formats.LIGHT_INK),
        ("black", "#000000", formats.LIGHT_INK),
    ],
)
def test_paper_colours_keep_text_contrast(paper: str, hex_colour: str, ink: str) -> None:
    chosen = formats.look(12, paper)
    assert (chosen.paper_hex, chosen.ink_hex) == (hex_colour, ink)
    assert formats.contrast(chosen.paper_hex, chosen.ink_hex) >= 7  # WCAG AAA for text


def test_unknown_paper_colour_is_refused_clearly() -> None:
    with pytest.raises(formats.FormatError, match="paper colour 'sunset glow' is not known"):
        formats.look(12, "sunset glow")


def test_coloured_paper_alone_is_standard_size_on_that_colour_and_dark_paper_gets_light_text(
    app: Flask, tmp_path: Path
) -> None:
    _tools()
    _documents_in(app, tmp_path)
    with app.app_context():
        cream = make_case({"formats": ["coloured_paper"], "paper_colour": "cream"})
        navy = make_case({"formats": ["coloured_paper"], "paper_colour": "navy"})
        made = {
            name: {
                d.format: documents.path_of(d) for d in documents.produce(db.session, case, "acknowledgement")
            }
            for name, case in (("cream", cream), ("navy", navy))
        }
        db.session.commit()
    assert set(made["cream"]) == {"pdf", "html", "coloured"}
    corner, darkest = _corner_and_darkest(made["cream"]["coloured"])
    assert corner == (255, 248, 220) and darkest < 40
    ratio = statistics.median(word_heights(made["cream"]["coloured"])) / statistics.median(
        word_heights(made["cream"]["pdf"])
    )
    assert abs(ratio - 1) < 0.05
    _, _, data = pixels(made["navy"]["coloured"])
    assert tuple(data[0:3]) == (0, 0, 128) and max(data) > 200  # white text on navy
    assert "We have received your complaint" in pdf_text(made["navy"]["coloured"])


def test_easy_read_alone_is_at_least_16_point_with_one_sentence_a_paragraph(
    app: Flask, tmp_path: Path
) -> None:
    _tools()
    _documents_in(app, tmp_path)
    with app.app_context():
        case = make_case({"formats": ["easy_read"]})
        made = {
            d.format: documents.path_of(d)
            for d in documents.produce(db.session, case, "stage1_response", staff_body=BODY)
        }
        easy_html = documents.preview_html(case, "stage1_response", staff_body=BODY, easy=True)
        db.session.commit()
    ratio = statistics.median(word_heights(made["easy_read"], 2)) / statistics.median(
        word_heights(made["pdf"])
    )
    assert abs(ratio - 16 / 12) < 0.07
    paragraphs = [p.get_text() for p in BeautifulSoup(easy_html, "html.parser").find_all("p")]
    assert "That should not have happened, and we are sorry." in paragraphs
    assert "We looked at what happened with the visits to Sam." in paragraphs
    assert max(len(re.findall(r"[.!?](\s|$)", p)) for p in paragraphs) <= 1  # one sentence each


# --- every letter ------------------------------------------------------------------------------

GIVEN: dict[str, dict[str, Any]] = {
    "receipt": {
        "rows": [{"key": {"text": "What happened"}, "value": {"text": "Nobody visited for 3 months."}}]
    },
    "extension_notice": {
        "reason": "We are waiting for a report from the school.",
        "new_due": date(2026, 11, 2),
    },
    "review_panel_invitation": {
        "panel_date": date(2027, 1, 14),
        "panel_time": "10am",
        "panel_venue": "Room 4, County Hall, Northtown",
    },
}
EXPECTED = {
    "receipt": ["What you sent us", "Nobody visited for 3 months."],
    "acknowledgement": ["We will reply by 19 October 2026.", "NYAS"],
    "extension_notice": [
        "We are waiting for a report from the school.",
        "We will now reply by 2 November 2026.",
    ],
    "stage1_response": ["Please ask by 13 November 2026.", "an investigation by someone independent"],
    "stage2_response": ["you can ask for stage 3: a review panel."],
    "stage3_response": ["This is the last stage of our complaints procedure.", "0300 061 0614"],
    "review_panel_invitation": [
        "14 January 2027 at 10am",
        "Room 4, County Hall, Northtown",
        "within 5 working days",
    ],
    "ombudsman_signposting": ["Local Government and Social Care Ombudsman", "within 12 months"],
    "compliment_thanks": ["Thank you for your compliment."],
}


@pytest.mark.parametrize("letter_id", list(LETTERS))
def test_every_letter_in_standard_large_print_and_easy_read(
    full: Produced, tmp_path: Path, letter_id: str
) -> None:
    item = LETTERS[letter_id]
    with full.app.app_context():
        case = make_case({"formats": ["large_print", "easy_read"], "large_print_size": 20})
        made = documents.produce(
            db.session,
            case,
            letter_id,
            GIVEN.get(letter_id, {}),
            staff_body="We have looked into your complaint. We uphold it." if item.staff_body else None,
            on=date(2026, 10, 16),
        )
        db.session.commit()
        paths = {d.format: documents.path_of(d) for d in made}
    assert set(paths) == {"pdf", "html", "large_print", "easy_read"}
    standard = pdf_text(paths["pdf"])
    for phrase in [str(item.title), *EXPECTED[letter_id]]:
        assert phrase in standard, f"{letter_id}: {phrase!r} not in the PDF"
    assert phrase in pdf_text(paths["large_print"])
    for path in paths.values():
        if path.suffix == ".pdf":
            info = pdf_info(path)
            assert info["Tagged"] == "yes" and info["Title"].startswith(str(item.title))
    easy = pdf_text(paths["easy_read"])
    assert "Easy read" in easy and case.reference in easy
    if item.staff_body:
        assert "We uphold it." in standard and "We uphold it." in easy


def test_missing_context_or_body_is_refused_before_anything_is_made(app: Flask, tmp_path: Path) -> None:
    folder = _documents_in(app, tmp_path)
    with app.app_context():
        case = make_case()
        with pytest.raises(LetterError, match="extension notice letter needs: reason, new_due"):
            documents.produce(db.session, case, "extension_notice")
        with pytest.raises(LetterError, match="needs: staff_body"):
            documents.produce(db.session, case, "stage2_response", staff_body="  ")
        with pytest.raises(LetterError, match="panel_date, panel_time, panel_venue"):
            documents.produce(db.session, case, "review_panel_invitation", {"panel_date": None})
        with pytest.raises(LetterError, match="There is no letter 'apology'"):
            documents.produce(db.session, case, "apology")
        assert db.session.scalars(select(Document)).all() == []
    assert not folder.exists() or list(folder.iterdir()) == []


def test_extension_notice_takes_its_reason_and_dates_from_the_extended_deadline(
    app: Flask, tmp_path: Path
) -> None:
    _documents_in(app, tmp_path)
    with app.app_context():
        case = make_case()
        case.status = "in_progress"
        extend_deadline(
            db.session,
            case,
            "stage1_response",
            20,
            "The social worker is on leave.",
            STAFF,
            date(2026, 10, 12),
            rules(),
        )
        made = documents.produce(db.session, case, "extension_notice")
        db.session.commit()
        text = pdf_text(documents.path_of(made[0]))
    assert "The social worker is on leave." in text
    assert "We said we would reply by 19 October 2026." in text and "reply by 2 November 2026." in text


# --- sending needs every format ---------------------------------------------------------------


def test_a_response_with_an_unmet_format_need_cannot_be_sent(app: Flask, tmp_path: Path) -> None:
    _tools()
    _documents_in(app, tmp_path)
    with app.app_context():
        case = make_case({"formats": ["large_print"], "large_print_size": 24})
        assert documents.missing_formats(case, "stage1_response") == ["pdf", "html", "large_print (24 pt)"]
        with pytest.raises(
            documents.NotReadyToSend, match="cannot be sent yet: it has not been produced in pdf"
        ):
            documents.assert_ready_to_send(case, "stage1_response")
        documents.produce(db.session, case, "stage1_response", staff_body="We uphold your complaint.")
        db.session.commit()
        documents.assert_ready_to_send(case, "stage1_response")
        assert documents.missing_formats(case, "stage2_response") != []  # another letter is not this one

        # The person now also needs braille and a bigger size: the old production no longer does.
        assert case.complainant is not None
        case.complainant.needs = {"formats": ["large_print", "braille"], "large_print_size": 36}
        db.session.commit()
        assert documents.missing_formats(case, "stage1_response") == ["large_print (36 pt)", "braille"]
        with pytest.raises(documents.NotReadyToSend) as refused:
            documents.assert_ready_to_send(case, "stage1_response")
        assert refused.value.missing == ["large_print (36 pt)", "braille"]
        assert "Our stage 1 response to your complaint" in str(refused.value)

        made = documents.produce(db.session, case, "stage1_response", staff_body="We uphold your complaint.")
        db.session.commit()
        documents.assert_ready_to_send(case, "stage1_response")

        # A file that has gone (or was cut short) does not count.
        documents.path_of(next(d for d in made if d.format == "braille")).unlink()
        assert documents.missing_formats(case, "stage1_response") == ["braille"]


def test_files_are_removed_when_the_transaction_rolls_back(app: Flask, tmp_path: Path) -> None:
    folder = _documents_in(app, tmp_path)
    with app.app_context():
        case_id = make_case().id
        db.session.commit()
        with pytest.raises(RuntimeError), db.transaction() as s:
            documents.produce(s, s.get(Case, case_id), "acknowledgement")
            assert len(list(folder.iterdir())) == 2
            raise RuntimeError("something later in the action failed")
        assert list(folder.iterdir()) == []
        with db.transaction() as s:
            documents.produce(s, s.get(Case, case_id), "acknowledgement")
        assert len(list(folder.iterdir())) == 2
        db.session.rollback()  # a later, unrelated rollback keeps committed files
        assert len(list(folder.iterdir())) == 2


# --- languages --------------------------------------------------------------------------------


def _fake_polish_catalogue(folder: Path) -> Path:
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalog = Catalog(locale="pl")
    catalog.add("Contact us", "Skontaktuj się z nami")
    catalog.add("Our stage 1 response to your complaint", "Nasza odpowiedź na Twoją skargę (etap 1)")
    catalog.add("Dear %(name)s,", "Szanowni Państwo %(name)s,")
    target = folder / "pl" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.mo", "wb") as handle:
        write_mo(handle, catalog)
    return folder


def test_without_a_translation_the_letter_is_in_english_and_recorded_so(app: Flask, tmp_path: Path) -> None:
    _tools()
    _documents_in(app, tmp_path)
    with app.app_context():
        case = make_case({"formats": ["audio"]}, language="fr")  # a language with no catalogue
        assert not documents.has_translation("fr") and documents.delivery_language(case) == "en"
        made = documents.produce(db.session, case, "stage1_response", staff_body="We uphold it.")
        db.session.commit()
        assert [(d.format, d.language) for d in made] == [("pdf", "en"), ("html", "en"), ("audio", "en")]
        assert pdf_lang(documents.path_of(made[0])) == "en"
        assert documents.missing_formats(case, "stage1_response") == []


def test_with_a_translation_the_letter_is_in_their_language_with_an_english_copy(
    database_url: str, tmp_path: Path
) -> None:
    _tools()
    translations = _fake_polish_catalogue(tmp_path / "translations")
    app = app_for(database_url, tmp_path / "documents", BABEL_TRANSLATION_DIRECTORIES=str(translations))
    babel.domain_instance.cache.clear()  # Flask-Babel caches catalogues across apps in one process
    try:
        with app.app_context():
            case = make_case({"formats": ["braille", "audio", "e_version"]}, language="pl")
            assert documents.has_translation("pl") and documents.delivery_language(case) == "pl"
            made = documents.produce(db.session, case, "stage1_response", staff_body="We uphold it.")
            db.session.commit()
            assert [(d.format, d.language) for d in made] == [
                ("pdf", "pl"),
                ("html", "pl"),
                ("text", "pl"),
                ("audio", "pl"),
                ("braille", "en"),
                ("pdf", "en"),
                ("html", "en"),
            ]
            paths = {(d.format, d.language): documents.path_of(d) for d in made}
            polish = pdf_text(paths[("pdf", "pl")])
            assert "Skontaktuj się z nami" in polish and "Szanowni Państwo Jo Smith," in polish
            assert pdf_lang(paths[("pdf", "pl")]) == "pl"
            assert pdf_info(paths[("pdf", "pl")])["Title"].startswith("Nasza odpowiedź na Twoją skargę")
            english = pdf_text(paths[("pdf", "en")])
            assert (
                "Contact us" in english
                and "Skontaktuj" not in english
                and pdf_lang(paths[("pdf", "en")]) == "en"
            )
            assert 'lang="pl"' in paths[("html", "pl")].read_text(encoding="utf-8")
            assert "Skontaktuj się z nami" in paths[("text", "pl")].read_text(encoding="utf-8")
            assert documents.missing_formats(case, "stage1_response") == []
            event = db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "letter_produced")).one()
            assert "pdf (pl)" in event.data["formats"] and "audio (pl)" in event.data["formats"]
            assert "Our stage 1 response to your complaint" in event.summary  # the chronology stays English
    finally:
        app.extensions["portal.db"].engine.dispose()
        babel.domain_instance.cache.clear()


def test_a_letter_in_lithuanian_with_an_english_copy(app: Flask, tmp_path: Path) -> None:
    _tools()
    _documents_in(app, tmp_path)
    with app.app_context():
        case = make_case({"formats": ["large_print"]}, language="lt")
        assert documents.has_translation("lt"), "translations/lt not compiled (make compile-messages)"
        made = documents.produce(db.session, case, "stage1_response", staff_body="Skundą patenkiname.")
        db.session.commit()
        paths = {(d.format, d.language): documents.path_of(d) for d in made}
        assert ("pdf", "lt") in paths and ("pdf", "en") in paths
        with app.test_request_context(), force_locale("lt"):
            title = gettext("Our stage 1 response to your complaint")
            contact = gettext("Contact us")
        assert title != "Our stage 1 response to your complaint"
        lithuanian = pdf_text(paths[("pdf", "lt")])
        assert pdf_lang(paths[("pdf", "lt")]) == "lt"
        assert pdf_info(paths[("pdf", "lt")])["Title"].startswith(title)
        assert contact in lithuanian and "Skundą patenkiname." in lithuanian
        assert "2026 m. spalio" in lithuanian  # dates written the Lithuanian way (5 October 2026)
        assert "Contact us" not in lithuanian
        assert "Our stage 1 response to your complaint" in pdf_text(paths[("pdf", "en")])


# --- the family's downloads -------------------------------------------------------------------


def _tracking_session(app: Flask) -> tuple[Any, int]:
    """A complaint sent through the journey and a client in its tracking session."""
    client = app.test_client()
    complete(client)
    send(client)
    with app.app_context():
        case = db.session.scalar(select(Case).order_by(Case.id.desc()))
        assert case is not None
        reference, case_id = case.reference, case.id
    tracker = app.test_client()
    link = emailed_tracking_link(app, tracker, reference)
    assert post(tracker, link, {}).headers["Location"].endswith("/track/case")
    return tracker, case_id


def test_family_lists_and_downloads_their_letters_and_nothing_else(app: Flask, tmp_path: Path) -> None:
    _tools()
    _documents_in(app, tmp_path)
    tracker, case_id = _tracking_session(app)  # the journey asked for 32 pt large print on yellow
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case is not None
        made = documents.produce(db.session, case, "acknowledgement")
        other = make_case()
        stranger = documents.produce(db.session, other, "acknowledgement")[0].id
        db.session.commit()
        ids = [d.id for d in made]
        contents = {d.id: documents.path_of(d).read_bytes() for d in made}
        types = {d.id: d.content_type for d in made}
    assert [d.format for d in made] == ["pdf", "html", "large_print"]

    _, soup = page(tracker, "/track/case")
    heading = soup.find("h2", string="Letters and documents")
    assert heading is not None
    section = heading.find_next("h3")
    assert section is not None and section.get_text(strip=True) == "We have received your complaint"
    links = section.find_next("ul").find_all("a")
    listed = [ids[0], ids[2], ids[1]]  # printed formats first: PDF, large print, then the web page
    assert [a["href"] for a in links] == [f"/track/case/documents/{i}" for i in listed]
    labels = [" ".join(a.parent.get_text().split()) for a in links]
    assert labels[0].startswith("Accessible PDF") and "– PDF," in labels[0] and labels[0].endswith("KB")
    assert labels[1].startswith("Large print PDF") and labels[2].startswith("Web page for screen readers")
    assert "We have received your complaint" in labels[0]  # visually hidden: says which letter

    for document_id in ids:
        response = tracker.get(f"/track/case/documents/{document_id}")
        assert response.status_code == 200
        assert response.data == contents[document_id]
        assert response.headers["Content-Type"].startswith(types[document_id].split(";")[0])
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
        assert response.headers["Cache-Control"] == "no-store"
    assert tracker.get(f"/track/case/documents/{stranger}").status_code == 404  # another family's
    assert tracker.get("/track/case/documents/999999").status_code == 404
    assert app.test_client().get(f"/track/case/documents/{ids[0]}").status_code == 404  # no session

    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case is not None
        assert documents.document_for_family(db.session, case, ids[0]) is not None
        assert documents.document_for_family(db.session, case, stranger) is None
