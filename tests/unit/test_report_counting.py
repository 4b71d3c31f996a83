"""The annual report's counting rules, on grouped rows (no database): years, quarters, late, small numbers."""

from __future__ import annotations

from datetime import date

import pytest

from portal.reports.charts import Series, bar_chart
from portal.reports.export import _safe
from portal.reports.figures import (
    Agreed,
    Period,
    Received,
    Responded,
    financial_year,
    fold,
    glance_key,
    is_send,
    quarter_of,
    to_json,
)
from portal.reports.sections import build_report
from portal.reports.tables import FEWER, Formatter


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2023, 3, 31), 2022),
        (date(2023, 4, 1), 2023),
        (date(2022, 4, 1), 2022),
        (date(2022, 3, 31), 2021),
        (date(2022, 12, 31), 2022),
        (date(2023, 1, 1), 2022),
    ],
)
def test_financial_year_runs_april_to_march(day: date, year: int) -> None:
    assert financial_year(day) == year
    assert day in Period(year)
    assert day not in Period(year + 1) and day not in Period(year - 1)


def test_period_bounds_and_labels() -> None:
    period = Period(2022)
    assert (period.start, period.last_day, period.end) == (
        date(2022, 4, 1),
        date(2023, 3, 31),
        date(2023, 4, 1),
    )
    assert period.label == "2022-23" and Period(1999).label == "1999-00"
    assert period.long_label == "April 2022 to March 2023"
    assert period.previous == Period(2021)
    assert period.quarter_starts == (date(2022, 4, 1), date(2022, 7, 1), date(2022, 10, 1), date(2023, 1, 1))


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (date(2022, 4, 1), 1),
        (date(2022, 6, 30), 1),
        (date(2022, 7, 1), 2),
        (date(2022, 12, 31), 3),
        (date(2023, 1, 1), 4),
        (date(2023, 3, 31), 4),
    ],
)
def test_quarters_start_in_april(day: date, quarter: int) -> None:
    assert quarter_of(day) == quarter


@pytest.mark.parametrize(
    ("kind", "procedure", "stage", "key"),
    [
        ("complaint", "statutory", 1, ("statutory", "stage1")),
        ("complaint", "corporate", 3, ("corporate", "stage3")),
        ("complaint", "corporate", 4, None),
        ("complaint", "lgo", 1, None),
        ("compliment", "compliment", 1, ("compliments", "")),
        ("enquiry_general", "enquiry_general", 1, ("enquiries", "general")),
        ("enquiry_councillor", "enquiry_councillor", 1, ("enquiries", "councillor")),
        ("enquiry_mp", "enquiry_mp", 1, ("enquiries", "mp")),
        ("lgo", "lgo", 1, ("lgo_enquiries", "")),
        ("something_else", "", 1, None),
    ],
)
def test_where_each_record_counts_at_a_glance(
    kind: str, procedure: str, stage: int, key: tuple[str, str] | None
) -> None:
    assert glance_key(kind, procedure, stage) == key


def test_send_service_areas_are_recognised_whatever_their_case() -> None:
    assert is_send("send") and is_send(" SEND ") and is_send("SAT") and is_send("ehcp")
    assert not is_send("front_door") and not is_send("sender")


def received(
    year: int,
    kind: str = "complaint",
    procedure: str = "statutory",
    stage: int = 1,
    area: str = "front_door",
    theme: str | None = "Plans",
    young: bool = False,
    advocate: bool = False,
    n: int = 1,
    quarter: int = 1,
) -> Received:
    return Received(year, quarter, kind, procedure, stage, area, theme, young, advocate, n)


def responded(
    year: int,
    outcome: str | None = "upheld",
    extended: bool = False,
    late: bool = False,
    kind: str = "complaint",
    stage: int = 1,
    n: int = 1,
    area: str = "front_door",
) -> Responded:
    return Responded(year, kind, "statutory", stage, area, outcome, extended, late, n)


def test_fold_counts_each_year_apart_and_ignores_others() -> None:
    rows = [
        received(2022, n=5),
        received(2021, n=3),
        received(2020, n=100),
        received(2023, n=100),
        received(2022, "compliment", "compliment", n=2),
        received(2022, "lgo", "lgo", n=4),
    ]
    figures = fold(Period(2022), rows, [], {})
    assert figures.current.at_a_glance()["statutory"]["stage1"] == 5
    assert figures.previous.at_a_glance()["statutory"]["stage1"] == 3
    assert figures.current.at_a_glance()["compliments"] == 2
    assert figures.current.at_a_glance()["lgo_enquiries"] == 4
    assert figures.current.complaints == 5 and figures.previous.complaints == 3


def test_young_people_and_advocates_count_complaint_records_only() -> None:
    rows = [
        received(2022, young=True, advocate=True, n=3),
        received(2022, young=True, n=2),
        received(2022, advocate=True, n=7),  # a parent with an advocate: not a young person
        received(2022, "compliment", "compliment", young=True, advocate=True, n=9),
    ]
    current = fold(Period(2022), rows, [], {}).current
    assert (current.young_people, current.advocate_assisted) == (5, 3)


