"""Which procedure a new case follows, and the flags staff must act on (DOMAIN §0, §1.3, §2.3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from portal.domain.procedures import ProcedureCode
from portal.domain.working_days import add_months, long_date


class CaseKind(StrEnum):
    COMPLAINT = "complaint"
    COMPLIMENT = "compliment"
    ENQUIRY_GENERAL = "enquiry_general"
    ENQUIRY_COUNCILLOR = "enquiry_councillor"
    ENQUIRY_MP = "enquiry_mp"
    LGO = "lgo"


class ComplainantCategory(StrEnum):
    # s26(3), s24D and s26(3B)-(3C) Children Act 1989 (DOMAIN §1.3).
    YOUNG_PERSON = "young_person"
    PARENT = "parent"
    PARENTAL_RESPONSIBILITY = "parental_responsibility"
    FOSTER_CARER = "foster_carer"
    CARE_LEAVER = "care_leaver"
    SPECIAL_GUARDIAN = "special_guardian"
    ADOPTION = "adoption"
    ADVOCATE = "advocate"  # acting for an eligible child (s26A)
    OTHER = "other"  # only if the council decides they have "sufficient interest"


class ServiceArea(StrEnum):
    SEND = "send"  # SEND / Statutory Assessment Team / EHCP
    EDUCATION = "education"
    FRONT_DOOR = "front_door"  # Integrated Front Door and assessment
    FAMILY_SAFEGUARDING = "family_safeguarding"
    CHILDREN_IN_CARE = "children_in_care"
    CARE_LEAVERS = "care_leavers"
    FOSTERING = "fostering"
    ADOPTION = "adoption"
    DISABLED_CHILDREN = "disabled_children"
    OTHER_SOCIAL_CARE = "other_social_care"
    OTHER = "other"


# Children's social care functions specified by the 2006 regulations (Part 3 Children Act
# 1989, adoption and special guardianship support) - DOMAIN §0.
SOCIAL_CARE_AREAS = frozenset(
    {ServiceArea.FRONT_DOOR, ServiceArea.FAMILY_SAFEGUARDING, ServiceArea.CHILDREN_IN_CARE,
     ServiceArea.CARE_LEAVERS, ServiceArea.FOSTERING, ServiceArea.ADOPTION,
     ServiceArea.DISABLED_CHILDREN, ServiceArea.OTHER_SOCIAL_CARE}
)  # fmt: skip
# The SEND Tribunal hears appeals about EHC needs assessments and plans (DOMAIN §2.3).
TRIBUNAL_AREAS = frozenset({ServiceArea.SEND, ServiceArea.EDUCATION})
ELIGIBLE_CATEGORIES = frozenset(ComplainantCategory) - {ComplainantCategory.OTHER}

_C = ComplainantCategory
_CATEGORY_PHRASES: Mapping[ComplainantCategory, str] = MappingProxyType(
    {
        _C.YOUNG_PERSON: "A child or young person",
        _C.PARENT: "A parent",
        _C.PARENTAL_RESPONSIBILITY: "A person with parental responsibility",
        _C.FOSTER_CARER: "A foster carer",
        _C.CARE_LEAVER: "A care leaver",
        _C.SPECIAL_GUARDIAN: "A special guardian",
        _C.ADOPTION: "A person affected by adoption",
        _C.ADVOCATE: "An advocate acting for a child",
    }
)

_NOT_COMPLAINTS: Mapping[CaseKind, tuple[str, str]] = MappingProxyType(
    {
        CaseKind.COMPLIMENT: (
            ProcedureCode.COMPLIMENT,
            "A compliment is recorded, acknowledged and reported; it is not a complaint.",
        ),
        CaseKind.ENQUIRY_GENERAL: (
            ProcedureCode.ENQUIRY_GENERAL,
            (
                "An enquiry is answered under local policy. If the person is unhappy with a "
                "service, treat it as a complaint instead (Code 1.4)."
            ),
        ),
        CaseKind.ENQUIRY_COUNCILLOR: (
            ProcedureCode.ENQUIRY_COUNCILLOR,
            (
                "A councillor enquiry follows the local member enquiry process. If the councillor "
                "writes for an unhappy constituent, it is a complaint via a representative "
                "(Code 1.5): get the constituent's consent before sharing personal data."
            ),
        ),
        CaseKind.ENQUIRY_MP: (
            ProcedureCode.ENQUIRY_MP,
            (
                "An MP enquiry follows the local member enquiry process. If the MP writes for an "
                "unhappy constituent, it is a complaint via a representative (Code 1.5): get the "
                "constituent's consent before sharing personal data."
            ),
        ),
        CaseKind.LGO: (
            ProcedureCode.LGO,
            (
                "An Ombudsman enquiry: reply by the date the Ombudsman sets; after a report, tell "
                "the Ombudsman within three months what action we have taken (LGA 1974 s31(2))."
            ),
        ),
    }
)


@dataclass(frozen=True)
class Routing:
    procedure: str
    needs_sufficient_interest_decision: bool
    send_tribunal_flag: bool
    out_of_time: bool
    reasons: tuple[str, ...]

    @property
    def needs_decision(self) -> bool:
        """A staff decision is needed before the complaint is taken on (awaiting_decision)."""
        return self.needs_sufficient_interest_decision or self.out_of_time


def out_of_time(arose_on: date | None, received_on: date, months: int = 12) -> bool:
    """More than `months` calendar months between the matter arising and receipt.

    Reg 9 SI 2006/1738 (one year) and LGSCO Code 2.2 (12 months). Exactly 12 months is in
    time. Unknown date -> False (nothing to warn about yet).
    """
    if arose_on is None:
        return False
    return received_on > add_months(arose_on, months)


_SUFFICIENT_INTEREST = (
    "The complaint is about children's social care, but the person is not in a group that "
    "may complain as of right. The council must decide as soon as possible whether they have "
    "sufficient interest in the child's welfare (Children Act 1989 s26(3)(e)), taking the "
    "child's views into account. If not, tell them no further action will be taken."
)
# Complaints on a child's behalf (DOMAIN 1.3, West Sussex procedures manual).
_CHILD_VIEWS = (
    "Where possible, check the child is content with the complaint and that it reflects "
    "their views."
)
_SEND_CORPORATE = (
    "SEND and education complaints have no statutory complaints process, so the corporate "
    "procedure applies (LGSCO Complaint Handling Code)."
)
_OTHER_CORPORATE = (
    "This is not about a children's social care function, so the corporate procedure "
    "applies (LGSCO Complaint Handling Code)."
)
# DOMAIN 2.3: LGSCO decisions 22 009 404, 24 001 784, 24 011 751.
_TRIBUNAL = (
    "The matter can be appealed to the SEND Tribunal. Take the complaint, but tell the "
    "person about the Tribunal and mediation: the Ombudsman cannot investigate matters "
    "appealed or appealable to the Tribunal, or connected matters (LGA 1974 s26(6)(a); "
    "R (Milburn) v LGSCO [2023] EWCA Civ 207)."
)


def _statutory(category: ComplainantCategory) -> tuple[bool, list[str]]:
    """(needs a sufficient-interest decision, reasons) for a children's social care complaint."""
    if category is ComplainantCategory.OTHER:
        return True, [_SUFFICIENT_INTEREST]
    eligible = (
        f"{_CATEGORY_PHRASES[category]} may complain about children's social care (Children "
        "Act 1989 s26(3), s24D), so the statutory procedure applies (SI 2006/1738)."
    )
    if category in (_C.ADVOCATE, _C.PARENT, _C.PARENTAL_RESPONSIBILITY):
        return False, [eligible, _CHILD_VIEWS]
    return False, [eligible]


