"""Issue 19, honest words: a retake has its own preparation time. After a take, "record again" goes back to the
question's preparation (the countdown from the question's full preparation time, announced; nothing is recorded until
the candidate starts or the time runs out), uses the question's one retake once the new take starts, and the answer kept is the second take."""

import pytest

from conftest import in_thread, wait_for_js

from .test_candidate_e2e import TOKEN, _session, _through_consent_and_device, media_browser, phone  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PREP_S = 30


def _state(page) -> dict:
    return page.evaluate("""() => { const d = Alpine.$data(document.querySelector('[data-testid=interview]'));
      return { phase: d.phase, countdown: d.countdown, retakesLeft: d.retakesLeft, }; }""")


def test_a_retake_starts_with_its_own_preparation_time(asgi_server, phone, org):  # noqa: F811
    def setup():
        session = _session(org)
        session.practice_question = ""
        session.questions = [{"text": "请介绍一次团队协作的经历。", "prep_s": PREP_S, "answer_s": 30, "retakes": 1}]
        session.save()
        return session

    session = in_thread(setup)
    _context, page = phone
    _through_consent_and_device(page, asgi_server.base_url)
    page.click("[data-testid=start-answer]")
    page.wait_for_selector("[data-testid=stop-answer]", state="visible")
    page.wait_for_timeout(2500)
    page.click("[data-testid=stop-answer]")
    page.wait_for_selector("[data-testid=retake]", state="visible")
    assert page.inner_text("[data-testid=retake]") == "重录 (1)"  # one label: the flex button no longer splits it

    page.click("[data-testid=retake]")
    page.wait_for_selector("[data-testid=start-answer]", state="visible")
    state = _state(page)
    assert state["phase"] == "prep" and PREP_S - 2 <= state["countdown"] <= PREP_S  # the full preparation, not 0
    assert page.locator("[data-testid=retake]").is_hidden()
    assert page.locator("[data-testid=stop-answer]").is_hidden()  # not recording
    wait_for_js(page, f"Alpine.$data(document.querySelector('[data-testid=interview]')).announced"
                      f".filter((t) => t.includes('准备时间 {PREP_S} 秒')).length === 2")  # announced again, with its length
    assert page.inner_text("[data-testid=phase]").startswith("准备")
    page.wait_for_timeout(2000)  # the countdown runs, still no recording
    later = _state(page)
    assert later["phase"] == "prep" and later["countdown"] < state["countdown"]

    page.click("[data-testid=start-answer]")
    page.wait_for_selector("[data-testid=stop-answer]", state="visible")
    page.wait_for_timeout(2500)
    page.click("[data-testid=stop-answer]")
    page.wait_for_selector("[data-testid=next]", state="visible")
    wait_for_js(page, "Alpine.$data(document.querySelector('[data-testid=interview]')).pending === 0", timeout=30000)
    assert _state(page)["retakesLeft"] == 0 and page.locator("[data-testid=retake]").is_hidden()  # the one retake is used

    def answers():
        from hirelens.interviews.models import Answer

        return list(Answer.objects.filter(session=session).order_by("attempt").values_list("attempt", "technical_retake", "status"))

    rows = in_thread(answers)
    assert [(attempt, technical) for attempt, technical, _status in rows][-1] == (2, False), rows  # one real retake used
