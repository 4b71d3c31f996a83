"""The sections counted by date received: at a glance, quarters, service areas, themes, SEND, compliments."""

from __future__ import annotations

from typing import Any

from portal.reports.figures import STAGES, VOLUME_TYPES
from portal.reports.tables import Builder, Section, Table, area_name

GLANCE_ROWS = (
    ("Compliments", ("compliments", "")),
    ("General enquiries", ("enquiries", "general")),
    ("Councillor enquiries", ("enquiries", "councillor")),
    ("MP enquiries", ("enquiries", "mp")),
    ("Statutory complaints, stage 1", ("statutory", "stage1")),
    ("Statutory complaints, stage 2", ("statutory", "stage2")),
    ("Statutory complaints, stage 3", ("statutory", "stage3")),
    ("Corporate complaints, stage 1", ("corporate", "stage1")),
    ("Corporate complaints, stage 2", ("corporate", "stage2")),
    ("Corporate complaints, stage 3", ("corporate", "stage3")),
    ("Ombudsman enquiries", ("lgo_enquiries", "")),
)
VOLUME_NAMES = dict(
    zip(
        VOLUME_TYPES,
        ("Compliments", "Enquiries", "Statutory complaints", "Corporate complaints", "Ombudsman enquiries"),
        strict=True,
    )
)
QUARTERS = ("April to June", "July to September", "October to December", "January to March")
NO_THEME = "Not recorded"


def glance_value(glance: dict[str, Any], key: tuple[str, str]) -> int:
    value = glance[key[0]]
    return int(value[key[1]] if key[1] else value)


