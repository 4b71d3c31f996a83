"""The annual report's sections, in order, built from the figures of the year and the year before.

Each section has its text, its tables and (most) a chart with a one-sentence summary; the
HTML page, the PDF and the CSV are all drawn from the same `Report` (portal.reports.tables).
"""

from __future__ import annotations

from portal.reports.figures import Figures
from portal.reports.received import ReceivedSections
from portal.reports.responded import RespondedSections
from portal.reports.tables import Report


class ReportBuilder(ReceivedSections, RespondedSections):
    """Every section: those counted by date received and those by date responded to."""


def build_report(figures: Figures, public: bool) -> Report:
    b = ReportBuilder(figures, public)
    steps = (
        b.glance,
        b.volumes,
        b.areas,
        b.themes,
        b.send,
        b.outcomes,
        b.timeliness,
        b.people,
        b.ombudsman,
        b.actions,
        b.compliments,
    )
    return Report(figures, public, [step() for step in steps])
