"""Issue 15, item 6 in the browser: an answer the server cannot use (here: stopped after a fraction of a second) is
refused at finish; the candidate page says why, goes back to that question, and the candidate records it again at
once, keeping the retake, then carries on where they were."""

import pytest

from hirelens.interviews.models import Answer, InterviewSession

from .test_candidate_e2e import _answer, _session, _submit, _through_consent_and_device, media_browser, phone  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_too_short_answer_is_refused_shown_and_recorded_again(asgi_server, phone, org):  # noqa: F811
    _, page = phone
    session = _session(org)
    session.practice_question = ""
    session.save()
    _through_consent_and_device(page, asgi_server.base_url)
    page.click("[data-testid=start-answer]")
    page.wait_for_selector("[data-testid=stop-answer]", state="visible")
    page.wait_for_timeout(250)
    page.click("[data-testid=stop-answer]")  # a fraction of a second: no answer

    page.wait_for_selector("[data-testid=error]:has-text('录制内容不足 1 秒，请重新录制这道题')", timeout=30000)
    page.wait_for_selector("[data-testid=start-answer]", state="visible")
    assert page.inner_text("[data-testid=question-text]") == "请介绍一次团队协作的经历。"
    refused = Answer.objects.get(session=session, question_index=0)
    assert (refused.status, refused.failure) == ("recording", "refused: too_short")

    _answer(page, 3)  # recorded again at once, then on to question 2 where the candidate was going
    assert page.inner_text("[data-testid=question-text]") == "客户拒绝签约时你会怎么做？"
    _answer(page, 2)
    _submit(page)

    session.refresh_from_db()
    assert session.state == InterviewSession.State.SUBMITTED
    first = Answer.objects.get(session=session, question_index=0)
    assert (first.pk, first.status, first.failure) == (refused.pk, "complete", "")
    assert first.duration_s > 2.0
    assert Answer.objects.filter(session=session, question_index=0).count() == 1  # the retake was not used up
