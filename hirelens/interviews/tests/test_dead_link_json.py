"""The AI interview's JSON endpoints answer a dead link as its page does (core/tokens.py, issue 23 §3): an unknown
link 404, an expired or withdrawn one 410, with ``{"error": <words in the candidate's language>, "code": ...}`` for the
page's script; a write to an interview already submitted is a 410 ``finished``. And what the candidate does through
the link (consent, choices, requests) is audited as the candidate's link (issue 23 §5)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from hirelens.core.models import AuditEvent
from hirelens.interviews import choice
from hirelens.interviews.models import Answer, CandidateRequest, InterviewSession, UploadChunk
from hirelens.interviews.services import _hash
from hirelens.interviews.testing import session_actor_for

from .factories import InterviewSessionFactory

TOKEN = "dead-link-json-token"
PIECE = b"\x1aE\xdf\xa3 a piece of a recording"
WORDS = {
    "link_expired": ("这条面试链接已过期，面试不能继续。请刷新本页，申请一条新的链接。",
                     "This interview link has expired, so the interview cannot go on. Reload this page to ask for a new link."),
    "link_revoked": ("招聘方已撤回这条面试链接，面试不能继续。如仍需要，请刷新本页申请一条新的链接。",
                     "The company withdrew this interview link, so the interview cannot go on. If you still need it, reload "
                     "this page to ask for a new link."),
    "link_unknown": ("无法识别这个面试链接：请检查链接是否完整，最好直接点开消息中的链接。",
                     "This interview link is not recognised: check that it is complete, or open the link in the message directly."),
    "finished": ("面试已提交，不能再修改。", "The interview has been submitted and can no longer change."),
}


@pytest.fixture
def session(org):
    return InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash(TOKEN), state="answering",
                                   consents={"recording": {"version": 1, "accepted": True}})


@pytest.fixture
def answer(session):
    return Answer.objects.create(organization=session.organization, session=session, question_index=0)


def calls(token: str, answer_id: int):
    """Every JSON endpoint of the link, as the page's script calls it: (name, client method, path, keyword arguments)."""
    json_post = {"content_type": "application/json"}
    base = f"/i/{token}/"
    return [
        ("state", "get", base + "state", {}),
        ("consent", "post", base + "consent", {"data": {"recording": True, "ai_analysis": True}, **json_post}),
        ("start", "post", base + "start", {"data": {}, **json_post}),
        ("speedtest", "post", base + "speedtest", {"data": b"x" * 1024, "content_type": "application/octet-stream"}),
        ("answer_begin", "post", base + "answers", {"data": {"question": 0, "kind": "video"}, **json_post}),
        ("answer_text", "post", base + "answers/text", {"data": {"question": 0, "text": "回答"}, **json_post}),
        ("chunk", "put", base + f"answers/{answer_id}/chunks/0",
         {"data": PIECE, "content_type": "application/octet-stream", "HTTP_X_CHUNK_OFFSET": "0",
          "HTTP_X_CHUNK_SHA256": hashlib.sha256(PIECE).hexdigest()}),
        ("finish", "post", base + f"answers/{answer_id}/finish", {"data": {}, **json_post}),
        ("interruption", "post", base + f"answers/{answer_id}/interruption", {"data": {"kind": "page"}, **json_post}),
        ("keep", "post", base + f"answers/{answer_id}/keep", {"data": {}, **json_post}),
        ("continue", "post", base + f"answers/{answer_id}/continue", {"data": {"offset": 0}, **json_post}),
        ("submit", "post", base + "submit", {"data": {}, **json_post}),
    ]


def send(client, method, path, kwargs):
    return getattr(client, method)(path, **kwargs)


@pytest.mark.parametrize("change,status,code", [("unknown", 404, "link_unknown"), ("expired", 410, "link_expired"),
                                                ("revoked", 410, "link_revoked"), ("cancelled", 410, "link_revoked")])
def test_every_json_endpoint_answers_a_dead_link_as_the_page_does(client, session, answer, change, status, code):
    token = TOKEN
    if change == "unknown":
        token = "no-such-token"
    elif change == "expired":
        InterviewSession.objects.filter(pk=session.pk).update(expires_at=timezone.now())
    elif change == "revoked":
        InterviewSession.objects.filter(pk=session.pk).update(revoked_at=timezone.now())
    else:
        InterviewSession.objects.filter(pk=session.pk).update(state=InterviewSession.State.CANCELLED)
    assert client.get(f"/i/{token}/").status_code == status  # the page: the same answer
    for name, method, path, kwargs in calls(token, answer.pk):
        response = send(client, method, path, kwargs)
        assert (name, response.status_code, response["Content-Type"]) == (name, status, "application/json")
        assert (name, response.json()) == (name, {"error": WORDS[code][0], "code": code})
        assert response["Cache-Control"] == "no-store"
    assert not UploadChunk.objects.exists()
    answer.refresh_from_db()
    assert (answer.status, answer.interruptions) == (Answer.Status.RECORDING, [])  # nothing acted on


