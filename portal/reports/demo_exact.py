"""Make the generated 2022-23 demo figures exact: responses, timeliness, outcomes, people, reopened.

The generator (portal.reports.demo_data) draws dates at random; these steps then choose,
with the same seeded random generator, which records move across 31 March, which were
extended, what each outcome was and who complained, so that the 2022-23 figures equal the
seed report's while 2021-22's stay plausible.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from portal.reports.figures import Period

if TYPE_CHECKING:
    from portal.reports.demo_data import Generator, Rec

TARGET = Period(2022)
RESPONDED, EXTENDED, LATE = 459, 176, 166
OUTCOMES_2022 = {"upheld": 115, "partially_upheld": 193, "not_upheld": 141, "withdrawn": 10}
OUTCOME_WEIGHTS = {"upheld": 25, "partially_upheld": 41, "not_upheld": 31, "withdrawn": 3}
LGO_2022 = {"upheld": 5, "partially_upheld": 3, "not_upheld": 1, "outside_remit": 14}
LGO_WEIGHTS = {
    "upheld": 20,
    "partially_upheld": 15,
    "not_upheld": 10,
    "outside_remit": 45,
    "closed_after_initial_enquiries": 10,
}
YOUNG_PEOPLE, WITH_ADVOCATE = 42, 37
REOPENED_SHARE = 0.10  # "10% of complaints were reopened at Stage 1"
LONDON = ZoneInfo("Europe/London")


def _pick(gen: Generator, weights: dict[str, int]) -> str:
    return gen.rng.choices(list(weights), weights=list(weights.values()))[0]


def _responded_in_year(gen: Generator, complaints: list[Rec]) -> None:
    """Move unescalated responses across 31 March 2023 until 459 fall in 2022-23."""
    inside = [r for r in complaints if r.responded_on in TARGET]
    extra = len(inside) - RESPONDED
    if extra > 0:
        movable = [r for r in inside if r.child is None and r.received_on >= date(2023, 1, 1)]
        for rec in gen.rng.sample(movable, extra):
            rec.responded_on = gen._between(date(2023, 4, 3), date(2023, 4, 28))
    elif extra < 0:
        movable = [
            r
            for r in complaints
            if r.child is None
            and r.received_on in TARGET
            and r.received_on < date(2023, 3, 29)
            and r.responded_on is not None
            and r.responded_on >= TARGET.end
        ]
        for rec in gen.rng.sample(movable, -extra):
            rec.responded_on = gen._between(rec.received_on + timedelta(days=1), TARGET.last_day)


def _band(rec: Rec) -> str:
    """A: by the due date; B: after it but by the latest an extension allows; C: later still."""
    assert rec.responded_on and rec.due and rec.latest
    return "A" if rec.responded_on <= rec.due else "B" if rec.responded_on <= rec.latest else "C"


def _can_extend(rec: Rec) -> bool:
    return bool(rec.due and rec.latest and rec.latest > rec.due)


def _timeliness(gen: Generator, complaints: list[Rec]) -> None:
    """Exactly 176 of the 2022-23 responses extended and 166 late; other years by chance."""
    inside = [r for r in complaints if r.responded_on in TARGET]
    bands = {b: [r for r in inside if _band(r) == b] for b in "ABC"}
    on_time_by_extension = len(bands["B"]) + len(bands["C"]) - LATE  # B extended -> on time
    if not 0 <= on_time_by_extension <= len(bands["B"]):
        raise RuntimeError(f"cannot make {LATE} late from bands {[len(v) for v in bands.values()]}")
    rest = EXTENDED - on_time_by_extension
    late_anyway = [r for r in bands["C"] if _can_extend(r)]
    early = [r for r in bands["A"] if _can_extend(r)]
    n_late = min(len(late_anyway), rest // 3)
    chosen = (
        gen.rng.sample(bands["B"], on_time_by_extension)
        + gen.rng.sample(late_anyway, n_late)
        + gen.rng.sample(early, rest - n_late)
    )
    for rec in chosen:
        rec.extended = True
    chance = {"A": 0.25, "B": 0.55, "C": 0.4}
    for rec in complaints:
        if rec.responded_on not in TARGET and _can_extend(rec):
            rec.extended = gen.rng.random() < chance[_band(rec)]


def _outcomes(gen: Generator, complaints: list[Rec]) -> None:
    inside = [r for r in complaints if r.responded_on in TARGET]
    withdrawn = gen.rng.sample([r for r in inside if r.child is None], OUTCOMES_2022["withdrawn"])
    labels = [o for o, n in OUTCOMES_2022.items() if o != "withdrawn" for _ in range(n)]
    gen.rng.shuffle(labels)
    for rec in withdrawn:
        rec.outcome = "withdrawn"
    for rec, label in zip([r for r in inside if r.outcome != "withdrawn"], labels, strict=True):
        rec.outcome = label
    for rec in complaints:
        if rec.responded_on not in TARGET:
            rec.outcome = _pick(gen, OUTCOME_WEIGHTS)
            if rec.child is not None and rec.outcome == "withdrawn":
                rec.outcome = "not_upheld"


def _lgo_outcomes(gen: Generator) -> None:
    enquiries = [r for r in gen.records if r.kind == "lgo_enquiry"]
    decided = [r for r in enquiries if r.responded_on in TARGET]
    labels = [o for o, n in LGO_2022.items() for _ in range(n)]
    gen.rng.shuffle(labels)
    for rec, label in zip(decided, labels, strict=True):
        rec.outcome = label
    for rec in enquiries:
        if rec.responded_on not in TARGET:
            rec.outcome = _pick(gen, LGO_WEIGHTS)


def _reopened(gen: Generator, complaints: list[Rec]) -> list[tuple[str, datetime]]:
    """About 10% of each year's stage 1 complaints reopened a few days after their response."""
    out = []
    for year in (2021, 2022):
        period = Period(year)
        firsts = [r for r in complaints if r.stage == 1 and r.received_on in period]
        pool = [
            r
            for r in firsts
            if r.responded_on
            and r.responded_on <= period.last_day - timedelta(days=14)
            and r.responded_on in period
            and r.outcome != "withdrawn"
        ]
        for rec in gen.rng.sample(pool, round(REOPENED_SHARE * len(firsts))):
            assert rec.responded_on is not None
            day = rec.responded_on + timedelta(days=gen.rng.randint(3, 14))
            out.append((rec.reference, datetime.combine(day, time(10), LONDON)))
    return out


