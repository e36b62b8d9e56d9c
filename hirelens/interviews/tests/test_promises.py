"""Issue 20, "promises kept": every promise HireLens makes to candidates is listed in PROMISES with the check that proves
it. The texts scanned are everything a candidate reads: the consent and invitation notices and the AI interview's pages
(choice, explanation), the satisfaction survey, the portal, the live room's candidate page, the scheduling link pages,
the help desk's pages, the messages sent to candidates (``messaging/rendering.py``), the privacy receipt and portal page
and the self-identification page. The scan finds every sentence with a promise word (匿名, 删除, 加密, 仅, 只, 不会) in the
zh-Hans text, and every text whose English says anonymous / delete / encrypted / only / never; a new promise without a
row here fails ``test_every_promise_in_candidate_texts_has_a_check``.

A check is a function in this module, or a test elsewhere named by module and function (it must exist)."""

from __future__ import annotations

import ast
import hashlib
import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from hirelens.feedback.models import MIN_GROUP, Survey, SurveyResponse
from hirelens.interviews.models import Answer, InterviewSession
from hirelens.interviews.services import _hash, consent_record, session_start
from hirelens.interviews.testing import session_actor_for

from .factories import InterviewSessionFactory
from .media import webm_bytes

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)
_T = "hirelens/{}/templates/{}/{}.html"
# "path.py::name" scans one top-level function or class of a module that also holds staff-facing words
SOURCES = [
    "hirelens/interviews/notices.py", *(_T.format("interviews", "interviews", n) for n in ("candidate", "candidate_choice",
                                                                                          "candidate_explanation")),
    "hirelens/interviews/views_candidate.py::_strings", "hirelens/interviews/analysis_display.py::candidate_signals",
    "templates/_inapp_notice.html",
    *(_T.format("feedback", "feedback", n) for n in ("survey", "survey_closed")),
    *(_T.format("portal", "portal", n) for n in ("base", "home", "expired")),
    *(_T.format("live", "live", n) for n in ("candidate", "closed", "_room_strings", "_room_questions", "_room_tile_controls")),
    *(_T.format("scheduling", "scheduling", n) for n in ("booking", "link", "link_error")),
    *(_T.format("core", "core", n) for n in ("_tz", "_tz_picker", "_tz_widget", "_when")),
    "hirelens/scheduling/links.py::LinkError",
    *(_T.format("messaging", "messaging", n) for n in ("_dead_link", "_help_link", "help_form", "bind_done", "new_link_done",
                                                       "email")),
    "hirelens/messaging/rendering.py", "hirelens/messaging/services/deadlinks.py",
    *(_T.format("privacy", "privacy", n) for n in ("portal", "export_expired", "export_unknown")),
    "hirelens/privacy/services.py::receipt_text",
    _T.format("fairness", "fairness", "self_identify"), "hirelens/fairness/views.py::self_identify",
]
WORDS = re.compile("匿名|删除|加密|仅|只|不会")
WORDS_EN = re.compile(r"anonym|delet|encrypt|\bonly\b|\bnever\b", re.IGNORECASE)
_TRANSLATE = re.compile(r'\{%\s*translate\s+"([^"]*)"[^%]*%\}')
_BLOCK = re.compile(r"\{%\s*blocktranslate\b[^%]*%\}(.*?)\{%\s*endblocktranslate\s*%\}", re.S)
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
    consent_record(actor=session_actor_for(session, TOKEN), session=session, accepted={"recording": True, "ai_analysis": False})
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
    consent_record(actor=session_actor_for(session, TOKEN), session=session,
                   accepted={"recording": True, "ai_analysis": True, "biometric": False})
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
    "deleted_after_the_retention_period": "hirelens.privacy.tests.test_retention:test_the_purge_erases_due_candidates_and_recordings_through_the_erasure_path",
    "export_or_delete_on_request": "hirelens.privacy.tests.test_export:test_archive_holds_every_section_and_the_original_files",
    "deletion_reaches_every_copy": "hirelens.core.tests.test_erasure:test_erasure_leaves_zero_hits_in_database_queue_media_mail_and_restored_backup",
    "interruptions_lose_nothing_and_cost_no_retake":
        "hirelens.interviews.tests.test_interruptions:test_recording_an_interrupted_take_again_uses_no_retake_and_carries_the_interruption",
    "survey_link_once": "hirelens.feedback.tests.test_feedback:test_survey_page_used_twice_and_unknown",
    "survey_groups_of_five": "hirelens.feedback.tests.test_feedback:test_survey_rule_min_responses_and_custom_rule",
    "declined_ai_nothing_analysed":
        "hirelens.interviews.tests.test_notice_choice:test_declined_ai_analysis_queues_nothing_and_hr_sees_human_review",
    "personal_data_encrypted_at_rest": "hirelens.core.tests.test_plaintext_at_rest:test_no_plaintext_in_database_or_storage",
    "no_other_company_sees_the_candidate": "hirelens.candidates.tests.test_access:test_other_organization_sees_nothing",
    "interviewers_see_only_their_positions":
        "hirelens.candidates.tests.test_access:test_interviewer_sees_only_candidates_of_assigned_positions",
    "rights_requests_from_the_portal": "hirelens.privacy.tests.test_access:test_a_candidate_sees_only_their_own_requests_in_the_portal",
    "deletion_through_the_pages": "hirelens.privacy.tests.test_deletion_e2e:test_hr_records_and_completes_a_deletion_for_the_candidate",
    "delete_request_erases": "hirelens.privacy.tests.test_erasure_wiring:test_delete_request_erases_and_keeps_only_a_tombstone",
    "withdrawal_erases_derived": "hirelens.privacy.tests.test_erasure_wiring:test_withdrawing_a_consent_runs_the_derived_erasure",
    "withdrawn_ai_refused":
        "hirelens.core.tests.test_erasure:test_withdrawing_ai_analysis_deletes_transcripts_and_refuses_further_analysis",
    "export_link_expires": "hirelens.privacy.tests.test_export:test_download_link_works_then_expires_with_a_page_in_words",
    "voice_only_stops_the_video": "tests.e2e.test_live_room:test_three_people_in_the_live_room",
    "live_decline_keeps_the_interview":
        "hirelens.live.tests.test_room_services:test_declining_the_ai_analysis_keeps_the_interview_without_any_analysis",
    "live_no_recording_without_consent": "hirelens.live.tests.test_media:test_without_recording_consent_nothing_is_kept_but_the_panel_works",
    "self_id_encrypted_and_deletable":
        "hirelens.fairness.tests.test_access:test_self_identification_is_stored_encrypted_and_only_by_the_candidates_link",
    "self_id_hidden_from_evaluators": "hirelens.fairness.tests.test_access:test_evaluators_and_recruiters_get_403_on_every_page_and_action",
    "self_id_aggregates_only": "hirelens.fairness.tests.test_access:test_no_staff_page_shows_one_persons_answers",
    "self_id_in_no_score": "hirelens.fairness.tests.test_pages:test_no_scoring_or_evaluation_module_reads_self_identification",
}

