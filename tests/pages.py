"""Every page the app serves, from its URL map: new pages join the checks automatically."""

from __future__ import annotations

from flask import Flask

# GET endpoints that are not HTML pages, each with the reason.
NOT_PAGES = {
    "static": "static files",
    "health.healthz": "JSON health check",
    "public.choose_language": "redirect that stores the language choice",
    "public.journey_start": "redirect to the first question",
    "public.receipt": "PDF download (tests/integration/test_complaint_journey.py reads it)",
    "public.return_to_draft": "needs a save-and-return token (the journey tests visit it)",
    "public.check_answers": "needs a finished draft (the journey tests visit it)",
    "public.confirmation": "needs a sent case (the journey tests visit it)",
    "public.save_for_later": "needs a draft (the journey tests visit it)",
    "public.evidence": "needs a draft (the journey tests visit it)",
    "public.track_link": "needs a tracking link token (the tracking tests visit it)",
    "public.track_receipt": "PDF download in a tracking session",
    "public.track_document": "letter download (PDF, BRF, MP3...) in a tracking session (test_documents.py)",
    "staff_document": "letter download for staff (tests/integration/test_staff_cases.py)",
}
# Pages of a tracking session (one case): the tracking tests open a session and visit each.
TRACKING_PAGES = {
    "public.track_case",
    "public.track_add_information",
    "public.track_next_stage",
    "public.track_resolved",
    "public.track_withdraw",
    "public.track_contact",
    "public.track_needs",
}
NOT_PAGES.update(
    {endpoint: "needs a tracking session (tests/integration/test_tracking.py)" for endpoint in TRACKING_PAGES}
)
# Back office pages need a signed-in staff member (and MFA): tests/integration/test_staff_auth.py
# checks each with check_page and tests/browser/test_staff_pages.py runs axe on each.
STAFF_PAGES = {"staff.home", "staff.mfa", "staff.mfa_set_up", "staff.recovery_code", "staff.recovery_codes"}
# The case back office (tests/integration/test_staff_cases.py, test_access_matrix.py; the staff browser
# test visits each with the examples below).
CASE_ACTIONS = (
    "acknowledge", "assign", "extend", "pause", "resume", "decision", "correct_procedure", "respond",
    "escalation_request", "escalation_decision", "reopen", "close", "withdraw",
)  # fmt: skip
STAFF_PAGES |= {"staff.cases", "staff.case", "staff.new_case", "staff.commitments", "staff.commitment",
                "staff.new_commitment", "staff.new_remedy", "staff.remedy_done"}  # fmt: skip
STAFF_PAGES |= {f"staff.case_{slug}" for slug in CASE_ACTIONS}
# Ombudsman enquiries, compliments and case details (tests/integration/test_case_pages.py,
# test_access_matrix_more.py; tests/browser/test_case_pages.py drives their error states).
LGO_PAGES = (
    "staff.lgo_response", "staff.lgo_decision", "staff.lgo_report_action", "staff.lgo_recommendation",
)  # fmt: skip
DETAIL_PAGES = ("staff.case_theme", "staff.case_complained_about", "staff.case_link", "staff.lgo_new")
COMPLIMENT_PAGES = ("staff.compliment_details", "staff.compliment_thanks")
STAFF_PAGES |= {"staff.compliments", "staff.case_unlink", *LGO_PAGES, *DETAIL_PAGES}
STAFF_PAGES |= set(COMPLIMENT_PAGES)
STAFF_PAGES.add("staff.case_email")  # an email of the case with its English copy
STAFF_PAGES.add("staff.case_restriction")  # managers only (test_restricted_cases, browser test_case_pages)
NOT_PAGES.update({e: "needs a staff sign-in (test_staff_auth, test_staff_pages)" for e in STAFF_PAGES})
# The annual report: managers, reporting staff and administrators only (tests/integration/
# test_annual_report.py checks the page, CSV and PDF; tests/browser/test_report_pages.py runs axe).
NOT_PAGES["staff.annual_report"] = "needs a manager, reporting or admin sign-in (test_annual_report)"
NOT_PAGES["staff.annual_report_file"] = "CSV and PDF downloads for the same roles (test_annual_report)"
# Subject access requests: managers and administrators (tests/integration/test_subject_access.py;
# tests/browser/test_data_protection_pages.py runs axe on the search, results and error states).
NOT_PAGES["staff.subject_access_request"] = "needs a manager or admin sign-in (test_subject_access)"