def _corporate(area: ServiceArea, appealable: bool) -> tuple[bool, list[str]]:
    """(SEND Tribunal flag, reasons) for a complaint outside the statutory procedure."""
    if area not in TRIBUNAL_AREAS:
        return False, [_OTHER_CORPORATE]
    if appealable:
        return True, [_SEND_CORPORATE, _TRIBUNAL]
    return False, [_SEND_CORPORATE]


def _late_reason(arose_on: date, received_on: date, procedure: str) -> str:
    rule = "reg 9 SI 2006/1738" if procedure == ProcedureCode.STATUTORY else "Code 2.2"
    return (
        f"The matter arose on {long_date(arose_on)}, more than 12 months before we received "
        f"the complaint on {long_date(received_on)}. Decide whether to accept it: was it "
        f"unreasonable to expect it sooner, and can it still be considered fairly? ({rule})"
    )


def route(
    kind: str,
    category: ComplainantCategory,
    area: ServiceArea,
    arose_on: date | None,
    received_on: date,
    *,
    appealable_to_send_tribunal: bool = False,
) -> Routing:
    """Choose the procedure for a new case and explain the choice to staff (DOMAIN §0)."""
    try:
        case_kind = CaseKind(kind)
    except ValueError:
        raise ValueError(f"Unknown kind of case {kind!r}.") from None
    if arose_on is not None and arose_on > received_on:
        raise ValueError("The date the matter arose cannot be after the date we received it.")
    if case_kind is not CaseKind.COMPLAINT:
        # Time limits, eligibility and the Tribunal concern complaints only.
        procedure, reason = _NOT_COMPLAINTS[case_kind]
        return Routing(procedure, False, False, False, (reason,))
    category, area = ComplainantCategory(category), ServiceArea(area)
    needs_interest, flag = False, False
    if area in SOCIAL_CARE_AREAS:
        procedure = ProcedureCode.STATUTORY
        needs_interest, reasons = _statutory(category)
    else:
        procedure = ProcedureCode.CORPORATE
        flag, reasons = _corporate(area, appealable_to_send_tribunal)
    late = out_of_time(arose_on, received_on)
    if late and arose_on is not None:
        reasons.append(_late_reason(arose_on, received_on, procedure))
    return Routing(procedure, needs_interest, flag, late, tuple(reasons))
