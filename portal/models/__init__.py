"""SQLAlchemy 2 typed models; import every model here so Alembic sees the whole schema."""

from portal.models.base import Base
from portal.models.case import Case, CaseEvent, Deadline, Person, ReferenceCounter
from portal.models.staff import StaffUser

__all__ = ["Base", "Case", "CaseEvent", "Deadline", "Person", "ReferenceCounter", "StaffUser"]
