"""Typed input on the interview pages (issue 23 §4): the candidate's choice and explanation pages and HR's "send" page
read their POST through forms, so a value the page never sends is a 400 that says what is wrong in the reader's
language, never a 500 and never a write. And the state rules the pages show come from the models (issue 23 §7):
``InterviewSession.is_open`` / ``ai_declined``, ``CandidateRequest.is_open``."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hirelens.interviews.models import CandidateRequest, InterviewSession
from hirelens.interviews.services import _hash

from .factories import InterviewSessionFactory

pytestmark = pytest.mark.django_db
TOKEN = "typed-input-token"


@pytest.fixture
def session(org):
    return InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash(TOKEN), link_token=TOKEN)


@pytest.mark.parametrize(("language", "words"), [("zh-hans", "无法识别这个操作，请刷新页面后再试。"),
                                                 ("en", "This action was not recognised. Please reload the page and try again.")])
def test_an_unknown_action_on_the_choice_page_is_refused_in_words(client, session, language, words):
    client.cookies["django_language"] = language
    response = client.post(f"/i/{TOKEN}/choice/", {"action": "drop", "kind": "extra_time"})
    assert response.status_code == 400
    assert words in response.content.decode()
    session.refresh_from_db()
    assert session.ai_analysis == InterviewSession.AiAnalysis.PENDING and not CandidateRequest.objects.exists()


def test_an_unknown_kind_of_request_is_refused_with_the_services_words(client, session):
    response = client.post(f"/i/{TOKEN}/choice/", {"action": "request", "kind": "raise_salary", "details": "x"})
    assert response.status_code == 400
    assert "请选择申请的类型。" in response.content.decode() and "raise_salary" not in response.content.decode()
    assert not CandidateRequest.objects.exists()


def test_a_null_character_in_the_words_of_a_request_is_refused_not_stored(client, session):
    response = client.post(f"/i/{TOKEN}/choice/", {"action": "request", "kind": "other", "details": "我需要\x00帮助"})
    assert response.status_code == 400 and 'data-testid="choice-error"' in response.content.decode()
    assert not CandidateRequest.objects.exists()


def test_a_review_request_too_long_to_be_typed_is_refused(client, session):
    session.state, session.submitted_at = InterviewSession.State.SUBMITTED, timezone.now()
    session.save()
    response = client.post(f"/i/{TOKEN}/explanation/", {"details": "请复核" * 10_000})
    assert response.status_code == 400 and 'data-testid="review-error"' in response.content.decode()
    assert not CandidateRequest.objects.exists()
    assert client.post(f"/i/{TOKEN}/explanation/", {"details": "请复核第二轮的决定。"}).status_code == 302
    assert CandidateRequest.objects.get().kind == CandidateRequest.Kind.HUMAN_REVIEW


def test_an_unknown_form_choice_on_the_send_page_is_refused_and_sends_nothing(client, recruiter, session):
    client.force_login(recruiter)
    form = {"questions": "介绍一下你自己", "practice_question": "", "prep_s": 10, "answer_s": 60, "retakes": 1,
            "extra_prep_s": 0, "valid_days": 7, "use_stage": "yes"}
    before = InterviewSession.objects.count()
    response = client.post(f"/interviews/new/{session.application.pk}/", form)
    assert response.status_code == 400 and "无法识别这个操作，请刷新页面后再试。" in response.content.decode()
    assert InterviewSession.objects.count() == before
    del form["use_stage"]  # HR's own questions: sent
    assert client.post(f"/interviews/new/{session.application.pk}/", form).status_code == 200
    assert InterviewSession.objects.count() == before + 1


def test_the_choice_page_offers_declining_only_while_the_interview_is_open(client, session):
    assert session.is_open and 'data-testid="decline-ai"' in client.get(f"/i/{TOKEN}/choice/").content.decode()
    session.state, session.submitted_at = InterviewSession.State.SUBMITTED, timezone.now()
    session.save()
    assert not session.is_open and 'data-testid="decline-ai"' not in client.get(f"/i/{TOKEN}/choice/").content.decode()


@pytest.mark.parametrize(("state", "revoked", "shown"), [("invited", False, True), ("answering", False, True),
                                                         ("submitted", False, False), ("cancelled", False, False),
                                                         ("invited", True, False)])
def test_hr_may_send_again_or_revoke_only_an_open_interview(client, recruiter, session, state, revoked, shown):
    session.state, session.revoked_at = state, timezone.now() if revoked else None
    session.save()
    assert session.is_open is shown
    client.force_login(recruiter)
    page = client.get(f"/interviews/{session.pk}/").content.decode()
    assert ('data-testid="resend"' in page) is shown and ('data-testid="revoke"' in page) is shown


def test_a_request_is_marked_open_until_hr_answers_it(client, recruiter, session):
    item = CandidateRequest.objects.create(organization=session.organization, session=session, kind="extra_time")
    client.force_login(recruiter)
    assert item.is_open and '<span class="badge off">' in client.get("/interviews/requests/").content.decode()
    item.status = CandidateRequest.Status.GRANTED
    item.save()
    assert not item.is_open
    assert '<span class="badge off">' not in client.get("/interviews/requests/?status=all").content.decode()
