"""Email: the outbox (queued with the event that causes it), the SMTP sender and reminders."""

from portal.notify.outbox import contact_route, queue_email, queue_for_person
from portal.notify.reminders import queue_reminders
from portal.notify.sender import SendReport, send_due

__all__ = ["SendReport", "contact_route", "queue_email", "queue_for_person", "queue_reminders", "send_due"]
