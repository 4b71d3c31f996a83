"""The back office queues and case page: filters with and without htmx, constant queries, the banner."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.domain.routing import ComplainantCategory, ServiceArea
from portal.extensions import db
from portal.models import Case, CaseEvent, Commitment, Person, StaffAccessLog
from portal.services.cases import SYSTEM, NewCase, record_case
from portal.services.rules import rules
from tests.helpers import statements_run
from tests.integration import test_staff_auth as auth
from tests.integration.test_staff_auth import Clock, checked, enrol

clock, staff = auth.clock, auth.staff  # the sign-in tests' fixtures


def make_case(app: Flask, name: str = "Jo Parent", days_ago: int = 1, summary: str = "Nobody called back.",
              **person: object) -> str:  # fmt: skip
    with app.app_context(), db.transaction() as session:
        case = record_case(session, NewCase(
            kind="complaint", category=ComplainantCategory.PARENT, service_area=ServiceArea.CHILDREN_IN_CARE,
            summary=summary, received_on=date.today() - timedelta(days=days_ago), person_name=name,
            person_email="jo@example.com", arose_on=date.today() - timedelta(days=days_ago + 10),
        ), SYSTEM, rules())  # fmt: skip
        for key, value in person.items():
            setattr(case.complainant, key, value)
        return case.reference


def signed_in(client: FlaskClient, clock: Clock, role: str = "officer") -> FlaskClient:
    enrol(client, clock, f"{role}@example.gov.uk")
    return client


def test_queue_lists_filters_and_searches(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    old = make_case(app, "Ola Overdue", days_ago=40)
    new = make_case(app, "Nia New", days_ago=0, summary="The foster allowance was late.")
    signed_in(client, clock)
    soup = checked(client.get("/staff/cases"))
    text = soup.get_text(" ", strip=True)
    assert old in text and new in text
    row = next(r for r in soup.select("#queue-table tbody tr") if old in r.get_text())
    assert "Overdue" in row.select_one("strong.govuk-tag").get_text()  # a word, not only a colour
    overdue = checked(client.get("/staff/cases?queue=overdue")).get_text(" ", strip=True)
    assert old in overdue and new not in overdue
    assert new in checked(client.get("/staff/cases?q=foster")).get_text()
    assert old not in checked(client.get("/staff/cases?q=nia")).get_text()
    assert new in checked(client.get(f"/staff/cases?q={new.lower()}")).get_text()
    assert "No cases match" in checked(client.get("/staff/cases?assigned=me")).get_text()
    # Nonsense in the URL falls back to the defaults rather than failing.
    checked(client.get("/staff/cases?queue=bogus&sort=nope&page=x&stage=9"))
    # The search box keeps what was typed; a search too long to be one says so beside the box.
    box = checked(client.get('/staff/cases?q=Nia "New"')).select_one("input#q")
    assert box["value"] == 'Nia "New"' and box["type"] == "search" and not box.get("aria-describedby")
    soup = checked(client.get("/staff/cases?q=" + "x" * 101))
    message = soup.select_one("#q-error").get_text(" ", strip=True)
    assert message == "Error: Search must be 100 characters or fewer"
    assert soup.select_one("input#q")["aria-describedby"] == "q-error"


def test_queue_search_finds_each_field_and_counts_a_case_once(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    both = make_case(app, "Robin Hood", summary="Robin's social worker never rang back.")
    child = make_case(app, "Sam Parent", summary="No reply to letters.")
    other = make_case(app, "Alex Other", summary="Missed visits.")
    with app.app_context(), db.transaction() as session:
        session.get(
            Case, session.scalar(select(Case.id).where(Case.reference == child))
        ).child_name = "Robin Young"
    signed_in(client, clock)

    def found(q: str) -> tuple[str, list[str]]:
        soup = checked(client.get("/staff/cases", query_string={"queue": "all", "q": q}))
        refs = [a.get_text() for a in soup.select("#queue-table tbody th a")]
        return soup.select_one("#queue-results h2").get_text(" ", strip=True), refs

    # In the name and the summary of one case, the child's name of another: two cases, each once.
    assert found("ROBIN") == ("All cases: 2 cases", [both, child])
    assert found("rang back") == ("All cases: 1 case", [both])  # the summary only
    assert found("alex") == ("All cases: 1 case", [other])  # the complainant's name only
    assert found(other.lower()[:9])[0].endswith("3 cases")  # part of a reference: all three
    assert found("young") == ("All cases: 1 case", [child])  # the child's name only


def test_queue_filters_answer_htmx_with_the_results_only(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    ref = make_case(app)
    signed_in(client, clock)
    full = client.get("/staff/cases?queue=open")
    assert "<html" in full.get_data(as_text=True) and "HX-Request" in full.headers.get("Vary", "")
    soup = checked(full)
    form = soup.select_one("main form[method=get]")
    assert form["action"] == "/staff/cases" and form["hx-get"] == "/staff/cases"
    fragment = client.get("/staff/cases?queue=open", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and body.strip().startswith('<div id="queue-results">') and ref in body
    assert "HX-Request" in fragment.headers.get("Vary", "")


def test_queue_pages_of_25(app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]) -> None:
    refs = [make_case(app, f"Person {n}", days_ago=n % 10) for n in range(30)]  # made in id order
    signed_in(client, clock)
    first = checked(client.get("/staff/cases?sort=reference"))
    assert len(first.select("#queue-table tbody tr")) == 25 and "30 cases" in first.get_text()
    second = checked(client.get("/staff/cases?sort=reference&page=2"))
    assert len(second.select("#queue-table tbody tr")) == 5
    # Page 2 is nearer the end, so it is read backwards and turned round: the same order either way.
    oldest_first = sorted(range(30), key=lambda n: (-(n % 10), n))
    newest_first = sorted(range(30), key=lambda n: (n % 10, -n))
    for sort, expected in (("reference", sorted(refs)), ("received_old", [refs[n] for n in oldest_first]),
                           ("received_new", [refs[n] for n in newest_first]), ("due", None)):  # fmt: skip
        pages = [checked(client.get(f"/staff/cases?sort={sort}&page={page}")) for page in (1, 2)]
        shown = [a.get_text() for page in pages for a in page.select("#queue-table tbody th a")]
        assert shown == expected if expected else sorted(shown) == sorted(refs), sort
    # A page number no database integer holds is past the last page, not a failure.
    far = checked(client.get("/staff/cases?sort=reference&page=" + "9" * 30))
    assert "30 cases" in far.get_text() and not far.select("#queue-table tbody tr")


def test_dated_queues_page_in_due_order(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    """Overdue and due-soon cases all have a due date, so their order has no "no date" key (the
    index gives it as it is): due date, then received, then id, read either way across pages."""
    refs = [make_case(app, f"Person {n}", days_ago=20 + n % 7) for n in range(30)]
    with app.app_context():
        found = db.session.execute(
            select(Case.reference).where(Case.reference.in_(refs))
            .order_by(Case.next_due_on, Case.received_on, Case.id)
        ).scalars().all()  # fmt: skip
    signed_in(client, clock)
    pages = [checked(client.get(f"/staff/cases?queue=overdue&sort=due&page={page}")) for page in (1, 2)]
    assert [a.get_text() for page in pages for a in page.select("#queue-table tbody th a")] == found
    assert len(set(found)) == 30


def test_actions_overdue_queue_lists_cases_with_an_action_past_its_date_not_done(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    late, done, later, none = (make_case(app, n) for n in ("Lee Late", "Dee Done", "Lou Later", "Ned None"))
    past, future = date.today() - timedelta(days=3), date.today() + timedelta(days=3)
    actions = [
        (late, past, "in_progress"),
        (late, past, "complete"),
        (late, past, "not_started"),
        (done, past, "complete"),
        (done, past, "not_accepted"),
        (later, future, "not_started"),
    ]
    with app.app_context(), db.transaction() as session:
        for ref, due_on, status in actions:
            case_id = session.scalar(select(Case.id).where(Case.reference == ref))
            session.add(Commitment(case_id=case_id, source="panel", text="Sorry", due_on=due_on,
                                   status=status))  # fmt: skip
    signed_in(client, clock)
    soup = checked(client.get("/staff/cases?queue=actions_overdue"))
    rows = soup.select("#queue-table tbody tr")
    assert [r.select_one("th a").get_text() for r in rows] == [late]
    assert "2 actions overdue" in rows[0].get_text(" ", strip=True)  # the complete one is not counted
    assert "1 case" in soup.select_one("#queue-results h2").get_text() and none not in soup.get_text()


def _queries_for(app: Flask, client: FlaskClient) -> int:
    client.get("/staff/cases")  # warm up
    with statements_run(app) as statements:
        assert client.get("/staff/cases?queue=all").status_code == 200
    return len(statements)


def test_queue_page_runs_the_same_number_of_queries_for_5_and_50_cases(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    for n in range(5):
        make_case(app, f"Person {n}")
    signed_in(client, clock)
    five = _queries_for(app, client)
    for n in range(45):
        make_case(app, f"Person {n}")
    assert _queries_for(app, client) == five


def test_case_page_shows_banner_dates_chronology_and_records_views(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    ref = make_case(app, no_post_home=True, no_voicemail=True, safe_times="Weekdays 10 to 2",
                    needs={"formats": ["large_print"], "large_print_size": 24})  # fmt: skip
    signed_in(client, clock)
    soup = checked(client.get(f"/staff/cases/{ref}"))
    banner = soup.select_one("#needs-banner").get_text(" ", strip=True)
    assert "do not post to their home" in banner and "do not leave voicemail" in banner
    assert "Weekdays 10 to 2" in banner and "large print" in banner
    assert soup.select("details.govuk-details") and "working days" in soup.select_one("details").get_text()
    # The view just recorded is on the page, under the name of who did it (read with the chronology).
    latest = soup.select_one("#chronology + ol li")
    assert "Viewed by Officer." in latest.get_text() and latest.span.get_text().endswith("– Officer")
    with statements_run(app) as statements:
        client.get(f"/staff/cases/{ref}")
    with app.app_context(), db.transaction() as session:  # notes by every other member of staff
        case_id = session.scalar(select(Case.id).where(Case.reference == ref))
        for role, user_id in staff.items():
            if role != "officer":
                session.add(CaseEvent(case_id=case_id, at=clock.now, actor_kind="staff", actor_id=user_id,
                                      kind="note", summary=f"Note by {role}.", data={}))  # fmt: skip
    with statements_run(app) as more_staff:
        soup = checked(client.get(f"/staff/cases/{ref}"))
    assert len(more_staff) == len(statements)  # their names come with the chronology, no query each
    lines = [li.span.get_text() for li in soup.select("#chronology + ol li")]
    assert any(line.endswith("– Responding Manager") for line in lines)
    assert any(line.endswith("– Officer") for line in lines)
    with app.app_context():
        views = db.session.scalar(select(func.count(CaseEvent.id)).where(CaseEvent.kind == "viewed"))
    assert views == 1  # once an hour per person
    for _ in range(3):  # an hour later, busy all the while (the idle timeout is 30 minutes)
        clock.advance(minutes=21)
        client.get("/staff/")
    client.get(f"/staff/cases/{ref}")
    with app.app_context():
        views = db.session.scalar(select(func.count(CaseEvent.id)).where(CaseEvent.kind == "viewed"))
    assert views == 2
    # Every action page shows the same banner.
    assert checked(client.get(f"/staff/cases/{ref}/pause")).select_one("#needs-banner")


def test_unknown_case_and_other_managers_case_are_refused_and_logged(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    ref = make_case(app)
    signed_in(client, clock, "responding_manager")
    assert client.get(f"/staff/cases/{ref}").status_code == 403
    assert client.get("/staff/cases/CC-1999-000999").status_code == 403
    with app.app_context():
        refused = db.session.scalars(select(StaffAccessLog.detail).where(StaffAccessLog.outcome == "refused"))
        assert any("not visible" in (d or "") for d in refused)
        case = db.session.scalar(select(Case).where(Case.reference == ref))
        assert case is not None
    assert ref not in client.get("/staff/cases").get_data(as_text=True)


def test_staff_documents_download_only_for_the_case(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    from portal.services import documents

    ref = make_case(app)
    other = make_case(app, "Someone Else")
    with app.app_context(), db.transaction() as session:
        case = session.scalar(select(Case).where(Case.reference == ref))
        doc_id = documents.produce(session, case, "acknowledgement")[0].id
    signed_in(client, clock)
    soup = checked(client.get(f"/staff/cases/{ref}"))
    link = soup.select_one(f"a[href='/staff/cases/{ref}/documents/{doc_id}']")
    assert link is not None
    response = client.get(link["href"])
    assert response.status_code == 200 and response.data
    assert client.get(f"/staff/cases/{other}/documents/{doc_id}").status_code == 404


def test_record_a_case_received_by_phone(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    from tests.journey import post

    signed_in(client, clock)
    empty = post(client, "/staff/cases/new", {})
    soup = checked(empty)
    assert soup.title.get_text().startswith("Error:") and soup.select(".govuk-error-summary li")
    day = date.today() - timedelta(days=2)
    response = post(client, "/staff/cases/new", {
        "kind": "complaint", "channel": "phone", "received_on": [str(day.day), str(day.month), str(day.year)],
        "category": "parent", "service_area": "children_in_care", "person_name": "Phone Caller",
        "summary": "Rang to say the review meeting was cancelled again.",
    })  # fmt: skip
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    with app.app_context():
        case = db.session.scalar(select(Case).join(Person).where(Person.name == "Phone Caller"))
        assert case is not None and case.channel == "phone" and case.received_on == day
        assert response.location == f"/staff/cases/{case.reference}"
