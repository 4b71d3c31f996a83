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
NOT_PAGES.update({e: "needs a staff sign-in (test_staff_auth, test_staff_pages)" for e in STAFF_PAGES})

# Example URL arguments for pages whose URL has parameters.
# Question pages past the first need answers in a draft: the journey tests visit each.
EXAMPLES: dict[str, dict[str, object]] = {"public.question": {"slug": "what-to-do"}}


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
