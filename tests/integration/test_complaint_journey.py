"""The make-a-complaint journey: every page, branch and error; submission; nothing lost."""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Case, CaseEvent, Draft, OutboxMessage, Person, StageRecord, Upload
from tests.journey import BASE, PARENT_COMPLAINT, answer, complete, csrf, page, post, send

ERROR_CASES = {
    "what-to-do": "Select whether you want to make a complaint or pay a compliment",
    "who": "Select who you are",
    "child": "Enter the name of the child or young person",
    "about": "Select what your complaint is about",
    "what-happened": "Enter the date it happened",
    "outcome": "Enter what you would like to happen",
    "contact": "Enter your full name",
}


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_parent_complaint_end_to_end(app: Flask, client: FlaskClient) -> None:
    _, soup = page(client, "/")
    assert soup.select_one("a.govuk-button--start")["href"] == BASE
    assert client.get(BASE).headers["Location"].endswith("/what-to-do")
    for number, (slug, data) in enumerate(PARENT_COMPLAINT, start=1):
        _, soup = page(client, f"{BASE}/{slug}")
        # The total stays the same from the first page (9 questions + check your answers).
        assert soup.select_one(".govuk-caption-l").get_text(strip=True) == f"Step {number} of 10"
        answer(client, slug, data)
    _, soup = page(client, f"{BASE}/check-your-answers")
    text = soup.get_text(" ", strip=True)
    for expected in (
        "Sam Smith",
        "Nobody visited for 3 months.",
        "Children in care",
        "32 point",
        "Yellow",
        "Do not leave voicemail messages",
        "1 October 2026",
    ):
        assert expected in text, expected
    response = send(client)
    assert response.status_code == 303 and response.headers["Location"].endswith("/confirmation")
    _, soup = page(client, f"{BASE}/confirmation")
    reference = soup.select_one(".govuk-panel__body strong").get_text(strip=True)
    assert reference.startswith("CC-")
    assert "We will send you our answer by" in soup.get_text(" ")
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == reference))
        assert case is not None and case.procedure == "statutory" and case.child_name == "Sam Smith"
        person = case.complainant
        assert person is not None and person.no_voicemail and person.safe_times == "after 3pm"
        assert person.needs["large_print_size"] == 32 and person.needs["paper_colour"] == "yellow"
        assert person.needs["formats"] == ["large_print", "coloured_paper"]
        assert db.session.scalar(select(OutboxMessage.template).where(OutboxMessage.case_id == case.id)) == (
            "acknowledgement"
        )
        assert _count(Case) == 1


def test_after_sending_the_journey_cannot_make_a_second_case(app: Flask, client: FlaskClient) -> None:
    complete(client)
    token = csrf(client.get(f"{BASE}/check-your-answers").get_data(as_text=True))
    send(client)
    # Back-and-resubmit and refresh: both land on the same confirmation.
    again = client.post(f"{BASE}/check-your-answers", data={"csrf_token": token})
    assert again.status_code in (302, 303) and again.headers["Location"].endswith("/confirmation")
    assert client.get(f"{BASE}/check-your-answers").headers["Location"].endswith("/confirmation")
    with app.app_context():
        assert _count(Case) == 1


def test_double_click_with_the_same_token_makes_one_case(app: Flask, client: FlaskClient) -> None:
    complete(client)
    token = csrf(client.get(f"{BASE}/check-your-answers").get_data(as_text=True))
    first = client.post(f"{BASE}/check-your-answers", data={"csrf_token": token})
    second = client.post(f"{BASE}/check-your-answers", data={"csrf_token": token})
    assert first.status_code == 303 and second.status_code in (302, 303)
    with app.app_context():
        assert _count(Case) == 1


@pytest.mark.parametrize(("slug", "message"), list(ERROR_CASES.items()))
def test_each_question_shows_errors_and_keeps_answers(client: FlaskClient, slug: str, message: str) -> None:
    steps = dict(PARENT_COMPLAINT)
    for earlier, data in PARENT_COMPLAINT:
        if earlier == slug:
            break
        answer(client, earlier, data)
    response = post(
        client, f"{BASE}/{slug}", {"what_happened": "kept text"} if slug == "what-happened" else {}
    )
    assert response.status_code == 200
    from tests.helpers import check_page, nonce_of

    soup = check_page(response.get_data(as_text=True), nonce_of(response))
    assert soup.title.get_text().startswith("Error:")
    summary = soup.select_one(".govuk-error-summary").get_text(" ", strip=True)
    assert message in summary
    assert steps  # the step list is the same one the journey uses
    if slug == "what-happened":
        assert "kept text" in soup.select_one("textarea").get_text()


