"""SQLAlchemy 2 typed models; import every model here so Alembic sees the whole schema."""

from portal.models.base import Base
from portal.models.case import Case, CaseEvent, Deadline, Person, ReferenceCounter
from portal.models.journey import Draft, Upload
from portal.models.outbox import OutboxMessage
from portal.models.staff import StaffUser

__all__ = [
    "Base",
    "Case",
    "CaseEvent",
    "Deadline",
    "Draft",
    "OutboxMessage",
    "Person",
    "ReferenceCounter",
    "StaffUser",
    "Upload",
]
