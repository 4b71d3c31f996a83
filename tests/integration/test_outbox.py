"""The email outbox against a real SMTP server on loopback: queue, deliver, retry, give up, safe contact."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from portal import create_app
from portal.config import TestConfig
from portal.domain.routing import ComplainantCategory as Cat
from portal.domain.routing import ServiceArea as Area
from portal.extensions import db
from portal.models import Case, CaseEvent, OutboxMessage
from portal.models.base import utcnow
from portal.notify import SendReport, queue_email, queue_for_person, send_due
from portal.notify.sender import MAX_ATTEMPTS, _claim, backoff
from portal.services import deadlines
from portal.services.cases import SYSTEM, NewCase, record_case
from portal.services.rules import rules
from tests.smtp import SmtpServer

MAIL_FROM = "Northshire complaints <complaints@northshire.example.gov.uk>"
RECEIVED = date(2026, 11, 2)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def app(database_url: str, smtp: SmtpServer) -> Iterator[Flask]:
    config = TestConfig(
        database_url, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, MAIL_FROM=MAIL_FROM, LANGUAGES=("en", "pl")
    )
    app = create_app(config)
    with app.app_context():
        yield app
    app.extensions["portal.db"].engine.dispose()


def _case(email: str | None = "jo@example.com", **person: Any) -> Case:
    """Record a complaint and queue its acknowledgement in the same transaction."""
    with db.transaction() as session:
        case = _record(session, email)
        for key, value in person.items():
            setattr(case.complainant, key, value)
        assert case.complainant is not None
        queue_for_person(session, case.complainant, case, "acknowledgement", _ack(case))
    return case


def _record(session: Any, email: str | None) -> Case:
    new = NewCase(
        kind="complaint",
        category=Cat.PARENT,
        service_area=Area.CHILDREN_IN_CARE,
        summary="Visits keep being cancelled.",
        received_on=RECEIVED,
        person_name="Jo Parent",
        person_email=email,
        arose_on=date(2026, 10, 1),
    )
    return record_case(session, new, SYSTEM, rules())


def _ack(case: Case) -> dict[str, Any]:
    stage1 = deadlines.open_deadline(case, "stage1_response")
    assert stage1 is not None and stage1.due_on is not None
    return {"reference": case.reference, "due_date": stage1.due_on.isoformat(), "procedure": case.procedure}


def _send(now: datetime | None = None) -> SendReport:
    db.session.rollback()  # end the test's own read transaction first: SQLite has one writer at a time
    return send_due(now or utcnow())


def _messages() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _events(case: Case, kind: str | None = None) -> list[CaseEvent]:
    stmt = select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    return [e for e in db.session.scalars(stmt) if kind is None or e.kind == kind]


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_message_is_queued_in_the_same_transaction_as_the_case(app: Flask) -> None:
    case = _case()
    [message] = _messages()
    assert (message.status, message.attempts, message.recipient) == ("pending", 0, "jo@example.com")
    assert message.case_id == case.id and message.recipient_kind == "complainant"
    assert message.subject == f"We have received your complaint: {case.reference}"
    assert [e.kind for e in _events(case)] == ["received", "email_queued"]


def test_rolled_back_action_leaves_no_message_and_no_event(app: Flask) -> None:
    with pytest.raises(RuntimeError), db.transaction() as session:
        case = _record(session, "jo@example.com")
        assert case.complainant is not None
        queue_for_person(session, case.complainant, case, "acknowledgement", _ack(case))
        raise RuntimeError("the action failed after queueing")
    assert (_count(OutboxMessage), _count(CaseEvent), _count(Case)) == (0, 0, 0)


def test_delivers_plain_text_and_html_parts(app: Flask, smtp: SmtpServer) -> None:
    case = _case()
    report = _send()
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    [email] = smtp.messages
    assert email["To"] == "jo@example.com" and email["From"] == MAIL_FROM
    assert email["Subject"] == f"We have received your complaint: {case.reference}"
    assert email["Content-Language"] == "en" and email["Auto-Submitted"] == "auto-generated"
    assert email.get_content_type() == "multipart/alternative"
    text = email.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = email.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert case.reference in text and "16 November 2026" in text and "What happens next" in text
    soup = BeautifulSoup(html, "html.parser")
    assert soup.html is not None and soup.html["lang"] == "en"
    assert soup.title is not None and soup.title.get_text() == email["Subject"]
    assert soup.h1 is not None and not soup.find_all("img"), "no images or tracking pixels"
    assert case.reference in soup.get_text() and "16 November 2026" in soup.get_text()


def test_chronology_shows_queued_and_sent_without_the_body(app: Flask) -> None:
    case = _case()
    _send()
    [message] = _messages()
    assert message.status == "sent" and message.sent_at is not None and message.attempts == 1
    kinds = [e.kind for e in _events(case)]
    assert kinds == ["received", "email_queued", "email_sent"]
    sent = _events(case, "email_sent")[0]
    expected = {"template": "acknowledgement", "recipient_kind": "complainant", "outbox_id": message.id}
    assert sent.data == expected
    assert "What happens next" not in sent.summary


def test_single_use_link_is_cleared_from_the_outbox_once_sent(app: Flask, smtp: SmtpServer) -> None:
    link = "https://complaints.example/check/secret-token-abc123"
    expires = "2026-11-23T14:30:00+00:00"
    with db.transaction() as session:
        queue_email(
            session,
            template="tracking_link",
            recipient="jo@example.com",
            recipient_kind="complainant",
            context={"link": link, "expires": expires},
        )
    assert _messages()[0].context["link"] == link  # the only copy until it is sent
    _send()
    [message] = _messages()
    db.session.refresh(message)
    assert message.context["link"] == "[sent]"
    text = smtp.messages[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert link in text and "14:30 on 23 November 2026" in text


def test_server_down_keeps_the_message_then_delivers_it_once(app: Flask, smtp: SmtpServer) -> None:
    smtp.stop()
    _case()
    now = utcnow()
    report = _send(now)
    assert (report.sent, report.retried, report.failed) == (0, 1, 0)
    [message] = _messages()
    db.session.refresh(message)
    assert message.status == "pending" and message.attempts == 1
    assert message.last_error and "Connection" in message.last_error
    assert message.next_attempt_at == now + timedelta(minutes=1)
    assert _send(now).sent == 0, "not retried before its back-off"

    smtp.start()
    assert _send(now + timedelta(minutes=2)).sent == 1
    assert _send(now + timedelta(days=2)).sent == 0
    assert len(smtp.messages) == 1
    db.session.refresh(message)
    assert message.status == "sent" and message.attempts == 2


def test_temporary_refusal_is_retried(app: Flask, smtp: SmtpServer) -> None:
    _case()
    smtp.handler.reply = "451 4.3.0 Try again later"
    now = utcnow()
    assert _send(now).retried == 1
    [message] = _messages()
    db.session.refresh(message)
    assert message.last_error is not None and "451" in message.last_error
    smtp.handler.reply = None
    assert _send(now + timedelta(minutes=1)).sent == 1
    assert len(smtp.messages) == 1


def test_sending_twice_in_a_row_delivers_once(app: Flask, smtp: SmtpServer) -> None:
    for n in range(3):
        _case(email=f"person{n}@example.com")
    now = utcnow()
    assert _send(now).sent == 3
    assert _send(now).sent == 0
    assert sorted(m["To"] for m in smtp.messages) == [f"person{n}@example.com" for n in range(3)]


def test_a_claimed_message_cannot_be_claimed_again(app: Flask) -> None:
    _case()
    [message] = _messages()
    with db.transaction() as session:
        first = _claim(session, message.id, 0, utcnow())
        second = _claim(session, message.id, 0, utcnow())
    assert first is not None and first.attempts == 1
    assert second is None


def test_two_senders_at_once_deliver_each_message_exactly_once(app: Flask, smtp: SmtpServer) -> None:
    with db.transaction() as session:
        for n in range(12):
            queue_email(
                session,
                template="staff_assigned",
                recipient=f"officer{n}@example.com",
                recipient_kind="staff",
                context={"reference": f"CC-2026-{n:06d}", "due_date": "2026-12-01"},
            )
    smtp.handler.delay = 0.02  # keep both senders busy at the same time
    barrier = threading.Barrier(2)
    reports = []

    def sender() -> None:
        with app.app_context():
            barrier.wait()
            reports.append(send_due(utcnow()))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(reports) == 2 and sum(r.sent for r in reports) == 12
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == 12 and len(set(ids)) == 12
    assert {m.status for m in _messages()} == {"sent"} and {m.attempts for m in _messages()} == {1}


def test_backoff_grows_then_stays_at_a_day() -> None:
    minutes = [backoff(n) / timedelta(minutes=1) for n in range(1, 9)]
    assert minutes == [1, 5, 30, 120, 360, 1440, 1440, 1440]


def test_gives_up_after_max_attempts_and_tells_staff(app: Flask, smtp: SmtpServer) -> None:
    smtp.stop()
    case = _case()
    now = utcnow()
    reports = []
    for _ in range(MAX_ATTEMPTS):
        reports.append(_send(now))
        now += timedelta(hours=25)
    assert [r.retried for r in reports] == [1] * (MAX_ATTEMPTS - 1) + [0]
    assert reports[-1].failed == 1
    [message] = _messages()
    db.session.refresh(message)
    assert (message.status, message.attempts) == ("failed", MAX_ATTEMPTS)
    [failed] = _events(case, "email_failed")
    assert "could not be sent" in failed.summary and failed.data["template"] == "acknowledgement"
    smtp.start()
    assert _send(now + timedelta(days=2)).sent == 0 and smtp.messages == []


def test_advocate_only_contact_goes_to_the_advocate(app: Flask, smtp: SmtpServer) -> None:
    case = _case(contact_method="advocate", advocate_email="advocate@nyas.example", preferred_language="pl")
    [message] = _messages()
    assert (message.recipient, message.recipient_kind, message.language) == (
        "advocate@nyas.example",
        "advocate",
        "en",
    )
    _send()
    [email] = smtp.messages
    assert email["To"] == "advocate@nyas.example"
    assert "jo@example.com" not in str(email)
    assert "you are the advocate" in email.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert [e.kind for e in _events(case)] == ["received", "email_queued", "email_sent"]


@pytest.mark.parametrize(
    ("email", "person", "why"),
    [
        ("jo@example.com", {"contact_method": "advocate"}, "through their advocate"),
        ("jo@example.com", {"contact_method": "advocate", "advocate_email": None}, "through their advocate"),
        ("jo@example.com", {"contact_method": "phone"}, "contacted by phone"),
        ("jo@example.com", {"contact_method": "post"}, "contacted by post"),
        ("jo@example.com", {"no_email": True}, "not to be emailed"),
        (None, {}, "no email address"),
    ],
    ids=["advocate-without-email", "advocate-email-empty", "phone", "post", "no-email-flag", "no-address"],
)
def test_safe_contact_flags_mean_no_email_and_a_note_for_staff(
    app: Flask, smtp: SmtpServer, email: str | None, person: dict[str, Any], why: str
) -> None:
    case = _case(email=email, **person)
    [message] = _messages()
    assert message.status == "cancelled" and message.recipient == ""
    assert message.last_error is not None and why in message.last_error
    [note] = _events(case, "contact_needed")
    assert why in note.summary and note.data == {"template": "acknowledgement"}
    assert _events(case, "email_queued") == []
    assert _send().sent == 0 and smtp.messages == []


def test_preferred_language_is_recorded_and_used(app: Flask, smtp: SmtpServer) -> None:
    _case(preferred_language="pl")
    _case(email="sam@example.com", preferred_language="lt")  # not offered: the default language
    first, second = _messages()
    assert (first.language, second.language) == ("pl", "en")
    _send()
    polish = next(m for m in smtp.messages if m["To"] == "jo@example.com")
    assert polish["Content-Language"] == "pl"
    html = BeautifulSoup(polish.get_body(("html",)).get_content(), "html.parser")  # type: ignore[union-attr]
    assert html.html is not None and html.html["lang"] == "pl"
    assert "listopada 2026" in html.get_text()  # the date is written in Polish


def test_send_outbox_command(app: Flask, smtp: SmtpServer) -> None:
    _case()
    runner: FlaskCliRunner = app.test_cli_runner()
    result = runner.invoke(args=["send-outbox"])
    assert result.exit_code == 0, result.output
    assert "Sent 1, will retry 0, failed 0" in result.output
    smtp.stop()
    _case(email="sam@example.com")
    result = runner.invoke(args=["send-outbox"])
    assert result.exit_code == 0 and "Sent 0, will retry 1, failed 0" in result.output