def test_contact_method_needs_matching_details(client: FlaskClient) -> None:
    complete(client, PARENT_COMPLAINT[:6])
    cases = [
        ({"contact_method": "email", "email": ""}, "Enter your email address"),
        ({"contact_method": "email", "email": "not-an-email"}, "correct format"),
        ({"contact_method": "phone", "phone": ""}, "Enter your phone number"),
        ({"contact_method": "phone", "phone": "12"}, "Enter a phone number, like"),
        ({"contact_method": "post", "address": ""}, "Enter your postal address"),
        ({"contact_method": "advocate", "advocate_email": ""}, "Enter your advocate's email address"),
    ]
    for data, message in cases:
        response = post(client, f"{BASE}/contact", {"name": "Jo", "language": "en", **data})
        body = response.get_data(as_text=True)
        assert response.status_code == 200 and message in body.replace("&#39;", "'"), message
        assert 'value="Jo"' in body


def test_dates_must_be_real(client: FlaskClient) -> None:
    complete(client, PARENT_COMPLAINT[:5])
    for parts in (["31", "2", "2026"], ["x", "1", "2026"], ["1", "1", "26"]):
        response = post(client, f"{BASE}/what-happened", {"what_happened": "x", "happened_on": parts})
        assert response.status_code == 200 and "Error:" in response.get_data(as_text=True)
    missing = post(client, f"{BASE}/what-happened", {"what_happened": "x"})
    assert "Enter the date it happened" in missing.get_data(as_text=True)


def test_young_person_branch_offers_advocacy_and_skips_child_page(app: Flask, client: FlaskClient) -> None:
    answer(client, "what-to-do", {"kind": "complaint"})
    response = answer(client, "who", {"who": "young_person"})
    assert response.headers["Location"].endswith("/advocacy")
    _, soup = page(client, f"{BASE}/advocacy")
    assert "NYAS" in soup.get_text() and "VoiceAbility" in soup.get_text()
    assert answer(client, "advocacy", {"wants_advocate": "yes"}).headers["Location"].endswith("/about")
    assert client.get(f"{BASE}/child").status_code == 302
    steps = [s for s in PARENT_COMPLAINT[3:]]
    steps[3] = ("contact", {**dict(PARENT_COMPLAINT)["contact"], "name": "Alex Young"})
    complete(client, steps)
    send(client)
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case is not None and case.advocacy_requested and case.child_name == "Alex Young"
        assert case.complainant_category == "young_person"


def test_advocate_branch_records_organisation_and_consent(app: Flask, client: FlaskClient) -> None:
    answer(client, "what-to-do", {"kind": "complaint"})
    answer(client, "who", {"who": "advocate"})
    response = post(
        client, f"{BASE}/advocate", {"advocate_org": "other", "consent": "yes", "contact_directly": "no"}
    )
    assert "Enter the name of your organisation" in response.get_data(as_text=True)
    answer(client, "advocate", {"advocate_org": "NYAS", "consent": "yes", "contact_directly": "no"})
    complete(client, PARENT_COMPLAINT[2:])
    send(client)
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case is not None and case.advocate_org == "NYAS" and case.young_person_consent is True
        assert case.contact_young_person_directly is False


def test_someone_else_needs_a_sufficient_interest_decision(app: Flask, client: FlaskClient) -> None:
    steps = list(PARENT_COMPLAINT)
    steps[1] = ("who", {"who": "other"})
    complete(client, steps)
    send(client)
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case is not None and case.status == "awaiting_decision"
        assert case.needs_sufficient_interest_decision


def test_send_complaint_goes_to_the_corporate_procedure_with_tribunal_flag(
    app: Flask, client: FlaskClient
) -> None:
    steps = list(PARENT_COMPLAINT)
    steps[3] = ("about", {"service_area": "send"})
    steps[5] = ("outcome", {"outcome": "Fix the EHCP", "proceedings": ["tribunal"]})
    complete(client, steps)
    send(client)
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case is not None and case.procedure == "corporate" and case.send_tribunal_flag
        assert case.other_proceedings == ["tribunal"]


