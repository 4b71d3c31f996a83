"""Deliver due outbox messages over SMTP: claim, send, record; retry with back-off; never lose one."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import Case, OutboxMessage
from portal.models.outbox import FAILED, PENDING, SENT
from portal.notify.outbox import TEMPLATES, render_bodies, scrubbed
from portal.services import cases as case_service

log = logging.getLogger(__name__)

# After the nth failed attempt, wait BACKOFF[n-1] (then a day) before trying again.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
LAST_BACKOFF = timedelta(hours=24)
MAX_ATTEMPTS = 10
SMTP_TIMEOUT = 10  # seconds, for connecting and for each command
_ERROR_LIMIT = 1000


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    """How long to wait after `attempts` failed attempts (1-based)."""
    return BACKOFF[attempts - 1] if 1 <= attempts <= len(BACKOFF) else LAST_BACKOFF


class _Smtp:
    """One SMTP connection for a run, opened when first needed and reopened after an error.

    When the server cannot be reached, the rest of the run fails fast with the same error
    instead of waiting for the timeout once per message.
    """

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.conn: smtplib.SMTP | None = None
        self.unreachable: str | None = None

    def _connect(self) -> smtplib.SMTP:
        host, port = self.config["SMTP_HOST"], int(self.config["SMTP_PORT"])
        conn: smtplib.SMTP
        if self.config.get("SMTP_SSL"):
            conn = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context())
        else:
            conn = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
            if self.config.get("SMTP_STARTTLS"):
                conn.starttls(context=ssl.create_default_context())
        if self.config.get("SMTP_USERNAME"):
            conn.login(self.config["SMTP_USERNAME"], self.config.get("SMTP_PASSWORD") or "")
        return conn

    def send(self, message: EmailMessage) -> None:
        if self.unreachable:
            raise Unreachable(self.unreachable)
        if self.conn is None:
            try:
                self.conn = self._connect()
            except (OSError, smtplib.SMTPException) as error:
                self.unreachable = _describe(error)
                raise
        try:
            self.conn.send_message(message)
        except BaseException:
            self.close()  # the session's state is unknown: start afresh for the next message
            raise

    def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()


class Unreachable(ConnectionError):
    """The SMTP server could not be reached earlier in this run."""


def _describe(error: BaseException) -> str:
    if isinstance(error, Unreachable):
        return str(error)
    return f"{type(error).__name__}: {error}"[:_ERROR_LIMIT]


def build_email(message: OutboxMessage, sender: str, now: datetime) -> EmailMessage:
    text, html = render_bodies(message)
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = message.recipient
    email["Date"] = format_datetime(now)
    # The same id on every attempt lets a receiving server drop a duplicate delivery.
    domain = parseaddr(sender)[1].rpartition("@")[2] or "portal.invalid"
    email["Message-ID"] = f"<outbox-{message.id}@{domain}>"
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to us
    email.set_content(text)
    email.add_alternative(html, subtype="html")
    # After the parts: set_content and add_alternative move Content-* headers off the top.
    email["Content-Language"] = message.language
    return email


def _claim(session: Session, message_id: int, seen: int, now: datetime) -> OutboxMessage | None:
    """Take a message for this run: only one sender can move `attempts` on from what it saw.

    The claim also pushes next_attempt_at on by the back-off, so a sender that dies mid-send
    leaves the message to be retried later rather than lost.
    """
    attempts = seen + 1
    claimed = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .where(OutboxMessage.status == PENDING)
        .where(OutboxMessage.attempts == seen)
        .values(attempts=attempts, next_attempt_at=now + backoff(attempts))
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        session.rollback()
        return None
    message = session.get(OutboxMessage, message_id, populate_existing=True)
    session.commit()  # release the row (and SQLite's write lock) before talking to SMTP
    return message


def _event(session: Session, message: OutboxMessage, kind: str, summary: str, **data: object) -> None:
    case = session.get(Case, message.case_id) if message.case_id is not None else None
    if case is not None:
        case_service.add_event(session, case, case_service.SYSTEM, kind, summary, **data)


def _record_sent(session: Session, message: OutboxMessage, now: datetime) -> None:
    message.status = SENT
    message.sent_at = now
    message.last_error = None
    message.context = scrubbed(message.context)
    label = TEMPLATES[message.template].label if message.template in TEMPLATES else message.template
    _event(
        session,
        message,
        "email_sent",
        f"Email sent to the {message.recipient_kind}: {label}.",
        template=message.template,
        recipient_kind=message.recipient_kind,
        outbox_id=message.id,
    )
    session.commit()


def _record_failure(session: Session, message: OutboxMessage, error: BaseException) -> bool:
    """Keep the error; give up after MAX_ATTEMPTS. True when the message has now failed for good."""
    message.last_error = _describe(error)
    gave_up = message.attempts >= MAX_ATTEMPTS
    if gave_up:
        message.status = FAILED
        message.context = scrubbed(message.context)
        _event(
            session,
            message,
            "email_failed",
            f"Email to the {message.recipient_kind} could not be sent after {message.attempts} "
            f"attempts ({message.template}): contact them another way.",
            template=message.template,
            recipient_kind=message.recipient_kind,
            outbox_id=message.id,
            error=message.last_error,
        )
    session.commit()
    return gave_up


def send_due(now: datetime, limit: int = 100) -> SendReport:
    """Send up to `limit` pending messages due at `now`, in id order; one transaction per message.

    An SMTP failure never escapes: the message stays pending with its error and a later
    next_attempt_at, and becomes failed (with a chronology entry) after MAX_ATTEMPTS.
    Uses its own session, one short transaction at a time, so call it with no transaction
    of yours open (on SQLite an open one holds the only write lock). Delivery is at least
    once: if the database fails between the server accepting a message and it being marked
    sent, it is sent again after its back-off, with the same Message-ID.
    """
    report = SendReport()
    config = dict(current_app.config)
    smtp = _Smtp(config)
    with Session(db.engine, expire_on_commit=False) as session:
        due = session.execute(
            select(OutboxMessage.id, OutboxMessage.attempts)
            .where(OutboxMessage.status == PENDING)
            .where(OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id)
            .limit(limit)
        ).all()
        session.rollback()
        try:
            for message_id, seen in due:
                _send_one(session, smtp, message_id, seen, now, config["MAIL_FROM"], report)
        finally:
            smtp.close()
    return report


def _send_one(
    session: Session, smtp: _Smtp, message_id: int, seen: int, now: datetime, sender: str, report: SendReport
) -> None:
    message = _claim(session, message_id, seen, now)
    if message is None:
        return  # another sender has it
    try:
        smtp.send(build_email(message, sender, now))
    except Exception as error:  # any failure is recorded and retried, never raised
        log.warning("Outbox message %s not sent (attempt %s): %s", message.id, message.attempts, error)
        if _record_failure(session, message, error):
            report.failed += 1
        else:
            report.retried += 1
        return
    _record_sent(session, message, now)
    report.sent += 1
