"""Issue 20, "promises kept": every promise the AI interview and the survey make to candidates (the consent and invitation
notices, the interview's pages, the choice and explanation pages, the satisfaction survey) is listed in PROMISES with the
check that proves it. The scan finds every sentence with a promise word (匿名, 删除, 加密, 仅, 只, 不会) in those texts; a new
promise without a row here fails ``test_every_promise_in_candidate_texts_has_a_check``.

A check is a function in this module, or a test elsewhere named by module and function (it must exist)."""

from __future__ import annotations

import hashlib
import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings

from hirelens.feedback.models import MIN_GROUP, Survey, SurveyResponse
from hirelens.interviews.models import Answer, InterviewSession
from hirelens.interviews.services import _hash, consent_record, session_start

from .factories import InterviewSessionFactory
from .media import webm_bytes

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)
SOURCES = ["hirelens/interviews/notices.py", "hirelens/interviews/templates/interviews/candidate.html",
           "hirelens/interviews/templates/interviews/candidate_choice.html",
           "hirelens/interviews/templates/interviews/candidate_explanation.html", "hirelens/feedback/templates/feedback/survey.html"]
WORDS = re.compile("匿名|删除|加密|仅|只|不会")
TOKEN = "promise-token"


# --- checks ----------------------------------------------------------------------------------------

def _recorded_answer(org, **session_fields) -> Answer:
    session = InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash(TOKEN), link_token=TOKEN,
                                      **session_fields)
    from django.core.files.base import ContentFile

    data = webm_bytes(2.0)
    answer = Answer(organization=org, session=session, question_index=0, kind="video", mime_type="video/webm", status="complete",
                    size=len(data), sha256=hashlib.sha256(data).hexdigest())
    answer.recording.save("a.webm", ContentFile(data), save=False)
    answer.save()
    return answer


def recordings_are_encrypted_at_rest(org, **_):
    answer = _recorded_answer(org)
    raw = (Path(settings.MEDIA_ROOT) / answer.recording.name).read_bytes()
    with answer.recording.open("rb") as handle:
        plain = handle.read()
    assert plain[:4] == b"\x1a\x45\xdf\xa3" and raw[:4] != plain[:4] and plain[64:256] not in raw  # WebM only after decrypting


def only_authorised_staff_see_recordings(org, client, interviewer, recruiter, outsider, **_):
    answer = _recorded_answer(org)
    url = f"/interviews/answers/{answer.pk}/media"
    assert client.get(url).status_code == 302  # no login: to the sign-in page
    client.force_login(outsider)
    assert client.get(url).status_code == 404  # another company
    client.force_login(interviewer)
    assert client.get(url).status_code == 404  # not assigned to the position
    client.force_login(recruiter)
    assert client.get(url).status_code == 200


def ai_never_decides_alone(**_):
    from hirelens.evaluations.models import Decision

    field = Decision._meta.get_field("decided_by")
    assert field.null is False and field.related_model is not None  # every decision names the person who made it
    import analysis

    assert not hasattr(analysis, "decide")  # the analysis library measures; it has no decision to make


def declining_ai_still_interviews_without_analysis(org, client, django_capture_on_commit_callbacks, **_):
    session = InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash(TOKEN), link_token=TOKEN)
    consent_record(session=session, accepted={"recording": True, "ai_analysis": False})
    session_start(session=session, audio_only=False)
    session.refresh_from_db()
    assert (session.state, session.ai_analysis) == ("started", "declined")
    data = webm_bytes(2.0)
    begin = client.post(f"/i/{TOKEN}/answers", {"question": 0, "kind": "video", "mime": "video/webm"},
                        content_type="application/json").json()
    client.put(f"/i/{TOKEN}/answers/{begin['answer']}/chunks/0", data, content_type="application/octet-stream",
               headers={"X-Chunk-Offset": "0", "X-Chunk-SHA256": hashlib.sha256(data).hexdigest()})
    with django_capture_on_commit_callbacks(execute=True):
        finish = client.post(f"/i/{TOKEN}/answers/{begin['answer']}/finish", {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()},
                             content_type="application/json")
    assert finish.status_code == 200
    answer = Answer.objects.get(pk=begin["answer"])
    assert (answer.status, answer.analysis_status, answer.analysis) == ("complete", "none", None)  # kept, never analysed


def declining_biometric_keeps_the_interview_voice_only(org, client, recruiter, **_):
    org.facial_analysis_enabled = True
    org.save()
    session = InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash(TOKEN), link_token=TOKEN)
    consent_record(session=session, accepted={"recording": True, "ai_analysis": True, "biometric": False})
    assert client.post(f"/i/{TOKEN}/start", {}, content_type="application/json").status_code == 200
    session.refresh_from_db()
    assert session.biometric_allowed is False and session.ai_analysis == "accepted"
    client.force_login(recruiter)
    assert "未同意面部分析：仅分析语音和文字" in client.get(f"/interviews/{session.pk}/").content.decode()