def test_compliment_journey(app: Flask, client: FlaskClient) -> None:
    answer(client, "what-to-do", {"kind": "compliment"})
    response = post(client, f"{BASE}/compliment", {})
    assert "Enter your compliment" in response.get_data(as_text=True)
    answer(
        client,
        "compliment",
        {
            "about_type": "worker",
            "about_name": "Pat",
            "message": "Pat was brilliant.",
            "share_permission": "yes",
        },
    )
    answer(
        client,
        "contact",
        {"name": "Kim", "contact_method": "email", "email": "kim@example.com", "language": "en"},
    )
    assert answer(client, "needs", {}).headers["Location"].endswith("/check-your-answers")
    send(client)
    _, soup = page(client, f"{BASE}/confirmation")
    assert "Compliment sent" in soup.get_text()
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case is not None and case.kind == "compliment" and case.share_permission is True
        assert case.compliment_about == "worker: Pat" and case.reference.startswith("CP-")


def test_change_links_return_to_check_answers(client: FlaskClient) -> None:
    complete(client)
    _, soup = page(client, f"{BASE}/check-your-answers")
    links = [a["href"] for a in soup.select(".govuk-summary-list__actions a")]
    assert f"{BASE}/about?change=1" in links
    response = post(client, f"{BASE}/about?change=1", {"service_area": "fostering"})
    assert response.headers["Location"].endswith("/check-your-answers")
    # Changing who you are opens a new question: the journey asks it before returning.
    response = post(client, f"{BASE}/who?change=1", {"who": "advocate"})
    assert response.headers["Location"].endswith("/advocate")


def test_evidence_upload_type_size_and_remove(app: Flask, client: FlaskClient, tmp_path) -> None:  # type: ignore[no-untyped-def]
    tmp_path = tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = str(tmp_path)
    app.config["UPLOAD_MAX_BYTES"] = 1024 * 1024
    complete(client, PARENT_COMPLAINT[:-1])

    def upload(name: str, data: bytes) -> str:
        response = post(
            client,
            f"{BASE}/evidence",
            {"action": "upload", "evidence": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )
        return response.get_data(as_text=True) if response.status_code == 200 else "ok"

    assert upload("letter.pdf", b"%PDF-1.7 test") == "ok"
    assert upload("photo.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100) == "ok"
    assert "must be a PDF, Word" in upload("invoice.pdf", b"MZ\x90\x00 windows executable")
    assert "must be a PDF, Word" in upload("x.png", b"\x00\x01\x02binary")
    assert "smaller than 1 MB" in upload("big.pdf", b"%PDF-" + b"0" * (1024 * 1024))
    assert "is empty" in upload("empty.txt", b"")
    assert "Select a file" in post(client, f"{BASE}/evidence", {"action": "upload"}).get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalars(select(Upload)).all()
        assert [u.original_name for u in stored] == ["letter.pdf", "photo.jpg"]
        assert {u.content_type for u in stored} == {"application/pdf", "image/jpeg"}
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(u.stored_name for u in stored)
        first = stored[0]
    post(client, f"{BASE}/evidence", {"action": f"remove-{first.id}"})
    assert not (tmp_path / first.stored_name).exists()
    answer(client, "evidence", {})
    send(client)
    with app.app_context():
        case = db.session.scalar(select(Case))
        remaining = db.session.scalars(select(Upload)).all()
        assert case is not None and [u.case_id for u in remaining] == [case.id]


def test_receipt_pdfs(client: FlaskClient) -> None:
    import subprocess

    complete(client)
    send(client)
    for size in ("standard", "large"):
        response = client.get(f"{BASE}/receipt/{size}")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF")
        text = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True, check=True)
        assert b"Nobody visited for 3 months." in text.stdout
    assert client.get(f"{BASE}/receipt/huge").status_code == 404


def test_receipt_of_another_session_is_not_available(app: Flask, client: FlaskClient) -> None:
    complete(client)
    send(client)
    assert app.test_client().get(f"{BASE}/receipt/standard").status_code == 404


def test_database_failure_mid_submit_loses_nothing(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from portal.services import submissions

    complete(client)
    real = submissions.queue_for_person

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        real(*args, **kwargs)
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(submissions, "queue_for_person", failing)
    response = send(client)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Error:" in body and "Nothing has been lost" in body
    assert "Nobody visited for 3 months." in body
    with app.app_context():
        assert (
            _count(Case) == 0
            and _count(Person) == 0
            and _count(CaseEvent) == 0
            and _count(OutboxMessage) == 0
        )
        draft = db.session.scalar(select(Draft))
        assert draft is not None and draft.answers["child_name"] == "Sam Smith"
    monkeypatch.setattr(submissions, "queue_for_person", real)
    assert send(client).status_code == 303
    with app.app_context():
        assert _count(Case) == 1


def test_save_and_come_back_later(app: Flask, client: FlaskClient) -> None:
    complete(client, PARENT_COMPLAINT[:3])
    response = post(client, f"{BASE}/about", {"service_area": "fostering", "save_for_later": "1"})
    assert response.headers["Location"].endswith("/save")
    bad = post(client, f"{BASE}/save", {"email": "nope"})
    assert "correct format" in bad.get_data(as_text=True)
    assert post(client, f"{BASE}/save", {"email": "jo@example.com"}).headers["Location"].endswith("/saved")
    page(client, f"{BASE}/saved")
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "save_return_link"))
        assert message is not None and message.recipient == "jo@example.com"
        link = message.context["link"]
        draft = db.session.scalar(select(Draft))
        assert draft is not None and link.split("/")[-1] not in (draft.return_token_hash or "")
    path = link.split("localhost", 1)[-1]
    # The old session no longer holds the draft; a new browser uses the link.
    assert client.get(f"{BASE}/check-your-answers").status_code == 302
    other = app.test_client()
    _, soup = page(other, path)  # GET shows a button only (mail scanners must not spend the link)
    assert soup.select_one("form button")
    assert post(other, path, {}).headers["Location"].endswith("/check-your-answers")
    assert other.get(f"{BASE}/check-your-answers").headers["Location"].endswith("/what-happened")
    _, soup = page(other, f"{BASE}/about")
    assert soup.select_one('input[value="fostering"]').has_attr("checked")
    # Single use: the same link again is refused, with a clear page.
    _, soup = page(app.test_client(), path, status=404)
    assert "expired or has been used" in soup.get_text()


