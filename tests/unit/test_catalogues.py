"""Every catalogue is complete: each message the code and templates use is translated, none is
fuzzy, and each translation keeps the English placeholders (a lost %(date)s would show the
family a blank, a misspelt one would crash the page)."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from portal.config import Config

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = [lang for lang in Config().LANGUAGES if lang != "en"]
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([sdifr%])")


def _source_messages() -> set[str]:
    """The msgids the sources use now (what `make extract-messages` would write)."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {
        "_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "_l": None,
        "lazy_gettext": None,
        "pgettext": ((1, "c"), 2),
    }
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.fixture(scope="module")
def source_messages() -> set[str]:
    return _source_messages()


def _catalogue(lang: str) -> Catalog:
    path = ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"no catalogue for {lang}: run `make update-messages` and translate"
    with open(path, "rb") as po:
        return read_po(po, locale=lang)


def placeholders(text: str) -> list[tuple[str, str]]:
    return sorted(PLACEHOLDER.findall(text))


def test_placeholder_pattern_reads_named_positional_and_percent() -> None:
    assert placeholders("%(count)d days from %(date)s, 100%% and %s") == [
        ("", "%"),
        ("", "s"),
        ("count", "d"),
        ("date", "s"),
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_holds_every_message_the_sources_use(lang: str, source_messages: set[str]) -> None:
    catalogue = _catalogue(lang)
    held = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalogue if m.id}
    missing = sorted(source_messages - held)
    assert not missing, (
        f"{lang}: {len(missing)} messages not in the catalogue (run make update-messages): {missing[:5]}"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_and_not_fuzzy(lang: str) -> None:
    problems = []
    for message in _catalogue(lang):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(("fuzzy", message.id))
        elif not all(s.strip() for s in strings):
            problems.append(("untranslated", message.id))
    assert not problems, f"{lang}: {len(problems)} problems, first: {problems[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_english_placeholders(lang: str) -> None:
    problems = []
    for message in _catalogue(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = {name for name, _kind in placeholders(ids[-1]) if name}
        for text in filter(str.strip, strings):  # untranslated ones fail the test above
            # Named placeholders must match exactly; a plural form may drop the number itself
            # (Arabic "one day" needs no digit), but never gain an unknown name.
            got = {name for name, _kind in placeholders(text) if name}
            plural = len(ids) > 1
            if got != wanted and not (plural and got < wanted):
                problems.append((message.id, text))
            if not plural and [k for n, k in placeholders(text) if not n] != [
                k for n, k in placeholders(ids[0]) if not n
            ]:
                problems.append((message.id, text))
    assert not problems, f"{lang}: placeholders differ from the English: {problems[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_rule_groups_numbers_as_cldr_does(lang: str) -> None:
    """Babel's built-in gettext rule for Arabic was wrong (11-99 fell into "other"): the header's
    rule must put numbers together exactly as the CLDR plural rules do."""
    form = gettext.c2py(_catalogue(lang).plural_expr)
    category = Locale.parse(lang).plural_form
    pairs = {(form(n), category(n)) for n in range(0, 1000)}
    forms, categories = {f for f, _ in pairs}, {c for _, c in pairs}
    assert len(pairs) == len(forms) == len(categories), f"{lang}: {sorted(pairs)}"