# promise (a distinctive part of its sentence) -> the checks that prove it
PROMISES = {
    "录像加密保存": [recordings_are_encrypted_at_rest],
    "仅招聘方有权限的人员可以查看": [only_authorised_staff_see_recordings],
    "并在保存期限后删除": ["deleted_after_the_retention_period"],
    "您可以随时申请导出或删除": ["export_or_delete_on_request", "deletion_reaches_every_copy"],
    "AI 不会单独做出录用或淘汰的决定": [ai_never_decides_alone],
    "AI 不会单独做出决定": [ai_never_decides_alone],
    # the platform notices' version 2 (same facts, fewer words)
    "仅有权限的招聘人员可看": [only_authorised_staff_see_recordings],
    "到期删除": ["deleted_after_the_retention_period"],
    "您可随时申请导出或删除": ["export_or_delete_on_request", "deletion_reaches_every_copy"],
    "仅供面试官参考": [ai_never_decides_alone],
    "AI 不会单独决定": [ai_never_decides_alone],
    "录像将只由面试官评估，不会对您不利": [declining_ai_still_interviews_without_analysis, "declined_ai_nothing_analysed"],
    "不同意不会影响您的面试，届时只分析语音和文字": [declining_biometric_keeps_the_interview_voice_only],
    "不会因此受到不利影响": [declining_ai_still_interviews_without_analysis],
    "只由面试官观看录像评估": [declining_ai_still_interviews_without_analysis, "declined_ai_nothing_analysed"],
    "您的录像只由面试官观看评估": [declining_ai_still_interviews_without_analysis, "declined_ai_nothing_analysed"],
    "系统不会分析": [declining_ai_still_interviews_without_analysis, "declined_ai_nothing_analysed"],
    "这不会对您产生不利影响": [declining_ai_still_interviews_without_analysis],
    "断网、刷新或关闭页面都不会丢失已录内容": ["interruptions_lose_nothing_and_cost_no_retake"],
    "系统没有分析您的回答，只由面试官观看评估": ["declined_ai_nothing_analysed"],
    "它们只是供面试官参考的证据": [ai_never_decides_alone],
    "您的回答匿名保存": [survey_is_anonymous_and_grouped, "survey_groups_of_five"],
    "本链接只能提交一次": ["survey_link_once"],
    "技术中断不占用重录次数": ["interruptions_lose_nothing_and_cost_no_retake"],
    "已完成的步骤不会丢失": ["interruptions_lose_nothing_and_cost_no_retake"],  # progress is kept on the server, per link
    "语速没有对错，只帮助面试官回看录像": [ai_never_decides_alone],
    # portal
    "您的个人信息加密保存，只有本公司有权限的招聘人员可以查看": [
        "personal_data_encrypted_at_rest", "no_other_company_sees_the_candidate", "interviewers_see_only_their_positions"],
    "查阅、导出、更正或删除您的个人信息，或撤回同意": ["rights_requests_from_the_portal", "export_or_delete_on_request",
                                                 "deletion_through_the_pages", "withdrawal_erases_derived"],
    "您可以查阅、导出、更正或删除我们持有的您的个人信息，也可以撤回同意": [
        "rights_requests_from_the_portal", "export_or_delete_on_request", "deletion_through_the_pages", "withdrawal_erases_derived"],
    "导出文件的下载链接只在有限时间内有效": ["export_link_expires"],
    "您的个人信息（含录像、分析结果和消息）将被全部删除，此后我们无法再联系您": [
        "delete_request_erases", "deletion_reaches_every_copy", "deletion_through_the_pages"],
    "相关分析已停止，由此产生的数据已删除，您的申请继续进行": ["withdrawal_erases_derived", "withdrawn_ai_refused"],
    # live room
    "已切换为仅语音：您的视频已停止发送": ["voice_only_stops_the_video"],
    "不同意也照常参加面试，只是不录像、不做 AI 分析": ["live_decline_keeps_the_interview", "live_no_recording_without_consent"],
    # self-identification
    "不填写或选择“不愿回答”不会对您的申请有任何影响": ["self_id_in_no_score"],
    "与您的申请分开保存并加密": ["self_id_encrypted_and_deletable"],
    "面试官和评估人员看不到，也不会用于任何评分或决定": ["self_id_hidden_from_evaluators", "self_id_in_no_score"],
    "只以汇总数字出现在偏差审计中": ["self_id_aggregates_only"],
    "您可以随时修改或删除": ["self_id_encrypted_and_deletable"],
    "您填写的信息已删除": ["self_id_encrypted_and_deletable"],
    "您的回答不会给任何面试官或评估人员看到": ["self_id_hidden_from_evaluators"],
}
# sentences with a promise word that promise nothing (labels of choices)
NOT_PROMISES = ["改用仅音频作答", "删除", "删除我填写的信息", "面试改为语音：{position}",
                "无法使用摄像头，已改为仅音频作答",  # what the page just did, said while it does it
                "请关闭浏览器后只打开您自己收到的链接"]  # advice


