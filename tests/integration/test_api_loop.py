"""Issue 21, "Done means": an integration written against docs/api.md runs the whole interview loop with ONE API key —
create a position, import a candidate, add the application, send an AI interview, receive the signed
"interview.analysed" webhook on the company's own server, fetch the report, record the decision — and every step is
the HTTP API (the candidate's part is the candidate's own pages: the link from the real invitation e-mail).

Real components: the API (Django's full request stack), a real SMTP server for the invitation, a real HTTP receiver
for the webhook (threaded server on 127.0.0.1), real speech (espeak-ng in WebM/Opus) uploaded in chunks, the real
analysis (faster-whisper) run by the Huey task."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client

from conftest import SMTPSink
from hirelens.integrations.testing import make_api_key
from hirelens.interviews.sample_media import speech_webm
from hirelens.messaging.models import Message
from hirelens.messaging.services import message_deliver
from hirelens.webhooks.tests.conftest import receiver  # noqa: F401  (the real HTTP receiver)

pytestmark = pytest.mark.django_db


def _api(token: str, language: str = "en") -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE=language)


def _ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.content.decode()[:1500])
    return response.json() if response.content and response["Content-Type"].startswith("application/") else None


@pytest.fixture
def sales_position(org, hr_admin):
    """What the company's HR set up in HireLens's pages: a position with the sales process (AI video interview first)."""
    from hirelens.workflows import services as workflows
    from hirelens.workflows.tests.factories import make_position

    position = make_position(org, title="销售代表", time_zone="Asia/Shanghai")
    position.keywords = ["teamwork", "customer"]
    position.save()
    process = workflows.process_create(actor=hr_admin, position=position, starter="sales")
    workflows.process_publish(actor=hr_admin, process=process)
    return position


def _answer(client: Client, base: str, question: int, recording: bytes) -> int:
    json_ = {"content_type": "application/json"}
    answer_id = _ok(client.post(f"{base}/answers", {"question": question, "kind": "audio", "mime": "audio/webm"}, **json_), 201)["answer"]
    size = 16 * 1024
    for index, offset in enumerate(range(0, len(recording), size)):
        piece = recording[offset:offset + size]
        _ok(client.put(f"{base}/answers/{answer_id}/chunks/{index}", piece, content_type="application/octet-stream",
                       HTTP_X_CHUNK_OFFSET=str(offset), HTTP_X_CHUNK_SHA256=hashlib.sha256(piece).hexdigest()))
    _ok(client.post(f"{base}/answers/{answer_id}/finish", {"size": len(recording), "sha256": hashlib.sha256(recording).hexdigest()},
                    **json_))
    return answer_id


def test_the_whole_interview_loop_with_one_api_key(hr_admin, sales_position, receiver, smtp_server, tmp_path,  # noqa: F811
                                                   django_capture_on_commit_callbacks):
    _key, token = make_api_key(hr_admin, name="ATS 集成")
    api = _api(token)
    json_ = {"content_type": "application/json"}

    with django_capture_on_commit_callbacks(execute=True):
        # 1. the company's server subscribes to the analysed event (the secret is shown once)
        hook = _ok(api.post("/api/v1/webhooks/endpoints", {"url": receiver.url, "event_types": ["interview.analysed"],
                                                           "description": "ATS"}, **json_), 201)
        secret = hook["secret"]
        # 2. it finds the position and imports a candidate (with an idempotency key: a retry changes nothing)
        found = _ok(api.get("/api/v1/positions/", {"search": "销售"}))["items"]
        assert [p["id"] for p in found] == [sales_position.pk]
        body = {"full_name": "Li Ming", "email": "li.ming@example.com", "phone": "13900139000"}
        candidate = _ok(api.post("/api/v1/candidates/", body, HTTP_IDEMPOTENCY_KEY="import-row-1", **json_), 201)
        again = _ok(api.post("/api/v1/candidates/", body, HTTP_IDEMPOTENCY_KEY="import-row-1", **json_), 201)
        assert again["id"] == candidate["id"]
        application = _ok(api.post(f"/api/v1/candidates/{candidate['id']}/applications",
                                   {"position_id": sales_position.pk}, **json_), 201)
        started = _ok(api.post(f"/api/v1/applications/{application['id']}/start", {}, **json_))
        assert started["stage"]["title"] == "AI视频面试"
        # 3. the AI interview of the process's stage, sent by the candidate's channels
        sent = _ok(api.post(f"/api/v1/interviews/applications/{application['id']}/sessions",
                            {"use_stage": True, "language": "en", "answer_language": "en"}, **json_), 201)
        session_id = sent["session"]["id"]
        for message in Message.objects.filter(status="queued").order_by("pk"):
            message_deliver(message_id=message.pk)
    mail = smtp_server.wait_for(1)[0]
    assert mail["To"] == "li.ming@example.com"
    link = re.search(r"/i/([\w-]+)/", SMTPSink.text_of(mail)).group(1)

    # 4. the candidate answers on their own pages (a phone's browser in real life): consent, two answers, submit
    candidate_client = Client(HTTP_ACCEPT_LANGUAGE="en")
    base = f"/i/{link}"
    assert candidate_client.get(f"{base}/").status_code == 200
    _ok(candidate_client.post(f"{base}/consent", {"recording": True, "ai_analysis": True, "biometric": False}, **json_))
    _ok(candidate_client.post(f"{base}/start", {}, **json_))
    first = speech_webm(tmp_path, "I beat my sales target by working closely with every customer.")
    second = speech_webm(tmp_path, "Teamwork won us the biggest customer. Our teamwork was the reason.")
    with django_capture_on_commit_callbacks(execute=True):  # the analysis task runs (Huey inline in tests) and emits
        answer_id = _answer(candidate_client, base, 0, first)
        _answer(candidate_client, base, 1, second)
        submitted = _ok(candidate_client.post(f"{base}/submit", {}, **json_))
    assert submitted["state"] in ("submitted", "analysed")

    # 5. the company's server received the signed webhook, once, and only the type it subscribed to
    assert receiver.types() == ["interview.analysed"]
    [analysed] = receiver.requests
    assert analysed.signed_by(secret) and not analysed.signed_by(secret + "x")
    data = analysed.json["data"]
    assert data["session_id"] == session_id and data["application_id"] == application["id"]

    # 6. it fetches the status and the report with the same key: words and stable codes
    status = _ok(api.get(f"/api/v1/interviews/sessions/{session_id}"))
    assert status["status"] == "analysed" and status["candidate_name"] == "Li Ming"
    report = _ok(api.get(f"/api/v1/interviews/sessions/{session_id}/report"))
    assert "teamwork" in str(report).lower() and "customer" in str(report).lower()
    download = api.get(f"/api/v1/interviews/answers/{answer_id}/recording")
    assert download.status_code == 200
    assert hashlib.sha256(b"".join(download.streaming_content)).digest() == hashlib.sha256(first).digest()

    # 7. an interviewer's scorecard, then the decision, through the same rules as the pages
    position = _ok(api.get(f"/api/v1/positions/{sales_position.pk}"))
    stage_id = started["stage"]["id"]
    refused = api.post(f"/api/v1/applications/{application['id']}/reject", {"reason": ""}, **json_)
    assert refused.status_code in (400, 422) and refused["Content-Type"] == "application/problem+json"
    ratings = [{"dimension": name, "score": 4, "reason": "Clear examples from the AI interview answers."}
               for name in position["scorecard_dimensions"]]
    _ok(api.post(f"/api/v1/evaluations/applications/{application['id']}/stages/{stage_id}/scorecard",
                 {"ratings": ratings, "recommendation": "no", "summary": "Good teamwork, little sales depth."}, **json_), 201)
    decision = _ok(api.post(f"/api/v1/evaluations/applications/{application['id']}/decisions",
                            {"outcome": "reject", "rationale": "Both answers lacked concrete sales figures for this role."},
                            **json_), 201)
    assert decision["outcome"] == "reject" and decision["candidate_name"] == "Li Ming"
    final = _ok(api.get(f"/api/v1/applications/{application['id']}"))
    assert final["status"] == "rejected"