def survey_is_anonymous_and_grouped(org, **_):
    from hirelens.feedback.selectors import survey_summary

    linked = {f.name for f in SurveyResponse._meta.get_fields() if f.is_relation} - {"organization", "position"}
    assert linked == set()  # no link to the survey, the application or the candidate
    assert {f.name for f in SurveyResponse._meta.get_fields()} >= {"period", "stage_key"}
    assert not any(f.name == "submitted_at" for f in SurveyResponse._meta.get_fields())  # only the month is kept
    assert "answered" in {f.name for f in Survey._meta.get_fields()} and "answered_at" not in {f.name for f in Survey._meta.get_fields()}
    from hirelens.accounts.models import User

    assert MIN_GROUP == 5
    actor = User.objects.filter(organization=org, role="hr_admin").first()
    if actor is not None:
        assert survey_summary(actor=actor)["too_few"] is True


CHECKS_ELSEWHERE = {
    "deleted_after_the_retention_period": "hirelens.core.tests.test_retention:test_the_purge_erases_due_candidates_and_recordings_through_the_erasure_path",
    "export_or_delete_on_request": "hirelens.privacy.tests.test_export:test_archive_holds_every_section_and_the_original_files",
    "deletion_reaches_every_copy": "hirelens.core.tests.test_erasure:test_erasure_leaves_zero_hits_in_database_queue_media_mail_and_restored_backup",
    "interruptions_lose_nothing_and_cost_no_retake":
        "hirelens.interviews.tests.test_interruptions:test_recording_an_interrupted_take_again_uses_no_retake_and_carries_the_interruption",
    "survey_link_once": "hirelens.feedback.tests.test_feedback:test_survey_page_used_twice_and_unknown",
    "survey_groups_of_five": "hirelens.feedback.tests.test_feedback:test_survey_rule_min_responses_and_custom_rule",
    "declined_ai_nothing_analysed":
        "hirelens.interviews.tests.test_notice_choice:test_declined_ai_analysis_queues_nothing_and_hr_sees_human_review",
}

# promise (a distinctive part of its sentence) -> the checks that prove it
PROMISES = {
    "录像加密保存": [recordings_are_encrypted_at_rest],
    "仅招聘方有权限的人员可以查看": [only_authorised_staff_see_recordings],
    "并在保存期限后删除": ["deleted_after_the_retention_period"],
    "您可以随时申请导出或删除": ["export_or_delete_on_request", "deletion_reaches_every_copy"],
    "AI 不会单独做出录用或淘汰的决定": [ai_never_decides_alone],
    "AI 不会单独做出决定": [ai_never_decides_alone],
    "不同意不会影响您的面试，届时只分析语音和文字": [declining_biometric_keeps_the_interview_voice_only],
    "不会因此受到不利影响": [declining_ai_still_interviews_without_analysis],
    "只由面试官观看录像评估": [declining_ai_still_interviews_without_analysis, "declined_ai_nothing_analysed"],
    "您的录像只由面试官观看评估": [declining_ai_still_interviews_without_analysis, "declined_ai_nothing_analysed"],
    "系统不会分析": [declining_ai_still_interviews_without_analysis, "declined_ai_nothing_analysed"],
    "这不会对您产生不利影响": [declining_ai_still_interviews_without_analysis],
    "网络中断、刷新或关闭页面都不会丢失已录制的内容": ["interruptions_lose_nothing_and_cost_no_retake"],
    "系统没有分析您的回答，只由面试官观看评估": ["declined_ai_nothing_analysed"],
    "它们只是供面试官参考的证据": [ai_never_decides_alone],
    "您的回答匿名保存": [survey_is_anonymous_and_grouped, "survey_groups_of_five"],
    "本链接只能提交一次": ["survey_link_once"],
}
# sentences with a promise word that promise nothing (labels of choices)
NOT_PROMISES = ["改用仅音频作答", "说明（选“其他”时必填）", "练习题（不计分，录制内容不保存）"]


def _sentences() -> list[tuple[str, str]]:
    found = []
    for name in SOURCES:
        text = (ROOT / name).read_text()
        if name.endswith(".py"):  # the notices' Chinese texts (the English ones say the same)
            text = "\n".join(re.findall(r'"([^"]*[\u4e00-\u9fff][^"]*)"', text))
        text = re.sub(r"\{%[^%]*%\}|\{\{[^}]*\}\}|<[^>]+>", "\n", text)
        for sentence in re.split(r"[。！？\n；]", text):
            if WORDS.search(sentence) and sentence.strip():
                found.append((name, sentence.strip()))
    return found


def test_every_promise_in_candidate_texts_has_a_check():
    unchecked = [(name, s) for name, s in _sentences()
                 if not any(p in s for p in PROMISES) and not any(n in s or s in n for n in NOT_PROMISES)]
    assert unchecked == []
    for promise, checks in PROMISES.items():
        assert checks, promise
        for check in checks:
            if isinstance(check, str):
                module, function = CHECKS_ELSEWHERE[check].split(":")
                assert hasattr(importlib.import_module(module), function), CHECKS_ELSEWHERE[check]


LOCAL = sorted({c for checks in PROMISES.values() for c in checks if callable(c)}, key=lambda c: c.__name__)


@pytest.mark.parametrize("check", LOCAL, ids=[c.__name__ for c in LOCAL])
def test_promise_is_kept(check, request, org):
    fixtures = ("client", "interviewer", "recruiter", "outsider", "hr_admin", "django_capture_on_commit_callbacks")
    check(org=org, **{name: request.getfixturevalue(name) for name in fixtures})
    assert InterviewSession.objects.exists() or check in (ai_never_decides_alone, survey_is_anonymous_and_grouped)