def test_late_and_extended_are_counted_separately() -> None:
    rows = [
        responded(2022, n=10),
        responded(2022, extended=True, n=4),
        responded(2022, extended=True, late=True, n=2),
        responded(2022, late=True, n=3),
        responded(2021, late=True, n=50),
    ]
    current = fold(Period(2022), [], rows, {}).current
    assert dict(current.timeliness) == {"responded": 19, "extended": 6, "late": 5}
    assert current.stage_timeliness["statutory", 1, "late"] == 5


def test_outcomes_and_ombudsman_decisions_are_kept_apart() -> None:
    rows = [
        responded(2022, "upheld", n=2),
        responded(2022, "withdrawn"),
        responded(2022, None),
        responded(2022, "outside_remit", kind="lgo", n=4),
        responded(2022, "upheld", kind="lgo"),
    ]
    current = fold(Period(2022), [], rows, {}).current
    assert dict(current.outcomes) == {"upheld": 2, "withdrawn": 1, "not_recorded": 1}
    assert dict(current.lgo_decisions) == {"outside_remit": 4, "upheld": 1}
    assert current.timeliness["responded"] == 4  # Ombudsman decisions are not complaint responses


def test_send_complaints_are_also_shown_separately() -> None:
    rows = [received(2022, procedure="corporate", area="send", stage=s, n=s) for s in (1, 2, 3)]
    figures = fold(Period(2022), rows, [responded(2022, area="send", late=True)], {})
    assert dict(figures.current.send) == {1: 1, 2: 2, 3: 3}
    assert figures.current.send_timeliness["late"] == 1
    assert figures.current.area_totals()["send"] == 6


def test_json_has_the_required_shape() -> None:
    figures = fold(
        Period(2022),
        [received(2022, n=52), received(2021, n=74)],
        [responded(2022)],
        {2022: 3},
        agreed=[Agreed(2022, "panel", "complete", 2)],
    )
    out = to_json(figures)
    assert out["year"] == "2022-23"
    assert set(out["at_a_glance"]) == {"compliments", "enquiries", "statutory", "corporate", "lgo_enquiries"}
    assert out["at_a_glance"]["enquiries"] == {"general": 0, "councillor": 0, "mp": 0}
    assert out["at_a_glance"]["statutory"] == {"stage1": 52, "stage2": 0, "stage3": 0}
    assert out["previous_year"]["statutory"]["stage1"] == 74
    assert out["timeliness"] == {"responded": 1, "extended": 0, "late": 0}
    assert out["outcomes"] == {"upheld": 1, "partially_upheld": 0, "not_upheld": 0, "withdrawn": 0}
    assert (out["young_people"], out["advocate_assisted"], out["reopened"]) == (0, 0, 3)
    assert out["recommendations"]["panel"]["complete"] == 2


@pytest.mark.parametrize(("n", "shown"), [(0, "0"), (1, FEWER), (4, FEWER), (5, "5"), (1234, "1,234")])
def test_the_public_version_suppresses_1_to_4(n: int, shown: str) -> None:
    assert Formatter(public=True).count(n).text == shown
    assert Formatter(public=False).count(n).text == f"{n:,}"
    assert Formatter(public=True).count(n).value == (None if shown == FEWER else n)


def test_percentages_of_suppressed_counts_are_not_shown() -> None:
    public, staff = Formatter(public=True), Formatter(public=False)
    assert public.percent(3, 40).text == "not shown"
    assert staff.percent(3, 40).text == "8%"
    assert public.percent(10, 40).text == "25%"
    assert staff.percent(0, 0).text == "not applicable"


def test_chart_is_an_image_named_by_its_title_with_labelled_bars() -> None:
    chart = str(
        bar_chart(
            "chart-x",
            "Complaints <by> year",
            ["Stage 1", "Stage 2"],
            [Series("2022-23", [10, None], ["10", FEWER]), Series("2021-22", [5, 0], ["5", "0"])],
        )
    )
    assert 'role="img"' in chart and 'aria-labelledby="chart-x-title"' in chart
    assert 'aria-describedby="chart-x-summary"' in chart
    assert '<title id="chart-x-title">Complaints &lt;by&gt; year</title>' in chart
    assert chart.count("<rect") == 2  # no bar for a suppressed or zero value
    assert "2022-23: fewer than 5" in chart and "2021-22: 0" in chart


def test_public_report_has_no_quotes_and_no_small_numbers() -> None:
    from portal.reports.figures import Quote

    rows = [received(2022, n=3), received(2022, "compliment", "compliment", n=20)]
    figures = fold(Period(2022), rows, [], {}, quotes=[Quote(date(2022, 5, 1), "send", "Thank you, Sam")])
    public, staff = build_report(figures, public=True), build_report(figures, public=False)
    cells = [c.text for s in public.sections for t in s.tables for _, row in t.rows for c in row]
    assert FEWER in cells and "3" not in cells
    assert all(not s.quotes for s in public.sections)
    assert [q.text for s in staff.sections for q in s.quotes] == ["Thank you, Sam"]


@pytest.mark.parametrize("text", ["=HYPERLINK(1)", "+1", "-1", "@SUM(A1)"])
def test_csv_cells_never_start_a_formula(text: str) -> None:
    assert _safe(text) == f"'{text}"
    assert _safe("Plans") == "Plans"