def test_concurrent_submissions_of_one_draft_make_one_case(app: Flask, client: FlaskClient) -> None:
    # NFR REL-2: 50 concurrent POSTs of one draft make one case. The send limit per address
    # (portal.limits) is raised here: this is about idempotency, not rate limiting.
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "submit_per_ip": "100 per hour"}
    complete(client)
    token = csrf(client.get(f"{BASE}/check-your-answers").get_data(as_text=True))
    cookie = client.get_cookie("session")
    assert cookie is not None

    def submit(_: int) -> int:
        c = app.test_client()
        c.set_cookie("session", cookie.value)
        return c.post(f"{BASE}/check-your-answers", data={"csrf_token": token}).status_code

    barrier = threading.Barrier(50)

    def submit_together(number: int) -> int:
        barrier.wait()  # all 50 requests start at once
        return submit(number)

    with ThreadPoolExecutor(max_workers=50) as pool:
        codes = list(pool.map(submit_together, range(50)))
    assert all(code in (302, 303) for code in codes), codes
    with app.app_context():
        assert _count(Case) == 1
        assert db.session.scalar(select(func.count()).select_from(StageRecord)) == 1
        assert db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.template == "acknowledgement")
        ) == 1


def test_htmx_validation_returns_the_fragment(client: FlaskClient) -> None:
    token = csrf(client.get(f"{BASE}/what-to-do").get_data(as_text=True))
    response = client.post(f"{BASE}/what-to-do", data={"csrf_token": token}, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "govuk-error-summary" in body
    assert "<title>Error:" in body
    ok = client.post(
        f"{BASE}/what-to-do", data={"csrf_token": token, "kind": "complaint"}, headers={"HX-Request": "true"}
    )
    assert ok.status_code == 204 and ok.headers["HX-Redirect"].endswith("/who")


def test_disk_full_during_upload_loses_nothing(
    app: Flask,
    client: FlaskClient,
    tmp_path,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import errno
    import os

    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    complete(client, PARENT_COMPLAINT[:-1])

    def full(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    response = post(
        client,
        f"{BASE}/evidence",
        {"action": "upload", "evidence": (io.BytesIO(b"%PDF-1.7"), "a.pdf")},
        content_type="multipart/form-data",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "We could not save your file just now" in body and "Error:" in body
    with app.app_context():
        assert _count(Upload) == 0
        draft = db.session.scalar(select(Draft))
        assert draft is not None and draft.answers["what_happened"] == "Nobody visited for 3 months."
    assert list((tmp_path / "uploads").iterdir()) == []  # no half-written file left behind
    monkeypatch.undo()
    answer(client, "evidence", {})
    assert send(client).status_code == 303
