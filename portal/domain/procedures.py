"""The one table of complaint timescales per procedure, with council overrides (DOMAIN §1.7, §2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from portal.domain.working_days import Calendar, add_months


class Unit(StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_MONTHS = "calendar_months"
    SET_BY_OTHERS = "set_by_others"  # e.g. the Ombudsman names the date


class ClockKind(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    RESPONSE = "response"  # the council (or its panel) must act by then
    WINDOW = "window"  # the complainant may ask for the next stage until then


class ProcedureCode(StrEnum):
    STATUTORY = "statutory"
    CORPORATE = "corporate"
    COMPLIMENT = "compliment"
    ENQUIRY_GENERAL = "enquiry_general"
    ENQUIRY_COUNCILLOR = "enquiry_councillor"
    ENQUIRY_MP = "enquiry_mp"
    LGO = "lgo"


def _positive(event: str, key: str, value: object) -> int:
    # bool is an int subclass; "True working days" is a configuration mistake.
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{event}: {key} must be a positive whole number, got {value!r}.")
    return value


@dataclass(frozen=True)
class Clock:
    """One timescale: what starts it, how long it runs and where the rule comes from."""

    event: str
    stage: int  # 0 = before any stage (first acknowledgement) or an unstaged procedure
    starts_from: str
    limit: int | None  # None only for Unit.SET_BY_OTHERS
    unit: Unit = Unit.WORKING_DAYS
    # The TOTAL from the same start once extended (not the addition); None: no extension.
    extended_limit: int | None = None
    kind: ClockKind = ClockKind.RESPONSE
    label: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        try:  # accept plain strings from configuration, store the enums
            object.__setattr__(self, "unit", Unit(self.unit))
            object.__setattr__(self, "kind", ClockKind(self.kind))
        except ValueError as exc:
            raise ValueError(f"{self.event}: {exc}") from None
        if self.unit is Unit.SET_BY_OTHERS:
            if self.limit is not None or self.extended_limit is not None:
                raise ValueError(f"{self.event}: a date set by others cannot have a limit.")
            return
        limit = _positive(self.event, "limit", self.limit)
        if self.extended_limit is not None:
            extended = _positive(self.event, "extended_limit", self.extended_limit)
            if extended < limit:
                raise ValueError(
                    f"{self.event}: extended_limit ({extended}) is the total after extension "
                    f"and cannot be less than limit ({limit})."
                )


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    stages: int  # how many stages a case can go through; 1 = no escalation
    clocks: tuple[Clock, ...]
    # True when council closure days are non-working for this procedure's clocks. The
    # statutory procedure is False: reg 2 SI 2006/1738 defines working days and does not
    # exclude closure days (DOMAIN §7.1).
    counts_closure_days: bool
    source: str

    def __post_init__(self) -> None:
        events = [c.event for c in self.clocks]
        duplicates = sorted({e for e in events if events.count(e) > 1})
        if duplicates:
            raise ValueError(f"{self.code}: clock(s) defined twice: {', '.join(duplicates)}.")

    @property
    def events(self) -> tuple[str, ...]:
        return tuple(c.event for c in self.clocks)

    def clock(self, event: str) -> Clock:
        for c in self.clocks:
            if c.event == event:
                return c
        raise KeyError(
            f"The {self.code} procedure has no clock {event!r}; it has: {', '.join(self.events)}."
        )

    def clocks_for_stage(self, stage: int) -> tuple[Clock, ...]:
        return tuple(c for c in self.clocks if c.stage == stage)

    def next_stage(self, stage: int) -> int | None:
        """The stage an escalation from `stage` leads to, or None at the final stage."""
        return stage + 1 if stage < self.stages else None


_SI = "SI 2006/1738"  # Children Act 1989 Representations Procedure (England) Regulations 2006
_GBFC = "Getting the Best from Complaints (DfES 2006)"
_CODE = "LGSCO Complaint Handling Code 2024"
_W, _A = ClockKind.WINDOW, ClockKind.ACKNOWLEDGEMENT

# Each clock cites its public source; DOMAIN.md rows C1-C11 (§1.7) and K0-K5 (§2.1) hold
# the evidence and the disagreements (§10).
# fmt: off
_STATUTORY = Procedure(
    ProcedureCode.STATUTORY, "Children's social care statutory complaints procedure", 3,
    counts_closure_days=False, source=f"Children Act 1989 s26; {_SI}; {_GBFC}",
    clocks=(
        Clock("acknowledgement", 0, "received", 2, kind=_A, label="Acknowledgement",
              source="Local practice (Bexley); not fixed by the regulations"),
        Clock("stage1_response", 1, "received", 10, extended_limit=20, label="Stage 1 response",
              source=f"{_SI} reg 14; {_GBFC}"),
        # Coram Voice says "28 days"; most councils say 20 working days (DOMAIN §10).
        Clock("stage2_request_window", 1, "stage1_response_sent", 20, kind=_W,
              label="Time to ask for stage 2",
              source="Bexley, Devon, Manchester, Gloucestershire"),
        Clock("stage2_acknowledgement", 2, "stage2_requested", 2, kind=_A,
              label="Stage 2 acknowledgement", source="Local practice (Bexley)"),
        # In practice the clock starts when the statement of complaint is agreed (DOMAIN §10).
        Clock("stage2_response", 2, "statement_agreed", 25, extended_limit=65,
              label="Stage 2 response",
              source=f"{_SI} (reg 17 [M]); frg.org.uk; Middlesbrough"),
        # The reg 18 figure was seen in no source [M]: flagged for legal check (DOMAIN §10).
        Clock("stage3_request_window", 2, "stage2_response_sent", 20, kind=_W,
              label="Time to ask for a review panel",
              source=f"{_SI} reg 18 [unconfirmed: legal check]"),
        Clock("stage3_panel", 3, "panel_requested", 30, label="Review panel meeting",
              source=f"{_SI} reg 19(4)"),
        # C9/C10 add "or as soon as reasonably practicable": targets; a miss needs a reason.
        Clock("stage3_panel_report", 3, "panel_held", 5, label="Panel report",
              source=f"{_SI} reg 20"),
        Clock("stage3_council_response", 3, "panel_report_received", 15,
              label="Council's response to the panel", source=f"{_SI} reg 20(3)"),
    ),
)

_CORPORATE = Procedure(
    ProcedureCode.CORPORATE, "Corporate complaints procedure", 2,
    counts_closure_days=True, source=f"{_CODE} (advice under LGA 1974 s23(12A))",
    clocks=(
        Clock("acknowledgement", 0, "received", 5, kind=_A, label="Acknowledgement",
              source=f"{_CODE} para 6.2"),
        Clock("stage1_response", 1, "acknowledged", 10, extended_limit=20,
              label="Stage 1 response", source=f"{_CODE} paras 6.3-6.5"),
        # The Code sets no escalation window; councils choose (DOMAIN 2.1 K5).
        Clock("stage2_request_window", 1, "stage1_response_sent", 20, kind=_W,
              label="Time to ask for stage 2", source="Local choice (Middlesbrough)"),
        Clock("stage2_acknowledgement", 2, "stage2_requested", 5, kind=_A,
              label="Stage 2 acknowledgement", source="llg.org.uk; Walsall"),
        # Code paragraph not seen; +20 as councils implementing the Code do (DOMAIN §10).
        Clock("stage2_response", 2, "stage2_acknowledged", 20, extended_limit=40,
              label="Stage 2 response",
              source="llg.org.uk; Welwyn Hatfield, Cumberland"),
    ),
)

_LGO = Procedure(
    ProcedureCode.LGO, "Local Government and Social Care Ombudsman enquiry", 1,
    counts_closure_days=True, source="Local Government Act 1974 Part III",
    clocks=(
        Clock("lgo_response", 0, "lgo_enquiry_received", None, unit=Unit.SET_BY_OTHERS,
              label="Response to the Ombudsman", source="The Ombudsman sets the date"),
        # s31(2): "within the period of three months beginning with the date on which they
        # received the report" (or longer if the Ombudsman agrees in writing).
        Clock("lgo_report_action", 0, "lgo_report_received", 3, unit=Unit.CALENDAR_MONTHS,
              label="Tell the Ombudsman what action we have taken",
              source="Local Government Act 1974 s31(2)"),
    ),
)

# No statutory timescale exists for these (DOMAIN 2.4): local policy, configurable.
_LOCAL = (
    (ProcedureCode.COMPLIMENT, "Compliment acknowledgement", "compliment_acknowledgement", _A),
    (ProcedureCode.ENQUIRY_GENERAL, "Enquiry response", "enquiry_response", ClockKind.RESPONSE),
    (ProcedureCode.ENQUIRY_COUNCILLOR, "Councillor enquiry response", "enquiry_response",
     ClockKind.RESPONSE),
    (ProcedureCode.ENQUIRY_MP, "MP enquiry response", "enquiry_response", ClockKind.RESPONSE),
)
# fmt: on

DEFAULT_PROCEDURES: Mapping[str, Procedure] = MappingProxyType(
    {
        p.code: p
        for p in (
            _STATUTORY,
            _CORPORATE,
            *(
                Procedure(code, name, 1, counts_closure_days=True, source="Local policy",
                          clocks=(Clock(event, 0, "received", 10, kind=kind, label=name,
                                        source="Local policy"),))
                for code, name, event, kind in _LOCAL
            ),
            _LGO,
        )
    }
)  # fmt: skip

_PROCEDURE_KEYS = frozenset({"stages", "clocks"})
_CLOCK_KEYS = frozenset({"limit", "extended_limit", "unit"})
# A third corporate stage mirrors stage 2 (historic three-stage procedures; the Code expects
# two - DOMAIN §2.2): (stage 2 clock, stage 3 clock, its stage, what starts it).
_STAGE3_MIRRORS = (
    ("stage2_request_window", "stage3_request_window", 2, "stage2_response_sent"),
    ("stage2_acknowledgement", "stage3_acknowledgement", 3, "stage3_requested"),
    ("stage2_response", "stage3_response", 3, "stage3_acknowledged"),
)


def _mirror(clock: Clock, event: str, stage: int, starts_from: str) -> Clock:
    return replace(
        clock, event=event, stage=stage, starts_from=starts_from,
        label=clock.label.replace("stage 2", "stage 3").replace("Stage 2", "Stage 3"),
        source=f"Local three-stage procedure, mirroring {clock.event}",
    )  # fmt: skip


def _with_stages(proc: Procedure, stages: object) -> Procedure:
    if proc.code != ProcedureCode.CORPORATE:
        raise ValueError(f"{proc.code}: the number of stages is fixed; only corporate can change.")
    if stages not in (2, 3) or isinstance(stages, bool):
        raise ValueError(f"corporate: stages must be 2 or 3, got {stages!r}.")
    if stages == proc.stages:
        return proc  # keep any stage 3 clocks already configured
    stage3_events = {new for _, new, _, _ in _STAGE3_MIRRORS}
    kept = tuple(c for c in proc.clocks if c.event not in stage3_events)
    if stages == 3:
        kept += tuple(
            _mirror(proc.clock(old), new, stage, start)
            for old, new, stage, start in _STAGE3_MIRRORS
            if old in proc.events
        )
    return replace(proc, stages=stages, clocks=kept)


def _with_clock(proc: Procedure, event: str, changes: object) -> Procedure:
    if event not in proc.events:
        raise ValueError(f"{proc.code}: unknown event {event!r}.")
    if not isinstance(changes, Mapping):
        raise TypeError(f"{proc.code}.{event}: settings must be a mapping.")
    unknown = sorted(set(changes) - _CLOCK_KEYS)
    if unknown:
        raise ValueError(f"{proc.code}.{event}: unknown setting(s) {', '.join(unknown)}.")
    try:
        new = replace(proc.clock(event), **changes)
    except ValueError as exc:
        raise ValueError(f"{proc.code}: {exc}") from None
    return replace(proc, clocks=tuple(new if c.event == event else c for c in proc.clocks))


def _configure_one(proc: Procedure, changes: Mapping[str, Any]) -> Procedure:
    unknown = sorted(set(changes) - _PROCEDURE_KEYS)
    if unknown:
        raise ValueError(f"{proc.code}: unknown setting(s) {', '.join(unknown)}.")
    # Stages first, so overrides can then target the stage 3 clocks they create.
    if "stages" in changes:
        proc = _with_stages(proc, changes["stages"])
    clocks = changes.get("clocks", {})
    if not isinstance(clocks, Mapping):
        raise TypeError(f"{proc.code}: clocks must be a mapping of event to settings.")
    for event, clock_changes in clocks.items():
        proc = _with_clock(proc, event, clock_changes)
    return proc


def configure(
    overrides: Mapping[str, Mapping[str, Any]] | None,
    base: Mapping[str, Procedure] = DEFAULT_PROCEDURES,
) -> dict[str, Procedure]:
    """Apply a council's local timescales, e.g. {"corporate": {"stages": 3, "clocks": {...}}}.

    Timescales are configuration, not constants (DOMAIN preface). Raises ValueError naming
    any unknown procedure, event or setting, and any invalid limit; TypeError when a
    section that must be a mapping is not.
    """
    result = dict(base)
    for code, changes in (overrides or {}).items():
        if code not in result:
            raise ValueError(f"Unknown procedure {code!r}; known: {', '.join(result)}.")
        if not isinstance(changes, Mapping):
            raise TypeError(f"{code}: settings must be a mapping.")
        result[code] = _configure_one(result[code], changes)
    return result


def _advance(clock: Clock, start: date, amount: int, calendar: Calendar) -> date:
    if clock.unit is Unit.CALENDAR_MONTHS:
        # Calendar months are calendar dates: not moved off weekends or holidays.
        return add_months(start, amount)
    return calendar.add_working_days(start, amount)


def clock_due(clock: Clock, start: date, calendar: Calendar) -> tuple[date | None, date | None]:
    """(due, extended_due) for one clock whose starting event happened on `start`."""
    if clock.limit is None:  # Unit.SET_BY_OTHERS: the date comes with the request
        return None, None
    due = _advance(clock, start, clock.limit, calendar)
    ext = clock.extended_limit
    return due, None if ext is None else _advance(clock, start, ext, calendar)


def due_dates(
    procedure: Procedure, start: date, calendar: Calendar
) -> dict[str, tuple[date | None, date | None]]:
    """For every clock, (due, extended_due) as if its starting event happened on `start`."""
    return {c.event: clock_due(c, start, calendar) for c in procedure.clocks}
