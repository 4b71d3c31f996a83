"""The council's configured rules: procedure table and working-day calendars (built once per app)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

import holidays
from flask import Flask, current_app

from portal.domain.procedures import Procedure, configure
from portal.domain.working_days import Calendar

HOLIDAY_YEARS = range(2015, 2041)


def england_bank_holidays(years: range = HOLIDAY_YEARS) -> dict[date, str]:
    """England and Wales bank holidays, substitute days and one-offs, from `holidays`."""
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=years).items())


@dataclass
class Rules:
    procedures: dict[str, Procedure]
    bank_holidays: dict[date, str]
    closure_days: dict[date, str]
    count_start_day: bool

    @cached_property
    def _with_closures(self) -> Calendar:
        return Calendar({**self.bank_holidays, **self.closure_days}, self.count_start_day)

    @cached_property
    def _without_closures(self) -> Calendar:
        return Calendar(self.bank_holidays, self.count_start_day)

    def calendar_for(self, procedure_code: str) -> Calendar:
        # Statutory working days are defined by reg 2 of SI 2006/1738, which does not
        # exclude council closure days; other procedures follow the council's own days.
        if self.procedures[procedure_code].counts_closure_days:
            return self._with_closures
        return self._without_closures

    @cached_property
    def timescales(self) -> dict[str, int | None]:
        """The numbers public pages quote, read once from the procedure table (templates use `t.*`)."""
        stat, corp = self.procedure("statutory"), self.procedure("corporate")
        quoted = {
            "stat_ack": (stat, "acknowledgement"),
            "stat_s1": (stat, "stage1_response"),
            "stat_s2_request": (stat, "stage2_request_window"),
            "stat_s2": (stat, "stage2_response"),
            "stat_s3_request": (stat, "stage3_request_window"),
            "stat_s3_panel": (stat, "stage3_panel"),
            "stat_s3_report": (stat, "stage3_panel_report"),
            "stat_s3_response": (stat, "stage3_council_response"),
            "corp_ack": (corp, "acknowledgement"),
            "corp_s1": (corp, "stage1_response"),
            "corp_s2_request": (corp, "stage2_request_window"),
            "corp_s2_ack": (corp, "stage2_acknowledgement"),
            "corp_s2": (corp, "stage2_response"),
        }
        values: dict[str, int | None] = {k: p.clock(event).limit for k, (p, event) in quoted.items()}
        for key in ("stat_s1", "stat_s2", "corp_s1", "corp_s2"):
            procedure, event = quoted[key]
            values[f"{key}_ext"] = procedure.clock(event).extended_limit
        return values

    def procedure(self, code: str) -> Procedure:
        try:
            return self.procedures[code]
        except KeyError:
            raise ValueError(f"Unknown procedure {code!r}") from None


def build_rules(app: Flask) -> Rules:
    closures = {
        date.fromisoformat(day.strip()): "Council closure day" for day in app.config.get("CLOSURE_DAYS", ())
    }
    extra = {}
    for item in app.config.get("EXTRA_BANK_HOLIDAYS", ()):
        day, _, name = item.partition(":")
        extra[date.fromisoformat(day.strip())] = name.strip() or "Bank holiday"
    return Rules(
        procedures=configure(app.config.get("PROCEDURE_OVERRIDES")),
        bank_holidays=england_bank_holidays() | extra,
        closure_days=closures,
        count_start_day=bool(app.config.get("COUNT_START_DAY")),
    )


def init_app(app: Flask) -> None:
    app.extensions["portal.rules"] = build_rules(app)


def rules() -> Rules:
    value: Rules = current_app.extensions["portal.rules"]
    return value