def exact_flags(gen: Generator) -> list[tuple[str, datetime]]:
    """Fix responses, extensions and outcomes; returns the reopened complaints with when."""
    complaints = [r for r in gen.records if r.kind == "complaint"]
    _responded_in_year(gen, complaints)
    _timeliness(gen, complaints)
    _outcomes(gen, complaints)
    _lgo_outcomes(gen)
    return _reopened(gen, complaints)


def _chain(rec: Rec) -> list[Rec]:
    out = [rec]
    while out[-1].child is not None:
        out.append(out[-1].child)
    return out


def _fill(gen: Generator, chains: list[list[Rec]], target: int) -> list[list[Rec]]:
    """Chains whose 2022-23 records add up to exactly `target` (most chains have one)."""
    chosen, total = [], 0
    for chain in chains:
        n = sum(r.received_on in TARGET for r in chain)
        if n and total + n <= target:
            chosen.append(chain)
            total += n
        if total == target:
            return chosen
    raise RuntimeError(f"could not make {target} from the chains")


def assign_people(gen: Generator) -> None:
    """42 complaint records by young people in 2022-23, 37 of them with an advocate."""
    chains = [_chain(r) for r in gen.records if r.kind == "complaint" and r.stage == 1]
    statutory = [c for c in chains if c[0].procedure == "statutory"]
    corporate = [c for c in chains if c[0].procedure == "corporate"]
    gen.rng.shuffle(statutory)
    gen.rng.shuffle(corporate)
    young = _fill(gen, statutory + corporate, YOUNG_PEOPLE)
    advocated = _fill(gen, gen.rng.sample(young, len(young)), WITH_ADVOCATE)
    young_ids, advocated_ids = {id(c[0]) for c in young}, {id(c[0]) for c in advocated}
    for chain in chains:
        first = chain[0]
        in_target = any(r.received_on in TARGET for r in chain)
        if id(first) in young_ids or (not in_target and gen.rng.random() < 0.1):
            who = "young_person"
            helped = id(first) in advocated_ids or (not in_target and gen.rng.random() < 0.8)
        else:
            who = _pick(gen, {"parent_carer": 85, "other": 8, "advocate": 7})
            helped = who == "advocate"
        org = _pick(gen, {"NYAS": 70, "VoiceAbility": 30}) if helped else ""
        for rec in chain:
            rec.complainant, rec.advocate = who, org