# Example URL arguments for pages whose URL has parameters.
# Question pages past the first need answers in a draft: the journey tests visit each.
EXAMPLES: dict[str, dict[str, object]] = {"public.question": {"slug": "what-to-do"}}


class DemoReference:
    """The reference of a demo case (seed-demo), looked up by the complainant's name when a URL is built."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __str__(self) -> str:
        from sqlalchemy import select

        from portal.extensions import db
        from portal.models import Case, Person

        found = db.session.scalar(select(Case.reference).join(Person).where(Person.name == self.name))
        assert found, f"no demo case for {self.name}"
        return found


# Fran Foster's complaint has been responded to and carries the demo action and remedy (id 1).
DEMO_CASE = DemoReference("Fran Foster")
EXAMPLES.update({endpoint: {"reference": DEMO_CASE} for endpoint in (
    "staff.case", "staff.new_commitment", "staff.new_remedy", *(f"staff.case_{s}" for s in CASE_ACTIONS))})
EXAMPLES["staff.commitment"] = {"commitment_id": 1}
EXAMPLES["staff.remedy_done"] = {"reference": DEMO_CASE, "remedy_id": 1}
EXAMPLES["staff.annual_report_file"] = {"extension": "pdf"}


class DemoEmail:
    """The first email of a demo case (seed-demo queues one to Fran Foster), as a URL's number."""

    def __int__(self) -> int:
        from sqlalchemy import select

        from portal.extensions import db
        from portal.models import Case, OutboxMessage

        reference = str(DEMO_CASE)
        emails = select(OutboxMessage.id).join(Case, Case.id == OutboxMessage.case_id)
        found = db.session.scalar(emails.where(Case.reference == reference))
        assert found, "no email on the demo case"
        return int(found)


EXAMPLES["staff.case_email"] = {"reference": DEMO_CASE, "message_id": DemoEmail()}
EXAMPLES["staff.case_restriction"] = {"reference": DEMO_CASE}


class DemoEnquiry:
    """The reference of the demo Ombudsman enquiry (on Chris Parent's closed complaint)."""

    def __str__(self) -> str:
        from sqlalchemy import select

        from portal.extensions import db
        from portal.models import Case, LgoEnquiry

        # Imported history has Ombudsman enquiries too (H2... references), without enquiry records.
        found = db.session.scalar(select(Case.reference).join(LgoEnquiry, LgoEnquiry.case_id == Case.id))
        assert found, "no demo Ombudsman enquiry"
        return found


EXAMPLES.update({endpoint: {"reference": DemoEnquiry()} for endpoint in LGO_PAGES})
EXAMPLES.update({endpoint: {"reference": DEMO_CASE} for endpoint in DETAIL_PAGES})
EXAMPLES.update({endpoint: {"reference": DemoReference("Kim Parent")} for endpoint in COMPLIMENT_PAGES})
EXAMPLES["staff.case_unlink"] = {"reference": DEMO_CASE, "link_id": 1}  # Fran Foster's link to Lee Parent


def page_urls(app: Flask) -> tuple[list[str], list[str]]:
    """(urls, endpoints with parameters but no example) for every GET page."""
    urls, missing = [], []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if "GET" not in (rule.methods or set()) or rule.endpoint in NOT_PAGES:
                continue
            if rule.arguments and rule.endpoint not in EXAMPLES:
                missing.append(rule.endpoint)
                continue
            urls.append(url_for(rule.endpoint, **EXAMPLES.get(rule.endpoint, {})))
    return sorted(urls), missing
