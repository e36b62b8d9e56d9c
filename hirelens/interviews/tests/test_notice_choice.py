"""Issue 20, notice and choice: the invitation's AI notice (versioned, editable by HR admins, the version sent recorded),
advance notice for New York City roles, declining AI analysis (no analysis runs), accommodation and human-review requests
answered by HR (extra time changes the session's limits, text answers are allowed), the face switch per position (not
computed, not shown), and the explanation page."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from conftest import SMTPSink
from hirelens.interviews import choice
from hirelens.interviews.models import Answer, CandidateRequest, ConsentNotice, InterviewSession
from hirelens.interviews.services import _hash, consent_record, current_notices
from hirelens.interviews.testing import session_actor_for
from hirelens.messaging.models import Message
from hirelens.messaging.services import message_deliver
from hirelens.positions.models import Position, add_business_days

from .factories import InterviewSessionFactory

pytestmark = pytest.mark.django_db
TOKEN = "notice-choice-token"
FACE_LABELS = ["微笑", "皱眉", "视线偏离", "画面中有面部", "肩部倾斜", "手势", "面部（已获候选人同意）", "姿态"]


def deliver_all() -> None:
    for message in Message.objects.filter(status="queued").order_by("pk"):
        message_deliver(message_id=message.pk)


@pytest.fixture
def application(org):
    from hirelens.workflows.tests.factories import make_application, make_position

    position = make_position(org, title="销售代表", time_zone="Asia/Shanghai")
    application = make_application(position, "周雨桐")
    application.candidate.email = "zhou.yutong@example.com"
    application.candidate.save()
    return application


def _send(client, application, **extra):
    form = {"questions": "请介绍一次团队协作的经历。", "practice_question": "", "prep_s": 10, "answer_s": 60, "retakes": 1,
            "extra_prep_s": 0, "valid_days": 7, "language": "zh-hans", "answer_language": "auto", **extra}
    response = client.post(f"/interviews/new/{application.pk}/", form)
    assert response.status_code == 200, response.content.decode()[:1500]
    token = re.search(r"/i/([\w-]+)/", response.content.decode()).group(1)
    return InterviewSession.objects.get(application=application), token


def test_hr_admin_edits_the_invitation_notice_as_a_new_version_and_the_invitation_records_it(
        client, hr_admin, recruiter, application, smtp_server):
    client.force_login(hr_admin)
    page = client.get("/interviews/notices/").content.decode()
    assert "邀请中的AI使用说明" in page and "录音录像" in page and "AI分析" in page and "面部/生物特征分析" in page
    response = client.post("/interviews/notices/invitation_ai/edit/", {
        "text_zh": "我们使用AI测量语速、停顿和关键词，供面试官参考；您可以选择只由人评估。",
        "text_en": "We use AI to measure speaking rate, pauses and keywords for the interviewers; you may choose human review only."})
    assert response.status_code == 302
    versions = list(ConsentNotice.objects.filter(kind="invitation_ai").order_by("version").values_list("organization_id", "version"))
    assert versions == [(None, 1), (hr_admin.organization_id, 2)]  # version 1 (the platform's) is never rewritten
    assert ConsentNotice.objects.get(kind="invitation_ai", version=1).text_zh.startswith("本次面试使用AI辅助分析")
    client.force_login(recruiter)
    assert client.get("/interviews/notices/").status_code == 403  # only HR admins edit notices
    session, token = _send(client, application)
    assert session.invitation_notice["version"] == 2 and session.invitation_notice["organization"] is True
    deliver_all()
    text = SMTPSink.text_of(smtp_server.wait_for(1)[0])
    assert "我们使用AI测量语速、停顿和关键词" in text
    assert f"在此选择：http://testserver/i/{token}/choice/" in text or f"/i/{token}/choice/" in text
    detail = client.get(f"/interviews/{session.pk}/").content.decode()
    assert "邀请中的AI使用说明：第 2 版" in detail


def test_nyc_role_opens_ten_business_days_after_the_invitation(client, recruiter, application):
    position = application.position
    position.jurisdiction, position.time_zone = Position.Jurisdiction.US_NYC, "America/New_York"
    position.save()
    assert position.advance_notice == 10
    client.force_login(recruiter)
    before = timezone.now()
    session, token = _send(client, application, valid_days=5)
    assert session.opens_at is not None
    # business days are counted in the position's zone (a Sunday evening in New York is Monday in UTC)
    expected = add_business_days(before.astimezone(ZoneInfo("America/New_York")), 10)
    assert abs((session.opens_at - expected).total_seconds()) < 60
    assert session.expires_at - session.opens_at == timedelta(days=5)  # the answer window starts when it opens
    page = client.get(f"/i/{token}/").content.decode()
    assert 'data-testid="opens-at"' in page and 'data-testid="begin"' not in page
    consent_record(actor=session_actor_for(session, token), session=session, accepted={"recording": True, "ai_analysis": True})
    response = client.post(f"/i/{token}/start", {}, content_type="application/json")
    assert response.status_code == 400 and "尚未开放" in response.json()["error"]
    detail = client.get(f"/interviews/{session.pk}/").content.decode()
    assert 'data-testid="session-opens"' in detail and "美国纽约市" in detail and "至少提前 10 个工作日" in detail


def test_a_china_role_opens_at_once():
    assert add_business_days(timezone.datetime(2026, 12, 4, 9, 0), 10) == timezone.datetime(2026, 12, 18, 9, 0)  # Fri → Fri
    assert Position(jurisdiction=Position.Jurisdiction.CN).advance_notice == 0
    assert Position(jurisdiction=Position.Jurisdiction.US_NYC, advance_notice_days=3).advance_notice == 3


def _video_answer(org, session, data: bytes) -> Answer:
    answer = Answer(organization=org, session=session, question_index=0, kind="video", mime_type="video/webm", status="complete",
                    size=len(data), sha256=hashlib.sha256(data).hexdigest(), analysis_status="queued", duration_s=4.0)
    answer.recording.save("a.webm", ContentFile(data), save=False)
    answer.save()
    return answer


def test_declined_ai_analysis_queues_nothing_and_hr_sees_human_review(client, org, recruiter, django_capture_on_commit_callbacks):
    from hirelens.interviews.services import answer_begin, answer_finish, chunk_put, session_start

    from .media import webm_bytes

    session = InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash(TOKEN), link_token=TOKEN)
    consent_record(actor=session_actor_for(session, TOKEN), session=session,
                   accepted={"recording": True, "ai_analysis": False, "biometric": True})
    session.refresh_from_db()
    assert session.ai_analysis == "declined" and session.biometric_allowed is False
    assert session.consents["ai_analysis"]["accepted"] is False and session.consents["recording"]["accepted"] is True
    session_start(session=session, audio_only=False)
    data = webm_bytes(3.0)
    answer = answer_begin(session=session, question_index=0, kind="video", mime_type="video/webm")
    chunk_put(answer=answer, index=0, offset=0, sha256=hashlib.sha256(data).hexdigest(), data=data)
    # Huey runs tasks inline in tests: had an analysis task been enqueued after commit, it would run here
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        answer = answer_finish(answer=answer, total_size=len(data), sha256=hashlib.sha256(data).hexdigest())
    assert callbacks and not [c for c in callbacks if "analyse" in repr(getattr(c, "__closure__", None) or "")]
    answer.refresh_from_db()
    assert (answer.status, answer.analysis_status, answer.analysis) == ("complete", "none", None)
    # even a stray task for it does nothing: the bridge refuses a declined session
    from hirelens.interviews.analysis_bridge import answer_analyse

    Answer.objects.filter(pk=answer.pk).update(analysis_status="queued")
    answer_analyse(answer_id=answer.pk)
    answer.refresh_from_db()
    assert (answer.analysis_status, answer.analysis, answer.analysis_attempts) == ("queued", None, 0)
    client.force_login(recruiter)
    with_lang = client.get(f"/interviews/{session.pk}/").content.decode()
    assert "由面试官人工评估" in with_lang and 'data-testid="human-review-only"' in with_lang
    client.cookies["django_language"] = "en"
    assert "Human review only" in client.get(f"/interviews/{session.pk}/").content.decode()


def test_choice_page_declines_ai_before_the_interview(client, org):
    session = InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash(TOKEN), link_token=TOKEN)
    page = client.get(f"/i/{TOKEN}/choice/").content.decode()
    assert "本次面试使用AI辅助分析" in page and 'data-testid="decline-ai"' in page
    assert client.post(f"/i/{TOKEN}/choice/", {"action": "decline_ai"}).status_code == 302
    session.refresh_from_db()
    assert session.ai_analysis == "declined"
    assert 'data-testid="choice-declined"' in client.get(f"/i/{TOKEN}/choice/").content.decode()


@pytest.mark.parametrize("kind", ["extra_time", "text_answers"])
def test_accommodation_is_answered_by_hr_and_changes_the_session(client, org, recruiter, interviewer, kind, smtp_server):
    session = InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash(TOKEN), link_token=TOKEN)
    session.application.candidate.email = "a@example.com"
    session.application.candidate.save()
    response = client.post(f"/i/{TOKEN}/choice/", {"action": "request", "kind": kind, "details": "我有阅读障碍"})
    assert response.status_code == 302
    client.post(f"/i/{TOKEN}/choice/", {"action": "request", "kind": kind, "details": "我有阅读障碍"})  # sent twice: one case
    item = CandidateRequest.objects.get()
    assert (item.kind, item.status, item.details) == (kind, "open", "我有阅读障碍")
    client.force_login(recruiter)
    listing = client.get("/interviews/requests/").content.decode()
    assert session.application.candidate.full_name in listing and item.get_kind_display() in listing
    assert item.get_kind_display() in client.get(f"/interviews/{session.pk}/").content.decode()
    form = {"grant": "1", "answer": "已为您安排。", "extra_seconds": "60"}
    assert client.post(f"/interviews/requests/{item.pk}/", form).status_code == 302
    item.refresh_from_db()
    session.refresh_from_db()
    assert item.status == "granted" and item.answered_by == recruiter
    state = client.get(f"/i/{TOKEN}/state").json()
    if kind == "extra_time":
        assert session.extra_answer_s == 60
        assert [q["answer_s"] for q in state["questions"]] == [80, 80]  # 20 s each in the factory, +60
    else:
        assert session.text_answers_allowed is True and state["text_answers_allowed"] is True
        consent_record(actor=session_actor_for(session, TOKEN), session=session, accepted={"recording": True, "ai_analysis": True})
        assert client.post(f"/i/{TOKEN}/start", {}, content_type="application/json").status_code == 200
        response = client.post(f"/i/{TOKEN}/answers/text", {"question": 0, "text": "文字回答"}, content_type="application/json")
        assert response.status_code == 200 and Answer.objects.get(session=session, kind="text").text == "文字回答"
    deliver_all()
    text = SMTPSink.text_of(smtp_server.wait_for(1)[0])
    assert "已同意" in text and "已为您安排。" in text and f"/i/{TOKEN}/choice/" in text
    assert "已为您安排。" in client.get(f"/i/{TOKEN}/choice/").content.decode()
    client.force_login(interviewer)  # not assigned to the position: the same 404 as a missing request
    assert client.get(f"/interviews/requests/{item.pk}/").status_code == 404


def test_face_switch_off_on_the_position_nothing_computed_nothing_shown(client, org, recruiter, tmp_path):
    from hirelens.interviews.analysis_bridge import answer_analyse
    from hirelens.interviews.sample_media import face_webm

    org.facial_analysis_enabled = True
    org.save()
    session = InterviewSessionFactory(application__candidate__organization=org, state="submitted", biometric_allowed=True,
                                      ai_analysis="accepted", questions=[{"text": "请介绍你自己。", "prep_s": 5, "answer_s": 30, "retakes": 0}])
    position = session.application.position
    position.facial_analysis = Position.Facial.OFF
    position.save()
    data = face_webm(tmp_path / "face.webm", "I listen to the customer first.", seconds=4.0).read_bytes()
    answer = _video_answer(org, session, data)
    answer_analyse(answer_id=answer.pk)
    answer.refresh_from_db()
    assert answer.analysis_status == "done", answer.analysis_error
    stored = answer.analysis
    assert not stored.get("face") and not stored.get("posture")
    assert not any(k.startswith(("face_", "smile", "frown", "look_away")) and v is not None for k, v in stored["summary"].items())
    assert not [e for e in stored.get("events") or [] if e.get("type") in {"smile", "frown", "look_away", "face_absent", "gesture"}]
    client.force_login(recruiter)
    page = client.get(f"/interviews/{session.pk}/").content.decode()
    assert 'data-testid="analysis"' in page
    assert [label for label in FACE_LABELS if label in page] == []


def test_face_data_stored_before_is_not_shown_when_the_switch_is_off(client, org, recruiter):
    org.facial_analysis_enabled = True
    org.save()
    session = InterviewSessionFactory(application__candidate__organization=org, state="analysed", biometric_allowed=True)
    report = {"summary": {"duration_s": 4.0, "speaking_time_s": 3.0, "pause_count": 1, "face_present_ratio": 0.9, "smile_count": 2,
                          "frown_count": 1, "look_away_count": 1},
              "face": {"smile_time_s": 1.0}, "posture": {"shoulder_tilt_mean_deg": 2.0},
              "events": [{"type": "smile", "start_s": 1.0, "end_s": 2.0}, {"type": "pause", "start_s": 2.0, "end_s": 3.0}],
              "warnings": [{"code": "face_absent", "message": "x"}], "transcript": {"text": "hello"}}
    Answer.objects.create(organization=org, session=session, question_index=0, kind="video", status="complete",
                          analysis_status="done", analysis=report)
    client.force_login(recruiter)
    assert "微笑" in client.get(f"/interviews/{session.pk}/").content.decode()  # switch on, consent given: shown
    position = session.application.position
    position.facial_analysis = Position.Facial.OFF
    position.save()
    page = client.get(f"/interviews/{session.pk}/").content.decode()
    assert [label for label in FACE_LABELS if label in page] == []
    assert "停顿" in page  # the voice's rows stay


def test_explanation_shows_neutral_signals_and_takes_a_human_review(client, org, recruiter):
    session = InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash(TOKEN), link_token=TOKEN,
                                      state="analysed", submitted_at=timezone.now(), ai_analysis="accepted")
    report = {"summary": {"speaking_time_s": 12.5, "speech_rate_syll_per_s": 3.4, "pause_count": 4, "keywords": {"客户": 2}},
              "speech": {"pause_longest_s": 1.8}, "transcript": {"text": "我会先倾听客户的需要。"}}
    Answer.objects.create(organization=org, session=session, question_index=0, kind="video", status="complete",
                          analysis_status="done", analysis=report)
    page = client.get(f"/i/{TOKEN}/explanation/").content.decode()
    assert "我会先倾听客户的需要。" in page and "每秒 3.40 个音节" in page and "4 次，最长 1.8 s" in page and "客户" in page
    assert "语速没有对错" in page and "思考时停顿很正常" in page
    measured = page.split('data-testid="explained-answer"')[1].split('id="review"')[0]
    for verdict in ("分数", "评分", "通过", "淘汰", "微笑"):  # signals and their meaning only: no score, no verdict, no face
        assert verdict not in measured
    response = client.post(f"/i/{TOKEN}/explanation/", {"details": "请复核第二轮的淘汰决定。"})
    assert response.status_code == 302
    item = CandidateRequest.objects.get()
    assert (item.kind, item.details, item.session_id) == ("human_review", "请复核第二轮的淘汰决定。", session.pk)
    client.force_login(recruiter)
    assert "人工复核决定" in client.get("/interviews/requests/").content.decode()


def test_result_message_says_how_to_ask_for_a_human_review(org):
    session = InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash(TOKEN), link_token=TOKEN)
    assert choice.review_link(session.application).endswith(f"/i/{TOKEN}/explanation/#review")


def test_consent_step_hides_the_invitation_notice_and_records_versions(org):
    session = InterviewSessionFactory(application__candidate__organization=org)
    consent_record(actor=session_actor_for(session), session=session, accepted={"recording": True, "ai_analysis": True})
    session.refresh_from_db()
    assert set(session.consents) == {"recording", "ai_analysis", "biometric"}  # the invitation's notice is read, not accepted
    assert session.ai_analysis == "accepted"
    assert "invitation_ai" in current_notices(org.pk)


def test_demo_loads_notice_and_choice(settings):
    call_command("load_demo", verbosity=0)
    assert ConsentNotice.objects.filter(kind="invitation_ai", version=2, organization__isnull=False).exists()
    assert CandidateRequest.objects.filter(kind="extra_time").exists()
    assert InterviewSession.objects.filter(ai_analysis="declined").exists()
    live = CandidateRequest.objects.get(kind="live_interview")  # granted with its arrangement: the booking link sent
    assert live.status == "granted" and live.booking_link.kind == "booking" and live.session.revoked_at is not None


@pytest.mark.django_db
def test_the_interview_list_leads_to_the_requests_and_to_the_notices_for_those_who_edit_them(client, hr_admin, interviewer):
    """HR reaches candidates' requests from the AI-interview list; the notices' editor only where it may be used."""
    from django.urls import reverse

    client.force_login(hr_admin)
    page = client.get(reverse("interviews:index")).content.decode()
    assert reverse("interviews:requests") in page and reverse("interviews:notices") in page
    client.force_login(interviewer)
    page = client.get(reverse("interviews:index")).content.decode()
    assert reverse("interviews:requests") in page and reverse("interviews:notices") not in page


@pytest.mark.django_db(transaction=True)
def test_a_flush_puts_the_platform_notices_back():
    """Django's flush (a transactional test's teardown, ``manage.py flush``) empties every table: the platform's
    consent notices come back with post_migrate, so a candidate can still consent in the next test or instance."""
    ConsentNotice.objects.all().delete()
    call_command("flush", interactive=False, verbosity=0)
    assert set(ConsentNotice.objects.filter(organization=None).values_list("kind", flat=True)) >= {"recording", "ai_analysis"}
