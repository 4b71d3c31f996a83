"""Staff queues kept rendered under the data version (portal.models.revision): for each viewer,
query and day; a kept queue reads no case, and any change to a case, a person or a staff user
shows at once."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from portal.extensions import db
from portal.models import Case, StaffAccessLog, StaffUser
from portal.models.revision import VERSION, changed
from tests.helpers import statements_run
from tests.integration.test_staff_auth import Clock, checked
from tests.integration.test_staff_cases import clock, make_case, signed_in, staff

__all__ = ["clock", "staff"]  # the sign-in tests' fixtures, used by name


def _version(app: Flask) -> int:
    with app.app_context():
        return data_version()


def data_version() -> int:
    return int(db.session.connection().execute(VERSION).scalar_one())


def _queue(client: FlaskClient, url: str = "/staff/cases") -> str:
    return checked(client.get(url)).get_text(" ", strip=True)


def test_a_kept_queue_reads_no_case_and_a_change_shows_at_once(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    first = make_case(app, "Ola Overdue", days_ago=40)
    signed_in(client, clock)
    with statements_run(app) as rendered:
        assert first in _queue(client)
    with statements_run(app) as kept:
        assert first in _queue(client)
    assert any("case_record" in s for s in rendered)
    assert not any("case_record" in s for s in kept), kept
    assert sum("data_version" in s for s in kept) == 1 and len(kept) < len(rendered)
    htmx = client.get("/staff/cases", headers={"HX-Request": "true"}).get_data(as_text=True)  # its own page
    assert htmx.startswith('<div id="queue-results">') and first in htmx

    second = make_case(app, "Nia New", days_ago=0)
    assert second in _queue(client) and second in _queue(client, "/staff/cases?queue=all")
    with app.app_context(), db.transaction() as s:  # a staff user's name, on a row of no case
        case = s.scalar(select(Case).where(Case.reference == second))
        assert case is not None
        case.assigned_to_id = staff["manager"]
    assert "Manager" in _queue(client, "/staff/cases?queue=all")
    with app.app_context(), db.transaction() as s:
        user = s.get(StaffUser, staff["manager"])
        assert user is not None
        user.name = "Priya Shah"
    assert "Priya Shah" in _queue(client, "/staff/cases?queue=all")


def test_each_viewer_has_their_own_kept_queue(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    reference = make_case(app, "Rhys Restricted", days_ago=3)
    with app.app_context(), db.transaction() as s:
        case = s.scalar(select(Case).where(Case.reference == reference))
        assert case is not None
        case.restricted = True
    manager = signed_in(app.test_client(), clock, "manager")
    officer = signed_in(client, clock, "officer")  # (signing in changes the staff user's row)
    assert "Rhys Restricted" in _queue(manager)  # managers see a restricted case's name...
    shown = _queue(officer)
    assert reference in shown and "Rhys Restricted" not in shown  # ...an officer not assigned does not


def test_the_data_version_rises_with_each_committed_change_only(app: Flask, staff: dict[str, int]) -> None:
    reference = make_case(app)
    before = _version(app)
    with app.app_context():
        with db.transaction() as s:  # read, nothing written
            s.scalar(select(Case).where(Case.reference == reference))
        assert data_version() == before
        try:
            with db.transaction() as s:
                case = s.scalar(select(Case).where(Case.reference == reference))
                assert case is not None
                case.summary = "Changed, then rolled back."
                s.flush()
                raise RuntimeError
        except RuntimeError:
            pass
        assert data_version() == before
        revision = db.session.scalar(select(Case.revision).where(Case.reference == reference))
        with db.transaction() as s:  # a Core write says so itself
            s.execute(
                text("UPDATE case_record SET summary = 'By hand' WHERE reference = :r"), {"r": reference}
            )
            case_id = s.scalar(select(Case.id).where(Case.reference == reference))
            assert case_id is not None
            changed(s, {case_id})
        db.session.close()
        assert data_version() == before + 1
        assert db.session.scalar(select(Case.revision).where(Case.reference == reference)) == revision + 1
        with db.transaction() as s:
            user = s.get(StaffUser, staff["officer"])
            assert user is not None
            user.name = "Olu Officer"
        assert data_version() == before + 2


def test_a_case_page_is_kept_once_the_view_is_on_the_chronology(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    clock.now = clock.now.replace(hour=10)  # the hour below stays in the same day
    reference = make_case(app, "Ola Overdue", days_ago=40)
    signed_in(client, clock)
    url = f"/staff/cases/{reference}"
    with statements_run(app) as first:  # writes "Viewed by Officer." (the page is not kept)...
        assert "Viewed by Officer." in _queue(client, url)
    with statements_run(app) as second:  # ...so it is made again, now with nothing to write, and kept
        _queue(client, url)
    with statements_run(app) as third:
        shown = _queue(client, url)
    assert any("INSERT INTO case_event" in s for s in first)
    assert any("chronology" in s or "case_event" in s for s in second) and len(third) < len(second)
    assert not any("case_record" in s for s in third), third  # the signed-in session, with the version
    assert "Ola Overdue" in shown

    with app.app_context(), db.transaction() as s:
        case = s.scalar(select(Case).where(Case.reference == reference))
        assert case is not None
        case.summary = "Nobody has called back for six weeks."
    assert "Nobody has called back for six weeks." in _queue(client, url)

    for _ in range(3):  # an hour on (busy all the while): the view is due again, and written
        clock.advance(minutes=21)
        client.get("/staff/")
    with statements_run(app) as later:
        assert client.get(url).status_code == 200
    assert any("INSERT INTO case_event" in s for s in later)


def test_a_kept_case_page_is_never_shown_to_someone_who_may_not_see_it(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    reference = make_case(app)
    url = f"/staff/cases/{reference}"
    officer = signed_in(app.test_client(), clock, "officer")
    responding = signed_in(client, clock, "responding_manager")  # sees only the cases assigned to them
    for _ in range(3):
        assert officer.get(url).status_code == 200
    assert responding.get(url).status_code == 403


def test_each_read_of_a_restricted_case_is_logged(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    reference = make_case(app)
    with app.app_context(), db.transaction() as s:
        case = s.scalar(select(Case).where(Case.reference == reference))
        assert case is not None
        case.restricted = True
    manager = signed_in(client, clock, "manager")
    for _ in range(3):
        assert manager.get(f"/staff/cases/{reference}").status_code == 200
    with app.app_context():
        reads = db.session.scalars(select(StaffAccessLog).where(StaffAccessLog.outcome == "restricted_read"))
        assert len(list(reads)) == 3
