"""Queue emails in the caller's transaction, honouring the person's contact preferences."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_time
from flask import current_app
from flask_babel import force_locale, get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.i18n import babel_locale, format_date, text_direction, with_readable_numbers
from portal.models import Case, OutboxMessage, Person
from portal.models.outbox import CANCELLED, PENDING
from portal.services import cases as case_service

RECIPIENT_KINDS = frozenset({"complainant", "advocate", "staff"})
# Context keys that hold a secret the email must carry (a single-use link). The outbox row is
# the only copy until the message goes; the sender then overwrites it (see OutboxMessage).
SECRET_KEYS = frozenset({"link"})
SCRUBBED = "[sent]"


@dataclass(frozen=True)
class Template:
    """A message: its subject (translated at queue time), the context it needs, its chronology name."""

    subject: LazyString
    needs: tuple[str, ...]
    label: str


_REF, _DUE = "reference", "due_date"
TEMPLATES: Mapping[str, Template] = {
    "acknowledgement": Template(
        _l("We have received your complaint: %(reference)s"), (_REF, _DUE, "procedure"), "acknowledgement"
    ),
    "tracking_link": Template(
        _l("Your link to check your complaint"), ("link", "expires"), "link to check the case"
    ),
    "save_return_link": Template(
        _l("Your link to carry on with your complaint"), ("link", "expires"), "save and return link"
    ),
    "response_available": Template(
        _l("Our response about %(reference)s is ready"), (_REF, "stage"), "response available"
    ),
    "extension_notice": Template(
        _l("We need more time to respond: %(reference)s"), (_REF, "reason", _DUE), "extension notice"
    ),
    "pause_notice": Template(
        _l("We have paused work on your complaint: %(reference)s"), (_REF, "reason"), "pause notice"
    ),
    "window_closing": Template(
        _l("Time to ask for the next stage ends soon: %(reference)s"),
        (_REF, "closes_on"),
        "escalation window closing",
    ),
    "staff_new_case": Template(_l("New case %(reference)s"), (_REF, _DUE), "new case notice"),
    "staff_assigned": Template(
        _l("Case %(reference)s is assigned to you"), (_REF, _DUE), "assigned notice"
    ),
    "staff_due_soon": Template(
        _l("Due soon: %(deadline)s for %(reference)s"), (_REF, "deadline", _DUE), "due soon reminder"
    ),
    "staff_overdue": Template(
        _l("Overdue: %(deadline)s for %(reference)s"), (_REF, "deadline", _DUE), "overdue reminder"
    ),
    "staff_commitment_overdue": Template(
        _l("Action overdue: %(reference)s"), (_REF, "commitment", _DUE), "commitment overdue reminder"
    ),
    "staff_complainant_update": Template(
        _l("The complainant has been in touch: %(reference)s"), (_REF, "update"), "complainant update notice"
    ),
    "staff_weekly_digest": Template(
        _l("Complaints this week"), ("open", "overdue", "due_this_week", "week_of"), "weekly digest"
    ),
    "staff_compliment_thanks": Template(
        _l("Someone has thanked you: %(reference)s"), (_REF, "worker", "compliment"), "thanks passed on"
    ),
}


def template(name: str) -> Template:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise ValueError(f"Unknown email template {name!r}; known: {', '.join(TEMPLATES)}.") from None


# An English council: times in emails are UK local time.
LONDON = ZoneInfo("Europe/London")
_DATE_KEYS = frozenset({"due_date", "closes_on", "week_of"})
_DATETIME_KEYS = frozenset({"expires"})
_PROCEDURES: Mapping[str, LazyString] = {
    "statutory": _l("the children's social care complaints procedure"),
    "corporate": _l("the council's complaints procedure"),
}


def render_subject(name: str, language: str, context: Mapping[str, Any]) -> str:
    with force_locale(babel_locale(language)):
        return str(template(name).subject) % dict(context)


def _formatted(context: Mapping[str, Any]) -> dict[str, Any]:
    """Dates (stored as ISO strings) written out in the current locale; procedure codes named."""
    values = dict(context)
    for key in _DATE_KEYS & values.keys():
        values[key] = format_date(date.fromisoformat(str(values[key])), format="long")
    for key in _DATETIME_KEYS & values.keys():
        when = datetime.fromisoformat(str(values[key])).astimezone(LONDON)
        clock = format_time(when, format="short", tzinfo=LONDON, locale=get_locale())
        values[key] = gettext("%(time)s on %(date)s", time=clock, date=format_date(when.date(), "long"))
    if "procedure" in values:
        values["procedure"] = str(_PROCEDURES.get(str(values["procedure"]), values["procedure"]))
    return values


def subject_in(message: OutboxMessage, language: str) -> str:
    """The subject as stored (in the message's language) or rendered again in another language."""
    if language == message.language:
        return message.subject
    return render_subject(message.template, language, message.context)


def render_bodies(message: OutboxMessage, language: str | None = None) -> tuple[str, str]:
    """The plain-text part (always sent) and the HTML part, in the message's language (or in
    `language`: staff read an English copy of what went out in another language)."""
    env = current_app.jinja_env
    language = language or message.language
    subject = subject_in(message, language)
    with force_locale(babel_locale(language)):
        values = _formatted(message.context) | {
            "subject": subject,
            "lang": language,
            "text_dir": text_direction(language),
            "council": with_readable_numbers(current_app.config["COUNCIL"], language),
            "recipient_kind": message.recipient_kind,
        }
        text = env.get_template(f"emails/{message.template}.txt").render(values)
        html = env.get_template(f"emails/{message.template}.html").render(values)
    return text, html


def staff_copy(message: OutboxMessage, language: str) -> tuple[str, str]:
    """(subject, plain text) of an email as staff may read it: in `language`, secrets (links
    that open the case) blanked out."""
    safe = OutboxMessage(
        template=message.template,
        context=scrubbed(message.context),
        language=message.language,
        subject=message.subject,
        recipient_kind=message.recipient_kind,
    )
    text, _html = render_bodies(safe, language)
    return subject_in(safe, language), text


def of_case(session: Session, case: Case) -> list[OutboxMessage]:
    """The case's emails, oldest first (the case page lists them with an English copy)."""
    emails = select(OutboxMessage).where(OutboxMessage.case_id == case.id)
    return list(session.scalars(emails.order_by(OutboxMessage.id)))


def scrubbed(context: Mapping[str, Any]) -> dict[str, Any]:
    """The context without its secrets, for a message that has gone (or never will)."""
    return {k: (SCRUBBED if k in SECRET_KEYS else v) for k, v in context.items()}


def _check(name: str, recipient: str, recipient_kind: str, context: Mapping[str, Any]) -> None:
    missing = [key for key in template(name).needs if key not in context]
    if missing:
        raise ValueError(f"Email {name!r} needs {', '.join(missing)} in its context.")
    if recipient_kind not in RECIPIENT_KINDS:
        raise ValueError(f"Unknown recipient kind {recipient_kind!r}.")
    # Header injection and obvious typos are refused here, in the caller's action, not at send time.
    if "@" not in recipient or any(c.isspace() for c in recipient) or len(recipient) > 254:
        raise ValueError(f"Not an email address: {recipient!r}.")


def _insert(session: Session, message: OutboxMessage) -> bool:
    """Add the message; False when its dedupe key is already taken (by this run or another)."""
    if message.dedupe_key is None:
        session.add(message)
        return True
    taken = select(OutboxMessage.id).where(OutboxMessage.dedupe_key == message.dedupe_key)
    if session.scalar(taken) is not None:
        return False
    try:
        # A savepoint, so a concurrent run that got there first costs only this message.
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        return False
    return True


def queue_email(
    session: Session,
    *,
    template: str,
    recipient: str,
    recipient_kind: str,
    case: Case | None = None,
    language: str = "en",
    context: Mapping[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Queue one email in the caller's transaction (the caller commits, with its own event).

    Returns None, and writes nothing, when `dedupe_key` has been used before.
    """
    values = dict(context or {})
    _check(template, recipient, recipient_kind, values)
    message = OutboxMessage(
        case=case,
        recipient=recipient,
        recipient_kind=recipient_kind,
        template=template,
        language=language,
        context=values,
        subject=render_subject(template, language, values),
        status=PENDING,
        attempts=0,
        dedupe_key=dedupe_key,
    )
    if not _insert(session, message):
        return None
    if case is not None:
        label = TEMPLATES[template].label
        case_service.add_event(
            session,
            case,
            case_service.SYSTEM,
            "email_queued",
            f"Email queued to the {recipient_kind}: {label}.",
            template=template,
            recipient_kind=recipient_kind,
            language=language,
        )
    return message


@dataclass(frozen=True)
class Route:
    """Where a message to a person goes: an address, or the reason staff must make contact instead."""

    address: str | None
    kind: str
    language: str
    reason: str = ""


def _language(preferred: str | None) -> str:
    offered = tuple(current_app.config.get("LANGUAGES", ("en",)))
    default = str(current_app.config.get("BABEL_DEFAULT_LOCALE", "en"))
    return preferred if preferred is not None and preferred in offered else default


def contact_route(person: Person) -> Route:
    """Apply the person's contact preferences and safe-contact flags to an email."""
    # advocate_email and no_email arrive with the adjustments work; read them defensively.
    advocate_email: str | None = getattr(person, "advocate_email", None)
    default = _language(None)
    if person.contact_method == "advocate":
        if advocate_email:
            # Advocates are professionals acting for the person: the council's default language.
            return Route(advocate_email, "advocate", default)
        return Route(
            None,
            "advocate",
            default,
            "The complainant asked to be contacted only through their advocate and we have no "
            "email address for the advocate: contact them through the advocate.",
        )
    if getattr(person, "no_email", False):
        reason = "The complainant asked not to be emailed: write to them or phone them."
    elif person.contact_method in ("phone", "post"):
        reason = (
            f"The complainant asked to be contacted by {person.contact_method}: "
            "write to them or phone them."
        )
    elif not person.email:
        reason = "We have no email address for the complainant: write to them or phone them."
    else:
        return Route(person.email, "complainant", _language(person.preferred_language))
    return Route(None, "complainant", default, reason)


def queue_for_person(
    session: Session,
    person: Person,
    case: Case,
    template: str,
    context: Mapping[str, Any],
    *,
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Queue an email to the person (or their advocate), or record that staff must contact them.

    Returns the pending message, or None when no email will be sent (or it was queued before).
    """
    route = contact_route(person)
    if route.address is not None:
        return queue_email(
            session,
            template=template,
            recipient=route.address,
            recipient_kind=route.kind,
            case=case,
            language=route.language,
            context=context,
            dedupe_key=dedupe_key,
        )
    _check(template, "nobody@invalid", route.kind, context)
    # Kept as a cancelled row, so the chronology and reminders' dedupe keys know it was decided.
    kept = OutboxMessage(
        case=case,
        recipient="",
        recipient_kind=route.kind,
        template=template,
        language=route.language,
        context=scrubbed(context),
        subject=render_subject(template, route.language, context),
        status=CANCELLED,
        attempts=0,
        last_error=route.reason,
        dedupe_key=dedupe_key,
    )
    if _insert(session, kept):
        label = TEMPLATES[template].label
        case_service.add_event(
            session,
            case,
            case_service.SYSTEM,
            "contact_needed",
            f"No email sent ({label}). {route.reason}",
            template=template,
        )
    return None