class ReceivedSections(Builder):
    def glance(self) -> Section:
        cur, prev = self.cur.at_a_glance(), self.prev.at_a_glance()
        rows = self.pairs([(label, glance_value(cur, k), glance_value(prev, k)) for label, k in GLANCE_ROWS])
        table = Table(
            "at-a-glance-table",
            f"Representations received in {self.years[0]} and {self.years[1]}",
            "Type",
            self.years,
            rows,
        )
        section = Section("at-a-glance", "At a glance", tables=[table])
        section.paragraphs.append(
            f"All representations received from {self.cur.period.long_label}, with the figures for "
            f"{self.prev.period.long_label} beside them. A complaint counts once at each stage it reached."
        )
        self.chart(section, table)
        section.summary = (
            f"In {self.years[0]} we received {self.n(cur['compliments'])} compliments "
            f"({self.n(prev['compliments'])} in {self.years[1]}), {self.n(self.cur.complaints)} complaints "
            f"across all stages ({self.n(self.prev.complaints)}) and {self.n(cur['lgo_enquiries'])} "
            f"Ombudsman enquiries ({self.n(prev['lgo_enquiries'])})."
        )
        return section

    def volumes(self) -> Section:
        cur = {t: [self.cur.quarters[t, q] for q in (1, 2, 3, 4)] for t in VOLUME_TYPES}
        prev = {t: sum(self.prev.quarters[t, q] for q in (1, 2, 3, 4)) for t in VOLUME_TYPES}
        f = self.fmt
        rows = tuple(
            (VOLUME_NAMES[t], (*(f.count(v) for v in cur[t]), f.count(sum(cur[t])), f.count(prev[t])))
            for t in VOLUME_TYPES
        )
        columns = (*QUARTERS, f"{self.years[0]} total", f"{self.years[1]} total")
        table = Table(
            "volumes-table", f"Feedback received in each quarter of {self.years[0]}", "Type", columns, rows
        )
        section = Section("volumes", "Feedback by quarter", tables=[table])
        self.chart(section, table, columns=(0, 1, 2, 3))
        totals = [sum(cur[t][q] for t in VOLUME_TYPES) for q in range(4)]
        busiest = max(range(4), key=lambda q: totals[q])
        section.summary = (
            f"The busiest quarter of {self.years[0]} was {QUARTERS[busiest]}, with {self.n(totals[busiest])} "
            "compliments, enquiries, complaints and Ombudsman enquiries received."
        )
        if not sum(totals):
            section.summary = f"Nothing was received in {self.years[0]}."
        return section

    def areas(self) -> Section:
        cur, prev, by = self.cur.area_totals(), self.prev.area_totals(), self.cur.complaint_areas
        f = self.fmt
        rows = tuple(
            (
                area_name(a),
                (f.count(by[a, "statutory"]), f.count(by[a, "corporate"]), f.count(cur[a]), f.count(prev[a])),
            )
            for a in self.ranked(cur, prev)
        )
        columns = (f"Statutory {self.years[0]}", f"Corporate {self.years[0]}", *self.years)
        table = Table(
            "areas-table", "Complaints received by service area, all stages", "Service area", columns, rows
        )
        section = Section("service-areas", "Complaints by service area", tables=[table])
        section.paragraphs.append(
            f"We received {self.n(self.cur.complaints)} statutory and corporate complaints across all three "
            f"stages ({self.n(self.prev.complaints)} in {self.years[1]}): "
            f"{self.n(self.stage_total(self.cur, 2))} at stage 2 and {self.n(self.stage_total(self.cur, 3))} "
            "at stage 3."
        )
        self.chart(section, table, columns=(2, 3))
        top = self.ranked(cur, prev)[:2]
        section.summary = (
            "No complaints were received."
            if not top
            else (
                f"The service area with the most complaints was {area_name(top[0])} with "
                f"{self.n(cur[top[0]])} ({self.n(prev[top[0]])} in {self.years[1]})"
                + (f", followed by {area_name(top[1])} with {self.n(cur[top[1]])}." if len(top) > 1 else ".")
            )
        )
        return section

    def themes(self) -> Section:
        cur, prev = self.cur.themes, self.prev.themes
        total = sum(cur.values())
        rows = self.shared([(t or NO_THEME, cur[t], prev[t]) for t in self.ranked(cur, prev)], total)
        table = Table(
            "themes-table",
            "Complaints received by theme, all stages",
            "Theme",
            (self.years[0], f"Share of {self.years[0]}", self.years[1]),
            rows,
        )
        section = Section("themes", "What complaints were about", tables=[table])
        self.chart(section, table, columns=(0, 2))
        top = self.ranked(cur, prev)[:1]
        section.summary = (
            "No complaints were received."
            if not top or not total
            else (
                f"The most common theme was {(top[0] or NO_THEME).lower()}: {self.n(cur[top[0]])} "
                f"complaints, {self.fmt.percent(cur[top[0]], total).text} of those received in "
                f"{self.years[0]}."
            )
        )
        return section

    def send(self) -> Section:
        cur, prev = self.cur, self.prev
        values = [(f"Stage {s}", cur.send[s], prev.send[s]) for s in STAGES]
        values += [
            ("All stages", sum(cur.send.values()), sum(prev.send.values())),
            ("Responded to", cur.send_timeliness["responded"], prev.send_timeliness["responded"]),
            ("Responded to late", cur.send_timeliness["late"], prev.send_timeliness["late"]),
        ]
        table = Table("send-table", "SEND and EHCP complaints", "Complaints", self.years, self.pairs(values))
        section = Section("send", "SEND and EHCP complaints", tables=[table])
        section.paragraphs.append(
            "Complaints about special educational needs and disabilities (SEND), the Statutory Assessment "
            "Team and education, health and care plans (EHCPs), shown separately. They are also counted "
            "in the tables above."
        )
        table_for_chart = Table(table.id, table.caption, table.row_header, table.columns, table.rows[:3])
        self.chart(section, table_for_chart)
        all_cur, all_prev = sum(cur.send.values()), sum(prev.send.values())
        section.summary = (
            f"{self.n(all_cur)} SEND and EHCP complaints were received in {self.years[0]} across all stages, "
            f"compared with {self.n(all_prev)} in {self.years[1]}."
        )
        return section

    def compliments(self) -> Section:
        cur, prev = self.cur.compliment_areas, self.prev.compliment_areas
        rows = self.pairs([(area_name(a), cur[a], prev[a]) for a in self.ranked(cur, prev)])
        table = Table(
            "compliments-table", "Compliments received by service area", "Service area", self.years, rows
        )
        section = Section("compliments", "Compliments", tables=[table])
        self.chart(section, table)
        top = self.ranked(cur, prev)[:1]
        total = sum(cur.values())
        section.summary = f"We received {self.n(total)} compliments in {self.years[0]}" + (
            f", most of them about {area_name(top[0])} ({self.n(cur[top[0]])})." if top and total else "."
        )
        if self.public:
            section.paragraphs.append("Quotes from compliments are not included in the public version.")
        else:
            section.quotes = self.quotes
            section.paragraphs.append(
                "Quotes are shown only where the person who sent the compliment agreed to it being shared."
                if self.quotes
                else "No compliments this year came with permission to quote them."
            )
        return section
