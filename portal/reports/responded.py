"""Sections counted by date responded to (outcomes, timeliness, Ombudsman decisions), people and actions."""

from __future__ import annotations

from portal.reports.figures import COMMITMENT_SOURCES, COMMITMENT_STATUSES, LGO_DECISIONS, OUTCOMES, STAGES
from portal.reports.tables import OUTCOME_NAMES, Builder, Section, Table

SOURCE_NAMES = {
    "response": "Actions promised in a response",
    "stage2": "Stage 2 recommendations",
    "panel": "Review panel recommendations",
    "ombudsman": "Ombudsman recommendations",
}
STATUS_NAMES = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "on_track": "On track",
    "complete": "Complete",
    "not_accepted": "Not accepted",
}


class RespondedSections(Builder):
    def outcomes(self) -> Section:
        cur, prev = self.cur.outcomes, self.prev.outcomes
        keys = [*OUTCOMES, *(["not_recorded"] if cur["not_recorded"] or prev["not_recorded"] else [])]
        total = sum(cur.values())
        values = [(OUTCOME_NAMES[k], cur[k], prev[k]) for k in keys]
        rows = self.shared([*values, ("All complaints concluded", total, sum(prev.values()))], total)
        table = Table(
            "outcomes-table",
            "Outcomes of complaints concluded in the year, all stages",
            "Outcome",
            (self.years[0], f"Share of {self.years[0]}", self.years[1]),
            rows,
        )
        section = Section("outcomes", "Outcomes", tables=[table])
        section.paragraphs.append("A complaint stage counts in the year its response was sent.")
        self.chart(section, table, columns=(0, 2), skip_last=True)
        section.summary = (
            f"Of the {self.n(total)} complaints concluded in {self.years[0]}, "
            f"{self.fmt.percent(cur['partially_upheld'], total).text} were partially upheld and "
            f"{self.fmt.percent(cur['upheld'], total).text} fully upheld."
        )
        if not total:
            section.summary = f"No complaints were concluded in {self.years[0]}."
        return section

    def timeliness(self) -> Section:
        cur, prev = self.cur.timeliness, self.prev.timeliness
        responded = cur["responded"]
        rows = self.shared(
            [
                ("Complaints responded to", responded, prev["responded"]),
                ("Extended beyond the first timescale", cur["extended"], prev["extended"]),
                (
                    "Responded to after the due date (the extended date where extended)",
                    cur["late"],
                    prev["late"],
                ),
            ],
            responded,
        )
        table = Table(
            "timeliness-table",
            "Timeliness of complaint responses, all stages",
            "Responses",
            (self.years[0], f"Share of {self.years[0]}", self.years[1]),
            rows,
        )
        section = Section("timeliness", "Timeliness", tables=[table, self.stage_timeliness()])
        section.paragraphs.append(
            "A response is late when it was sent after the due date or, where the timescale was extended, "
            "after the extended date."
        )
        self.chart(section, table, columns=(0, 2))
        section.summary = (
            f"{self.n(responded)} complaints were responded to in {self.years[0]}. {self.n(cur['extended'])} "
            f"were extended and {self.n(cur['late'])} ({self.fmt.percent(cur['late'], responded).text}) were "
            "responded to outside the timescale, whether the first or the extended one."
        )
        if not responded:
            section.summary = f"No complaints were responded to in {self.years[0]}."
        return section

    def stage_timeliness(self) -> Table:
        by, f = self.cur.stage_timeliness, self.fmt
        rows = []
        for procedure in ("statutory", "corporate"):
            for stage in STAGES:
                done, ext, late = (by[procedure, stage, m] for m in ("responded", "extended", "late"))
                rows.append(
                    (
                        f"{procedure.capitalize()} stage {stage}",
                        (f.count(done), f.count(ext), f.count(late), f.percent(late, done)),
                    )
                )
        return Table(
            "stage-timeliness-table",
            f"Timeliness by procedure and stage, {self.years[0]}",
            "Procedure and stage",
            ("Responded to", "Extended", "Late", "Share late"),
            tuple(rows),
        )

    def people(self) -> Section:
        cur, prev = self.cur, self.prev
        rows = self.pairs(
            [
                ("Complaints made by young people", cur.young_people, prev.young_people),
                ("of which with the help of an advocate", cur.advocate_assisted, prev.advocate_assisted),
                ("Complaints reopened after a response", cur.reopened, prev.reopened),
            ]
        )
        table = Table(
            "people-table", "Young people, advocacy and reopened complaints", "Complaints", self.years, rows
        )
        section = Section("young-people", "Young people, advocacy and reopened complaints", tables=[table])
        self.chart(section, table)
        section.summary = (
            f"Of the {self.n(cur.complaints)} complaints received in {self.years[0]}, "
            f"{self.n(cur.young_people)} were made by young people, "
            f"{self.n(cur.advocate_assisted)} of them with an advocate. "
            f"{self.n(cur.reopened)} complaints were reopened after a response."
        )
        return section

    def ombudsman(self) -> Section:
        cur, prev = self.cur.lgo_decisions, self.prev.lgo_decisions
        keys = [k for k in (*LGO_DECISIONS, "not_recorded") if cur[k] or prev[k] or k in LGO_DECISIONS[:3]]
        total = sum(cur.values())
        values = [(OUTCOME_NAMES[k], cur[k], prev[k]) for k in keys]
        rows = self.pairs([*values, ("All decisions", total, sum(prev.values()))])
        table = Table(
            "ombudsman-table", "Ombudsman decisions reached in the year", "Decision", self.years, rows
        )
        section = Section("ombudsman", "Local Government and Social Care Ombudsman", tables=[table])
        received = (self.cur.at_a_glance()["lgo_enquiries"], self.prev.at_a_glance()["lgo_enquiries"])
        section.paragraphs.append(
            f"We received {self.n(received[0])} Ombudsman enquiries in {self.years[0]} "
            f"({self.n(received[1])} in {self.years[1]}). A decision counts in the year it was made."
        )
        self.chart(section, table, columns=(0, 1), skip_last=True)
        section.summary = (
            f"The Ombudsman reached {self.n(total)} decisions in {self.years[0]}: "
            f"{self.n(cur['upheld'])} upheld, {self.n(cur['partially_upheld'])} partially upheld, "
            f"{self.n(cur['not_upheld'])} not upheld and "
            f"{self.n(cur['outside_remit'])} outside the Ombudsman's remit."
        )
        return section

    def actions(self) -> Section:
        cur, prev = self.cur.commitments, self.prev.commitments
        section = Section("actions", "Recommendations and actions")
        section.paragraphs.append(
            "Recommendations from stage 2 investigations, review panels and the Ombudsman, and the actions "
            "promised in responses, agreed in the year, with where each stands now."
        )
        if not cur and not prev:
            section.paragraphs.append(f"None were recorded in {self.years[0]} or {self.years[1]}.")
            return section
        f, rows = self.fmt, []
        for source in COMMITMENT_SOURCES:
            now = [cur[source, status] for status in COMMITMENT_STATUSES]
            before = sum(prev[source, status] for status in COMMITMENT_STATUSES)
            rows.append(
                (SOURCE_NAMES[source], (*(f.count(n) for n in now), f.count(sum(now)), f.count(before)))
            )
        statuses = (STATUS_NAMES[s] for s in COMMITMENT_STATUSES)
        columns = (*statuses, f"{self.years[0]} total", f"{self.years[1]} total")
        caption = "Recommendations and actions agreed, by their status now"
        table = Table("actions-table", caption, "Source", columns, tuple(rows))
        section.tables.append(table)
        self.chart(section, table, columns=(-2, -1))
        done = sum(n for (_, status), n in cur.items() if status == "complete")
        section.summary = (
            f"{self.n(sum(cur.values()))} recommendations and actions were agreed in {self.years[0]} "
            f"({self.n(sum(prev.values()))} in {self.years[1]}); {self.n(done)} of them are complete."
        )
        return section
