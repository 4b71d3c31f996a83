"""BRF layout as pure functions: wrapping at 40 cells, 25-line pages, page numbers, CRLF and form feeds."""

from __future__ import annotations

import pytest

from portal.documents.braille import (
    LINES,
    WIDTH,
    Block,
    blocks_of,
    layout,
    page_number,
    pages_of,
    paginate,
    to_brf,
    wrap,
)

# Already-translated braille (ASCII BRF) as liblouis gives it, so these tests need no liblouis.
SENTENCE = ',?ANK Y = YR COMPLA9T AB ! /REET LI<T+4 ,WE W REPLY )9 #AJ "W+ "DS4'


def test_wrap_keeps_every_line_within_the_width_and_breaks_at_spaces() -> None:
    lines = wrap(SENTENCE * 3)
    assert all(len(line) <= WIDTH for line in lines)
    assert " ".join(lines) == " ".join((SENTENCE * 3).split())
    assert lines[0] == ",?ANK Y = YR COMPLA9T AB ! /REET LI<T+4"


def test_wrap_never_breaks_at_a_hyphen_which_is_a_braille_cell() -> None:
    # "-" is a cell (dots 3-6) in BRF: a line must not end early after one.
    lines = wrap("X" * 35 + " CCC-DDDDDD")
    assert lines == ["X" * 35, "CCC-DDDDDD"]  # not "XXX CCC-" then "DDDDDD"


@pytest.mark.parametrize("length", [41, 80, 95])
def test_a_word_longer_than_a_line_is_split_at_the_margin(length: int) -> None:
    lines = wrap("X" * length)
    assert [len(line) for line in lines[:-1]] == [WIDTH] * (len(lines) - 1)
    assert "".join(lines) == "X" * length


def test_wrap_of_nothing_is_one_empty_line() -> None:
    assert wrap("") == [""]


def test_list_runovers_are_indented_two_cells_and_the_main_heading_centred() -> None:
    lines = layout([(Block(",HEAD+", 1), ",HEAD+"), (Block("item", -1), SENTENCE)])
    assert lines[0] == ",HEAD+".center(WIDTH).rstrip()
    assert lines[1] == ""
    assert lines[2].startswith(",?ANK") and lines[3].startswith("  ")
    assert all(len(line) <= WIDTH for line in lines)


def test_blocks_are_separated_by_one_blank_line_and_line_breaks_kept() -> None:
    lines = layout([(Block("a"), ",C.TY ,HALL\n,NOR?T[N"), (Block("b"), ",DE> ,JO")])
    assert lines == [",C.TY ,HALL", ",NOR?T[N", "", ",DE> ,JO"]


@pytest.mark.parametrize(("number", "cells"), [(1, "#A"), (9, "#I"), (10, "#AJ"), (25, "#BE"), (120, "#ABJ")])
def test_page_numbers_are_ueb_numbers_at_the_right_margin(number: int, cells: str) -> None:
    line = page_number(number)
    assert len(line) == WIDTH and line.strip() == cells and line.endswith(cells)


def test_pages_have_24_lines_of_text_and_the_number_on_line_25() -> None:
    lines = [f"LINE {i}" for i in range(60)]
    pages = paginate(lines)
    assert len(pages) == 3
    assert all(len(page) == LINES for page in pages)
    assert [page[-1].strip() for page in pages] == ["#A", "#B", "#C"]
    assert pages[1][0] == "LINE 24" and pages[2][11] == "LINE 59" and pages[2][12] == ""


def test_a_block_that_ends_a_page_is_still_separated_from_the_next() -> None:
    lines = ["X"] * 24 + ["", "Y"]
    pages = paginate(lines)
    assert pages[1][:2] == ["", "Y"]
    assert blocks_of(to_brf(pages)) == [" ".join(["X"] * 24), "Y"]


def test_an_empty_document_is_one_numbered_page() -> None:
    pages = paginate([])
    assert len(pages) == 1 and pages[0][-1].strip() == "#A"


def test_brf_uses_crlf_and_form_feeds_between_pages_only() -> None:
    brf = to_brf(paginate([f"L{i}" for i in range(30)]))
    assert brf.count("\f") == 1 and not brf.endswith("\f") and not brf.startswith("\f")
    assert "\n" not in brf.replace("\r\n", "")
    assert all(line.endswith("\r\n") for line in brf.split("\f")[0].splitlines(keepends=True))
    assert [len(page) for page in pages_of(brf)] == [LINES, LINES]


def test_blocks_read_back_across_pages_without_page_numbers() -> None:
    blocks = [(Block(str(i)), SENTENCE) for i in range(12)]
    brf = to_brf(paginate(layout(blocks)))
    assert len(pages_of(brf)) > 1
    assert blocks_of(brf) == [" ".join(SENTENCE.split())] * 12