def test_the_words_are_in_the_candidates_language(client, session, answer):
    InterviewSession.objects.filter(pk=session.pk).update(revoked_at=timezone.now(), language="en")
    piece = calls(TOKEN, answer.pk)[6]
    assert piece[0] == "chunk"
    response = send(client, *piece[1:])
    assert response.status_code == 410 and response.json()["error"] == WORDS["link_revoked"][1]  # the interview's language
    client.cookies["django_language"] = "zh-hans"  # the candidate chose Chinese on the page: their choice wins
    assert send(client, *piece[1:]).json()["error"] == WORDS["link_revoked"][0]
    del client.cookies["django_language"]
    english = client.get("/i/no-such-token/state", HTTP_ACCEPT_LANGUAGE="en")  # no interview known: the browser's
    assert english.status_code == 404 and english.json() == {"error": WORDS["link_unknown"][1], "code": "link_unknown"}


def test_a_submitted_interview_refuses_changes_with_410_and_still_reads(client, session, answer):
    InterviewSession.objects.filter(pk=session.pk).update(state=InterviewSession.State.SUBMITTED,
                                                           expires_at=timezone.now())  # past the deadline: still readable
    answers = {}
    for name, method, path, kwargs in calls(TOKEN, answer.pk):
        response = send(client, method, path, kwargs)
        answers[name] = (response.status_code, response.json().get("code"))
    finished = (410, "finished")
    assert answers == {
        "state": (200, None), "speedtest": (200, None), "submit": (200, None),  # submitting again returns the submission
        "consent": finished, "start": finished, "answer_begin": finished, "answer_text": finished, "chunk": finished,
        "interruption": finished, "keep": finished, "continue": finished,
        "finish": (409, "invalid"),  # answered by the service (a finish sent again is idempotent): here nothing was sent
    }
    assert not UploadChunk.objects.exists()
    with translation.override("en"):
        assert client.post(f"/i/{TOKEN}/start", {}, content_type="application/json",
                           HTTP_ACCEPT_LANGUAGE="en").json()["error"] == WORDS["finished"][0]  # the interview's language (zh)


def test_another_sessions_answer_on_a_live_link_is_still_a_plain_404(client, session, org):
    other = InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash("other-token"))
    foreign = Answer.objects.create(organization=org, session=other, question_index=0)
    name, method, path, kwargs = calls(TOKEN, foreign.pk)[6]
    assert send(client, method, path, kwargs).status_code == 404
    assert not UploadChunk.objects.exists()


def link_entries(session, object_type: str):
    return list(AuditEvent.objects.filter(object_type=object_type).order_by("seq").values_list("actor_id", "actor_label", "fields"))


def test_consent_choices_and_requests_are_audited_as_the_candidates_link(client, org, session):
    InterviewSession.objects.filter(pk=session.pk).update(state=InterviewSession.State.INVITED, consents={})
    label = f"link:interviews.session:{session.pk}"
    assert client.post(f"/i/{TOKEN}/consent", {"recording": True, "ai_analysis": True},
                       content_type="application/json").status_code == 200
    assert client.post(f"/i/{TOKEN}/choice/", {"action": "decline_ai"}).status_code == 302
    assert client.post(f"/i/{TOKEN}/choice/", {"action": "request", "kind": "extra_time", "details": "需要更多时间"}).status_code == 302
    assert link_entries(session, "interviews.interviewsession") == [
        (None, label, ["consent:ai_analysis", "consent:biometric", "consent:recording"]), (None, label, ["ai_analysis"])]
    item = CandidateRequest.objects.get(session=session)
    entry = AuditEvent.objects.get(object_type="interviews.candidaterequest", object_id=str(item.pk))
    assert (entry.actor_id, entry.actor_label, entry.actor_text) == (None, label, "候选人本人（AI视频面试链接）")
    with translation.override("en"):
        assert entry.actor_text == "The candidate (AI video interview link)"


def test_only_the_sessions_own_link_acts_on_it(org, session):
    other = InterviewSessionFactory(application__candidate__organization=org)
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        choice.ai_analysis_decline(actor=session_actor_for(other), session=session)
    with pytest.raises(PermissionDenied):
        choice.request_create(actor=None, session=session, kind="extra_time")
    assert AuditEvent.objects.count() == before and not CandidateRequest.objects.exists()
    session.refresh_from_db()
    assert session.ai_analysis != InterviewSession.AiAnalysis.DECLINED
