"""The letters the portal writes: id -> template, easy read template, title and the context each needs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from portal.domain.procedures import clock_due
from portal.i18n import with_readable_numbers

if TYPE_CHECKING:
    from portal.models import Case, Deadline
    from portal.services.rules import Rules


class LetterError(ValueError):
    """An unknown letter, or a letter asked for without the context it needs (message fit for staff)."""


@dataclass(frozen=True)
class Letter:
    """One letter: the standard and easy read templates share the context listed here.

    `required` are the keys the caller must give; `staff_body` letters also need the text a
    member of staff wrote, which goes inside the standard frame. `fixed` is context the
    letter always has (the stage of a stage response).
    """

    id: str
    template: str
    easy_template: str
    title: LazyString | str
    required: tuple[str, ...] = ()
    staff_body: bool = False
    fixed: Mapping[str, Any] = field(default_factory=dict)

    def check(self, context: Mapping[str, Any], staff_body: str | None) -> None:
        missing = [key for key in self.required if context.get(key) in (None, "")]
        if self.staff_body and not (staff_body or "").strip():
            missing.append("staff_body")
        if missing:
            raise LetterError(f"The {self.id.replace('_', ' ')} letter needs: {', '.join(missing)}.")


def _letter(
    id: str, template: str, title: LazyString, *required: str, staff_body: bool = False, **fixed: Any
) -> Letter:
    return Letter(
        id,
        f"documents/{template}.html",
        f"documents/easy/{template}.html",
        title,
        required,
        staff_body,
        MappingProxyType(fixed),
    )


LETTERS: Mapping[str, Letter] = MappingProxyType(
    {
        letter.id: letter
        for letter in (
            # What the person sent, as a receipt (rows: the summary list of their answers).
            _letter("receipt", "receipt", _l("What you sent us"), "rows"),
            _letter("acknowledgement", "acknowledgement", _l("We have received your complaint")),
            _letter(
                "extension_notice",
                "extension-notice",
                _l("We need more time to reply to your complaint"),
                "reason",
                "new_due",
            ),
            *(
                _letter(
                    f"stage{n}_response",
                    "stage-response",
                    title,
                    staff_body=True,
                    stage=n,
                )
                for n, title in (
                    (1, _l("Our stage 1 response to your complaint")),
                    (2, _l("Our stage 2 response to your complaint")),
                    (3, _l("Our stage 3 response to your complaint")),
                )
            ),
            _letter(
                "review_panel_invitation",
                "review-panel-invitation",
                _l("Invitation to a review panel"),
                "panel_date",
                "panel_time",
                "panel_venue",
            ),
            _letter(
                "ombudsman_signposting", "ombudsman-signposting", _l("Taking your complaint to the Ombudsman")
            ),
            _letter("compliment_thanks", "compliment-thanks", _l("Thank you for your compliment")),
        )
    }
)


def letter(letter_id: str) -> Letter:
    try:
        return LETTERS[letter_id]
    except KeyError:
        raise LetterError(f"There is no letter {letter_id!r}; letters: {', '.join(LETTERS)}.") from None


# --- context: what the case and the procedure table give every letter ------------------------


def _response_deadline(case: Case) -> Deadline | None:
    """The clock the person is waiting on: this stage's response, else any open response."""
    open_responses = [d for d in case.deadlines if d.is_open and d.kind == "response"]
    same_stage = [d for d in open_responses if d.stage in (case.stage, 0)]
    found = same_stage or open_responses
    return found[0] if found else None


def derived(case: Case, item: Letter, on: date, rules: Rules) -> dict[str, Any]:
    """Dates and numbers a letter takes from the case and the procedure table (the caller may override).

    response_due: the open response deadline (extended date if extended); original_due,
    new_due, reason: from an extended deadline; next_stage, escalate_by: for stage responses,
    the next stage and the end of its request window counted from `on` (the day it is sent);
    panel_report_days, panel_response_days: the review panel's timescales.
    """
    deadline = _response_deadline(case)
    found: dict[str, Any] = {"response_due": deadline.effective_due_on if deadline else None}
    if deadline is not None and deadline.extended_due_on:
        found |= {
            "original_due": deadline.due_on,
            "new_due": deadline.extended_due_on,
            "reason": deadline.extension_reason,
        }
    procedure = rules.procedure(case.procedure)
    stage = item.fixed.get("stage")
    if stage is not None:
        following = procedure.next_stage(stage)
        found |= {"next_stage": following, "escalate_by": None}
        window = f"stage{following}_request_window"
        if following is not None and window in procedure.events:
            calendar = rules.calendar_for(case.procedure)
            found["escalate_by"] = clock_due(procedure.clock(window), on, calendar)[0]
    if {"stage3_panel_report", "stage3_council_response"} <= set(procedure.events):
        found["panel_report_days"] = procedure.clock("stage3_panel_report").limit
        found["panel_response_days"] = procedure.clock("stage3_council_response").limit
    return found


def paragraphs(body: str | None) -> list[str]:
    """A staff-written body: paragraphs at blank lines, each on one line."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", (body or "").strip()) if p.strip()]


def sentences(parts: list[str]) -> list[str]:
    """One sentence each, for easy read (one idea to a line)."""
    return [s for p in parts for s in re.split(r"(?<=[.!?])\s+", p) if s]


def build_context(
    case: Case,
    item: Letter,
    given: Mapping[str, Any],
    staff_body: str | None,
    on: date,
    rules: Rules,
    **shared: Any,
) -> dict[str, Any]:
    """Everything a letter template sees except what depends on the language; checks `required`.

    `shared` is what every template also gets (council, ombudsman, advocacy, format_date).
    """
    body = paragraphs(staff_body)
    context = {**derived(case, item, on, rules), **{k: v for k, v in given.items() if v is not None}}
    context |= item.fixed
    item.check(context, staff_body)
    return (
        context
        | shared
        | {
            "case": case,
            "person": case.complainant,
            "today": on,
            "staff_body": staff_body,
            "staff_paragraphs": body,
            "staff_sentences": sentences(body),
        }
    )


def _next_stage_name(procedure: str, stage: int) -> str:
    if procedure == "statutory":
        return _("an investigation by someone independent") if stage == 2 else _("a review panel")
    return _("a review by a senior manager")


def in_language(item: Letter, context: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """The translated parts (call inside force_locale): heading, <title>, the next stage's name."""
    heading = str(item.title)
    result = {**context, "lang": lang, "heading": heading}
    for name in ("council", "ombudsman"):
        if name in result:
            result[name] = with_readable_numbers(result[name], lang)
    if "advocacy" in result:
        result["advocacy"] = [with_readable_numbers(a, lang) for a in result["advocacy"]]
    if result.get("next_stage"):
        result["next_stage_name"] = _next_stage_name(result["case"].procedure, result["next_stage"])
    result["title"] = _("%(title)s, %(reference)s", title=heading, reference=result["case"].reference)
    return result
