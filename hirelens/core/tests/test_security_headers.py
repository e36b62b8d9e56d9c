"""Headers on every response: a Content-Security-Policy without inline or eval'd script, `Cache-Control: no-store`
wherever personal data or media may travel (static files keep their caching), quiet 403s, a favicon."""

import hashlib
import logging
import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from hirelens.candidates import services as candidate_services
from hirelens.candidates.tests import documents as d
from hirelens.candidates.tests.factories import ApplicationFactory
from hirelens.interviews.models import Answer
from hirelens.interviews.services import _hash
from hirelens.interviews.tests.factories import InterviewSessionFactory
from hirelens.interviews.tests.media import webm_bytes
from hirelens.portal.services import portal_link_create, portal_url

ROOT = Path(__file__).resolve().parents[3]
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
          "media-src 'self' blob:; font-src 'self' data:; connect-src 'self' ws://testserver wss://testserver; "
          "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'")


@pytest.fixture
def personal(hr_admin):
    """A candidate with an application, a PDF résumé, a document, a portal link and an interview with a recording."""
    org = hr_admin.organization
    app = ApplicationFactory(candidate__organization=org)
    candidate = app.candidate
    candidate_services.resume_attach(candidate=candidate, actor=hr_admin, upload=d.upload(d.pdf_bytes(["张三 简历"]), "简历.pdf"))
    document = candidate_services.document_upload(candidate=candidate, actor=hr_admin, upload=d.upload(d.png_bytes(), "证书.png"),
                                                  doc_type="certificate")
    _, portal_token = portal_link_create(actor=hr_admin, candidate=candidate, days=7)
    session = InterviewSessionFactory(application=app, token_hash=_hash("headers-token"))
    data = webm_bytes(1.0)
    answer = Answer(organization=org, session=session, question_index=0, status="complete", size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(), mime_type="video/webm", duration_s=1.0)
    answer.recording.save("x.webm", ContentFile(data), save=False)
    answer.save()
    return {"candidate": candidate, "document": document, "portal": portal_url(portal_token, absolute=False),
            "session": session, "answer": answer}


def _token_url(session):
    assert session.token_hash == _hash("headers-token")
    return "/i/headers-token/"


def test_every_page_has_the_policy_with_no_inline_or_eval_script(hr_admin, personal, client):
    assert client.get("/accounts/login/")["Content-Security-Policy"] == POLICY
    client.force_login(hr_admin)
    for url in ["/", f"/candidates/{personal['candidate'].pk}/", f"/interviews/{personal['session'].pk}/", "/analytics/",
                "/api/v1/candidates/", _token_url(personal["session"]), personal["portal"]]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Security-Policy"] == POLICY, url
    assert client.get("/no-such-page/")["Content-Security-Policy"] == POLICY  # error pages too


def test_the_resume_preview_may_be_framed_by_our_own_page_only(hr_admin, personal, client):
    client.force_login(hr_admin)
    page = client.get(f"/candidates/{personal['candidate'].pk}/?tab=resume")
    assert f'src="/candidates/{personal["candidate"].pk}/resume/?inline=1"' in page.content.decode()
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    pdf = client.get(f"/candidates/{personal['candidate'].pk}/resume/?inline=1")
    assert (pdf.status_code, pdf["Content-Type"], pdf["X-Frame-Options"]) == (200, "application/pdf", "SAMEORIGIN")
    # Chromium's PDF viewer is a plugin in the PDF's own document: `object-src 'none'` there would blank the preview.
    assert "Content-Security-Policy" not in pdf
    assert pdf["Cache-Control"] == "no-store"


def test_websockets_to_the_served_host_are_allowed(hr_admin, client):
    client.force_login(hr_admin)
    policy = client.get("/", HTTP_HOST="127.0.0.1")["Content-Security-Policy"]
    assert "connect-src 'self' ws://127.0.0.1 wss://127.0.0.1;" in policy


def test_templates_carry_no_inline_script_or_event_handler():
    """The policy refuses inline script: a template that brings one back breaks its page. JSON data blocks
    (`json_script`, type="application/json") are data, not script, and are allowed."""
    offenders = []
    for path in sorted([*ROOT.glob("templates/**/*.html"), *ROOT.glob("hirelens/*/templates/**/*.html")]):
        text = path.read_text()
        for match in re.finditer(r"<script\b([^>]*)>", text):
            attributes = match.group(1)
            if "src=" not in attributes and 'type="application/json"' not in attributes:
                offenders.append(f"{path.relative_to(ROOT)}: inline <script{attributes}>")
        for match in re.finditer(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=|javascript:", text):
            offenders.append(f"{path.relative_to(ROOT)}: {match.group(0).strip()}")
    assert offenders == []


def test_responses_with_personal_data_or_media_are_not_stored(hr_admin, personal, client):
    candidate, document, answer = personal["candidate"], personal["document"], personal["answer"]
    public = [_token_url(personal["session"]), personal["portal"], "/accounts/login/"]
    for url in public:
        assert client.get(url)["Cache-Control"] == "no-store", url
    client.force_login(hr_admin)
    staff = ["/", "/candidates/", f"/candidates/{candidate.pk}/", f"/candidates/{candidate.pk}/resume/",
             f"/candidates/{candidate.pk}/documents/{document.pk}/", f"/interviews/{personal['session'].pk}/",
             f"/interviews/answers/{answer.pk}/media", "/api/v1/candidates/", f"/api/v1/candidates/{candidate.pk}",
             f"/api/v1/candidates/{candidate.pk}/documents/{document.pk}/file"]
    for url in staff:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store", url
        assert "Expires" not in response, url
    ranged = client.get(f"/interviews/answers/{answer.pk}/media", HTTP_RANGE="bytes=0-9")
    assert (ranged.status_code, ranged["Cache-Control"]) == (206, "no-store")


def test_static_files_keep_their_caching(client):
    response = client.get("/static/hirelens/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "max-age=" in response["Cache-Control"]
    assert "Content-Security-Policy" not in response


def test_favicon(client, hr_admin):
    icon = client.get("/favicon.ico")
    assert (icon.status_code, icon["Location"]) == (302, "/static/hirelens/favicon.svg")
    assert icon["Cache-Control"] == "public, max-age=86400"
    svg = client.get(icon["Location"])
    assert (svg.status_code, svg["Content-Type"]) == (200, "image/svg+xml")
    assert b"".join(svg.streaming_content).startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')
    link = '<link rel="icon" href="/static/hirelens/favicon.svg" type="image/svg+xml">'
    assert link in client.get("/accounts/login/").content.decode()
    client.force_login(hr_admin)
    assert link in client.get("/").content.decode()


def test_portal_links_the_favicon(personal, client):
    assert '<link rel="icon" href="/static/hirelens/favicon.svg" type="image/svg+xml">' in client.get(personal["portal"]).content.decode()


def test_a_403_is_one_line_in_the_log_without_traceback(interviewer, client, caplog):
    client.force_login(interviewer)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/settings/")
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [(r.levelname, r.getMessage()) for r in records] == [("WARNING", "Forbidden (Permission denied): /settings/")]
    assert records[0].exc_info is None and records[0].exc_text is None
    assert "Traceback" not in caplog.text


def test_a_server_error_keeps_its_traceback(caplog):
    try:
        raise RuntimeError("a real bug")
    except RuntimeError:
        with caplog.at_level(logging.ERROR, logger="django.request"):
            logging.getLogger("django.request").error("Internal Server Error: /x", exc_info=True, extra={"status_code": 500})
    assert "Traceback" in caplog.text and "RuntimeError: a real bug" in caplog.text