def _texts(name: str) -> list[str]:
    """The wording in one source, one msgid (or one line of untranslated text) per item, ``%(var)s`` for variables."""
    path, _sep, part = name.partition("::")
    text = (ROOT / path).read_text()
    if path.endswith(".py"):
        if part:
            node = next(n for n in ast.parse(text).body if getattr(n, "name", None) == part)
            text = ast.get_source_segment(text, node)
        return re.findall(r'"([^"]*[\u4e00-\u9fff][^"]*)"', text)
    text = re.sub(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", "", text, flags=re.S)
    found = [m.group(1) for m in _TRANSLATE.finditer(text)]
    found += [re.sub(r"\{\{\s*(\w+)[^}]*\}\}", r"%(\1)s", m.group(1)).strip() for m in _BLOCK.finditer(text)]
    rest = re.sub(r"\{%[^%]*%\}|\{\{[^}]*\}\}|<[^>]+>", "\n", _BLOCK.sub("\n", _TRANSLATE.sub("\n", text)))
    return found + [line for line in rest.split("\n") if re.search("[\u4e00-\u9fff]", line)]


def _sentences() -> list[tuple[str, str]]:
    """Every zh-Hans sentence with a promise word, and every whole text whose English makes a promise its Chinese
    sentences do not flag (``技术中断不占用重录次数`` is "never uses up a retake")."""
    found = []
    for name in SOURCES:
        for text in _texts(name):
            hits = [s.strip() for s in re.split(r"[。！？\n；]", text) if WORDS.search(s) and s.strip()]
            found += [(name, s) for s in hits]
            with translation.override("en"):
                english = translation.gettext(text)
            if not hits and english != text and WORDS_EN.search(english):
                found.append((name, text.strip()))
    return found


def test_every_promise_in_candidate_texts_has_a_check():
    sentences = _sentences()
    assert len({name for name, _s in sentences}) >= 12  # the scan reaches the portal, live, scheduling, messaging ... texts
    unchecked = [(name, s) for name, s in sentences if not any(p in s for p in PROMISES) and s not in NOT_PROMISES]
    assert unchecked == []
    for promise, checks in PROMISES.items():
        assert checks, promise
        assert any(promise in s for _name, s in sentences), f"no candidate text says {promise!r} any more"
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
