"""AI interviews over the open API with a real API key: send (from the stage or with own questions), resend, revoke,
list, status, the analysis report and an answer's recording — the same services, access rules and audit as HR's pages."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.base import ContentFile

from hirelens.core.models import AuditEvent
from hirelens.integrations.testing import api_client, make_api_key
from hirelens.interviews.models import Answer, InterviewSession
from hirelens.workflows.tests.factories import assign, make_application, make_position, published_process

from .factories import InterviewSessionFactory
from .media import webm_bytes

pytestmark = pytest.mark.django_db

API = "/api/v1/interviews"
REPORT = {
    "summary": {"duration_s": 7.7, "speaking_time_s": 6.5, "pause_count": 1, "speech_rate_syll_per_s": 4.42,
                "articulation_rate_syll_per_s": 5.2, "chars_per_min": 265.0, "language": "zh", "speech_rate_source": "transcript",
                "keywords": {"团队协作": 1}, "keywords_not_applicable": [], "face_present_ratio": 0.9, "smile_count": 3},
    "face": {"smile_time_s": 2.0},
    "transcript": {"language": "zh", "text": "我们团队协作完成了项目。", "words": []},
    "events": [{"type": "pause", "start_s": 1.0, "end_s": 2.5}, {"type": "smile", "start_s": 3.0, "end_s": 3.5},
               {"type": "keyword", "start_s": 4.0, "end_s": 4.4, "detail": {"keyword": "团队协作"}}],
}


@pytest.fixture
def world(org, hr_admin):
    """A position on the technical process (AI video → coding (hiring managers only) → live) and one application at its
    AI-video stage."""
    from hirelens.workflows import services as wf

    position = make_position(org, title="后端工程师")
    _process, version = published_process(hr_admin, position, "technical")
    application = make_application(position, "王小明")
    wf.pipeline_start(actor=hr_admin, application=application)
    return {"position": position, "application": application, "version": version,
            "coding": version.stages.get(module="coding"), "video": version.stages.get(module="ai_video")}


def _client(user, scopes=None, language="zh-hans"):
    _key, token = make_api_key(user, scopes)
    return api_client(token, language)


def _recorded(session, data: bytes, *, index: int = 0, analysis=None) -> Answer:
    answer = Answer(organization=session.organization, session=session, question_index=index, status=Answer.Status.COMPLETE,
                    size=len(data), sha256=hashlib.sha256(data).hexdigest(), mime_type="video/webm", duration_s=2.0,
                    analysis=analysis, analysis_status=Answer.Analysis.DONE if analysis else Answer.Analysis.NONE)
    answer.recording.save("x.webm", ContentFile(data), save=False)
    answer.save()
    return answer


# --- send, status, resend, revoke ---------------------------------------------------------------------------------


def test_send_from_the_stage_is_idempotent_and_reports_its_status(world, recruiter):
    client = _client(recruiter)
    application = world["application"]
    url = f"{API}/applications/{application.pk}/sessions"
    response = client.post(url, {"use_stage": True, "valid_days": 5}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="send-1")
    assert response.status_code == 201, response.content
    body = response.json()
    session = InterviewSession.objects.get(application=application)
    assert body["session"]["id"] == session.pk and response["Location"] == f"{API}/sessions/{session.pk}"
    assert session.stage_id == world["video"].pk and [q["text"] for q in session.questions] == [
        "请介绍一个你主导的技术项目：你的角色、难点和结果。", "描述一次线上故障，你是如何定位和解决的？"]
    assert body["session"]["candidate_name"] == "王小明" and body["session"]["position_title"] == "后端工程师"
    assert body["session"]["status"] == "invited" and body["session"]["status_label"] == "已邀请"
    assert body["session"]["progress"] == {"questions": 2, "answered": 0, "uploaded": 0, "analysed": 0}
    assert body["invitation"]["kind"] == "ai_interview.invite" and body["invitation"]["status_label"] == "排队中"
    again = client.post(url, {"use_stage": True, "valid_days": 5}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="send-1")
    assert again.status_code == 201 and again.json() == body
    assert InterviewSession.objects.filter(application=application).count() == 1
    assert session.invitations_sent == 1

    status = client.get(f"{API}/sessions/{session.pk}")
    assert status.status_code == 200 and status["ETag"].startswith('"')
    assert [q["text"] for q in status.json()["questions"]] == [q["text"] for q in session.questions]
    assert status.json()["invitations"][0]["id"] == body["invitation"]["id"]
    assert AuditEvent.objects.filter(action="read", object_type="interviews.interviewsession", object_id=str(session.pk),
                                     actor_id=recruiter.pk).exists()


def test_send_with_own_questions_and_refusals(world, recruiter, hr_admin):
    client = _client(recruiter)
    url = f"{API}/applications/{world['application'].pk}/sessions"
    response = client.post(url, {"questions": [{"text": "你为什么想加入我们？", "answer_s": 60, "retakes": 0}], "language": "en",
                                 "text_answers_allowed": True}, content_type="application/json")
    assert response.status_code == 201, response.content
    session = InterviewSession.objects.get(pk=response.json()["session"]["id"])
    assert session.questions == [{"text": "你为什么想加入我们？", "prep_s": 30, "answer_s": 60, "retakes": 0}]
    assert session.language == "en" and session.text_answers_allowed and session.stage_id is None
    assert session.practice_question == "Please describe yourself in three words."  # the default follows the language
    # no question: the service's rule (422, in the caller's language)
    empty = client.post(url, {"questions": []}, content_type="application/json")
    assert empty.status_code == 422 and empty.json()["detail"] == "至少需要一道题目。"
    assert empty["Content-Type"] == "application/problem+json"
    english = _client(recruiter, language="en").post(url, {"questions": [{"text": "题", "retakes": 9}]}, content_type="application/json")
    assert english.status_code == 400 and english.json()["title"] == "The request's parameters are not valid."
    assert english["Content-Language"] == "en" and "retakes" in english.json()["detail"]
    # a time out of the page's bounds: 400 naming the field
    bad = client.post(url, {"questions": [{"text": "题", "answer_s": 5}]}, content_type="application/json")
    assert bad.status_code == 400 and "answer_s" in bad.json()["detail"]
    # an application past its AI-video stage: the page's rule too
    other = make_application(world["position"], "李雷")
    not_at_stage = client.post(f"{API}/applications/{other.pk}/sessions", {"use_stage": True}, content_type="application/json")
    assert not_at_stage.status_code == 422 and not_at_stage.json()["detail"] == "当前环节不是AI视频面试。"
    assert InterviewSession.objects.count() == 1


def test_send_is_refused_to_the_panel_other_tenants_and_read_only_keys(world, interviewer, recruiter, outsider):
    url = f"{API}/applications/{world['application'].pk}/sessions"
    body = {"use_stage": True}
    assert _client(interviewer).post(url, body, content_type="application/json").status_code == 404  # not assigned
    assign(world["position"], interviewer, "interviewer")
    refused = _client(interviewer).post(url, body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    scoped = _client(recruiter, ["interviews:read"], language="en").post(url, body, content_type="application/json")
    assert scoped.status_code == 403 and scoped.json()["code"] == "insufficient_scope"
    assert scoped.json()["title"] == "The API key lacks the required scope."
    assert _client(outsider).post(url, body, content_type="application/json").status_code == 404
    assert not InterviewSession.objects.exists()


def test_resend_and_revoke_follow_the_page_rules(world, recruiter, interviewer, outsider):
    client = _client(recruiter)
    created = client.post(f"{API}/applications/{world['application'].pk}/sessions", {"use_stage": True},
                          content_type="application/json").json()
    session_id = created["session"]["id"]
    assign(world["position"], interviewer, "interviewer")
    assert _client(interviewer).post(f"{API}/sessions/{session_id}/resend").status_code == 403
    assert _client(outsider).post(f"{API}/sessions/{session_id}/resend").status_code == 404
    assert InterviewSession.objects.get(pk=session_id).invitations_sent == 1
    resent = client.post(f"{API}/sessions/{session_id}/resend", HTTP_IDEMPOTENCY_KEY="again")
    assert resent.status_code == 200 and resent.json()["session"]["invitations_sent"] == 2
    assert client.post(f"{API}/sessions/{session_id}/resend", HTTP_IDEMPOTENCY_KEY="again").json() == resent.json()
    assert InterviewSession.objects.get(pk=session_id).invitations_sent == 2  # the retry sent nothing
    assert _client(interviewer).post(f"{API}/sessions/{session_id}/revoke").status_code == 403
    assert InterviewSession.objects.get(pk=session_id).revoked_at is None
    revoked = client.post(f"{API}/sessions/{session_id}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    refused = client.post(f"{API}/sessions/{session_id}/resend")
    assert refused.status_code == 422 and refused.json()["detail"] == "面试已撤销或已提交，不能再次发送。"


# --- list -----------------------------------------------------------------------------------------------------------


def test_list_pages_filters_hides_stages_and_audits(world, hr_admin, interviewer, outsider, django_assert_max_num_queries):
    application = world["application"]
    video = InterviewSessionFactory(application=application, organization=application.organization, stage=world["video"])
    coding = InterviewSessionFactory(application=application, organization=application.organization, stage=world["coding"],
                                     state="submitted")
    loose = [InterviewSessionFactory(application=make_application(world["position"], f"候选人{i}"),
                                     organization=application.organization) for i in range(3)]
    client = _client(hr_admin)
    with django_assert_max_num_queries(14):
        first = client.get(f"{API}/sessions?limit=2")
    assert first.status_code == 200
    seen, page = [], first.json()
    while True:
        seen += [row["id"] for row in page["items"]]
        if not page["next"]:
            break
        page = client.get(f"{API}/sessions", {"limit": 2, "cursor": page["next"]}).json()
    assert seen == [s.pk for s in reversed([video, coding, *loose])]  # newest first, each once
    row = first.json()["items"][0]
    assert row["candidate_name"] == "候选人2" and row["status_label"] == "已邀请" and row["ai_analysis_label"] == "尚未选择"
    entry = AuditEvent.objects.filter(action="read", actor_id=hr_admin.pk).order_by("pk").first()
    assert entry is not None and sorted(entry.targets) == sorted(f"candidates.candidate:{s.application.candidate_id}"
                                                                  for s in (loose[2], loose[1]))
    # the same cost for a page of 20 as for a page of 2 (the names come with the page)
    with django_assert_max_num_queries(14):
        assert len(client.get(f"{API}/sessions?limit=20").json()["items"]) == 5
    # filters of the list page
    submitted = client.get(f"{API}/sessions", {"status": "submitted"}).json()["items"]
    assert [row["id"] for row in submitted] == [coding.pk]
    assert [r["id"] for r in client.get(f"{API}/sessions", {"candidate": application.candidate_id}).json()["items"]] == [coding.pk, video.pk]
    # the panel: only assigned positions, and never the coding stage (hiring managers only)
    assert _client(interviewer).get(f"{API}/sessions").json()["items"] == []
    assign(world["position"], interviewer, "interviewer")
    ids = [row["id"] for row in _client(interviewer).get(f"{API}/sessions?limit=100").json()["items"]]
    assert coding.pk not in ids and video.pk in ids and len(ids) == 4
    assert _client(interviewer).get(f"{API}/sessions/{coding.pk}").status_code == 404
    # another tenant sees nothing; bad input is a 400
    assert _client(outsider).get(f"{API}/sessions").json() == {"items": [], "next": None}
    assert client.get(f"{API}/sessions", {"status": "lost"}).status_code == 400
    bad = _client(hr_admin, language="en").get(f"{API}/sessions", {"cursor": "forged"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_cursor"
    assert bad.json()["title"] == "The request's parameters are not valid."
    assert _client(hr_admin, ["candidates:read"]).get(f"{API}/sessions").status_code == 403


# --- report and recording -------------------------------------------------------------------------------------------


def test_report_gives_codes_and_labels_and_hides_the_face_without_the_switch(world, hr_admin, interviewer, outsider):
    application = world["application"]
    session = InterviewSessionFactory(application=application, organization=application.organization, state="analysed",
                                      biometric_allowed=True)
    answer = _recorded(session, b"webm", analysis=REPORT)
    Answer.objects.create(organization=session.organization, session=session, question_index=-1, status="complete")  # practice
    response = _client(hr_admin).get(f"{API}/sessions/{session.pk}/report")
    assert response.status_code == 200
    body = response.json()
    assert body["facial"] is False and len(body["answers"]) == 1  # the face switch is off by default; never the practice
    report = body["answers"][0]
    assert report["answer_id"] == answer.pk and report["question"] == session.questions[0]["text"]
    assert {m["code"]: m["label"] for m in report["metrics"]}["speech_rate_syll_per_s"] == "语速（音节/秒）"
    assert "smile_count" not in {m["code"] for m in report["metrics"]} and report["face"] is None
    assert [(e["code"], e["label"]) for e in report["events"]] == [("pause", "停顿"), ("keyword", "关键词")]
    assert report["events"][1]["keyword"] == "团队协作"
    assert {"label": "语速计算方法", "value": "按转写计数"} in report["speech"]
    assert report["transcript"] == "我们团队协作完成了项目。" and report["analysis_status_label"] == "已完成"
    entry = AuditEvent.objects.filter(action="read", object_type="interviews.interviewsession").latest("pk")
    assert entry.object_id == str(session.pk) and sorted(entry.fields) == ["analysis", "answers", "transcript"]
    assert entry.actor_label == f"{hr_admin.email} · API: 测试集成"  # the audit log names the key
    # with the position's face switch on: face rows and figures, labelled; in English for an English caller
    position = world["position"]
    position.facial_analysis = "on"
    position.save()
    english = _client(hr_admin, language="en").get(f"{API}/sessions/{session.pk}/report").json()["answers"][0]
    assert {m["code"]: m["label"] for m in english["metrics"]}["smile_count"] == "Smiles"
    assert ("smile", "Smile") in [(e["code"], e["label"]) for e in english["events"]]
    assert english["face"] and english["speech"][0]["label"] == "Duration"
    assert _client(interviewer).get(f"{API}/sessions/{session.pk}/report").status_code == 404
    assert _client(outsider).get(f"{API}/sessions/{session.pk}/report").status_code == 404


def test_recording_download_decrypts_to_real_media_streams_and_is_audited(world, hr_admin, outsider, interviewer):
    import av

    application = world["application"]
    session = InterviewSessionFactory(application=application, organization=application.organization, state="submitted")
    data = webm_bytes(2.0)
    answer = _recorded(session, data)
    with answer.recording.storage.inner.open(answer.recording.name, "rb") as raw:
        assert data[:64] not in raw.read()  # encrypted at rest: the download decrypts
    key, token = make_api_key(hr_admin, ["interviews:read"], name="招聘系统")
    client = api_client(token)
    response = client.get(f"{API}/answers/{answer.pk}/recording")
    assert response.status_code == 200 and response.streaming and response["Content-Type"] == "video/webm"
    body = b"".join(response.streaming_content)
    assert body == data
    with av.open(io.BytesIO(body)) as container:
        assert container.streams.video and container.duration > 0
    entry = AuditEvent.objects.filter(action="read_file", object_type="interviews.answer").latest("pk")
    assert entry.object_id == str(answer.pk) and entry.actor_id == hr_admin.pk and entry.fields == ["recording"]
    assert entry.actor_label == f"{hr_admin.email} · API: 招聘系统"  # the audit log names the key
    part = client.get(f"{API}/answers/{answer.pk}/recording", HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206 and part.content == data[10:20]
    # the practice take is never served; another tenant and an unassigned interviewer get 404, unaudited
    practice = _recorded(session, data, index=-1)
    before = AuditEvent.objects.filter(action="read_file").count()
    assert client.get(f"{API}/answers/{practice.pk}/recording").status_code == 404
    assert _client(outsider).get(f"{API}/answers/{answer.pk}/recording").status_code == 404
    en = _client(interviewer, language="en").get(f"{API}/answers/{answer.pk}/recording")
    assert en.status_code == 404 and en.json()["code"] == "not_found" and en["Content-Language"] == "en"
    assert AuditEvent.objects.filter(action="read_file").count() == before

