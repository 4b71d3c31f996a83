"""SQLAlchemy 2 typed models; import every model here so Alembic sees the whole schema."""

from portal.models.access import TrackingLink, TrackingSession
from portal.models.base import Base
from portal.models.case import Case, CaseEvent, Deadline, Person, ReferenceCounter
from portal.models.case_extra import CaseLink, ComplainedAbout, ComplimentDetail
from portal.models.document import Document
from portal.models.journey import Draft, Upload
from portal.models.outbox import OutboxMessage
from portal.models.rate_limit import RateLimitCounter
from portal.models.revision import DataVersion
from portal.models.staff import StaffUser
from portal.models.staff_session import RecoveryCode, StaffAccessLog, StaffSession
from portal.models.staff_work import Commitment, LgoEnquiry, Remedy, ResponsePoint
from portal.models.stage_record import StageRecord

__all__ = [
    "Base",
    "Case",
    "CaseEvent",
    "CaseLink",
    "Commitment",
    "DataVersion",
    "ComplainedAbout",
    "ComplimentDetail",
    "Deadline",
    "Document",
    "Draft",
    "LgoEnquiry",
    "OutboxMessage",
    "Person",
    "RateLimitCounter",
    "RecoveryCode",
    "ReferenceCounter",
    "Remedy",
    "ResponsePoint",
    "StaffAccessLog",
    "StaffSession",
    "StaffUser",
    "StageRecord",
    "TrackingLink",
    "TrackingSession",
    "Upload",
]
