"""Issue 19: an interruption never costs an answer. A reload, a language switch, a closed tab reopened, the network
dropping and the page's process crashing, each at a random moment of an answer, in Chromium with a fake camera and
microphone: the candidate comes back to the same question with what was recorded kept and offered (keep it / record
it again), no retake is used, no question skipped, the practice is not asked again, and HR sees the interruption."""

import random

import pytest

from hirelens.interviews.models import Answer, InterviewSession
from hirelens.interviews.services import retakes_left
from tests.e2e.a11y import assert_accessible

from .test_candidate_e2e import (  # noqa: F401
    QUESTIONS,
    TOKEN,
    _answer,
    _session,
    _stored_duration,
    _submit,
    _through_consent_and_device,
    media_browser,
    phone,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SEED = random.randrange(1_000_000)
RANDOM = random.Random(SEED)


def _moment() -> int:
    """A random moment of an answer (ms), past the first 2-second piece; the seed is printed on failure."""
    return RANDOM.randint(2600, 6500)


def _practice_then_first_question(page, base):
    _through_consent_and_device(page, base)
    assert page.inner_text("[data-testid=question-label]") == "练习题（不计分）"
    _answer(page, 2)  # the practice
    assert page.inner_text("[data-testid=question-text]") == QUESTIONS[0]["text"]


def _start(page):
    page.click("[data-testid=start-answer]")
    page.wait_for_selector("[data-testid=stop-answer]", state="visible")


def _back_at_interrupted(page, question):
    page.wait_for_selector("[data-testid=interrupted]", state="visible", timeout=30000)
    assert page.inner_text("[data-testid=question-text]") == question, f"seed {SEED}"
    assert not page.is_visible("[data-testid=start-answer]")


def _wait_complete(session, question, timeout_s=40):
    import time

    deadline = time.time() + timeout_s
    while time.time() < deadline:
        answer = Answer.objects.filter(session=session, question_index=question, status="complete").first()
        if answer:
            return answer
        time.sleep(0.3)
    raise AssertionError(f"question {question} has no complete answer (seed {SEED})")


def _finish_rest(page, session):
    """Answer what is left and submit: every question answered exactly once more, none skipped."""
    assert page.inner_text("[data-testid=question-text]") == QUESTIONS[1]["text"], f"seed {SEED}"
    _answer(page, 2)
    _submit(page)
    session.refresh_from_db()
    assert session.state == InterviewSession.State.SUBMITTED


def _assert_nothing_lost(session, *, kept_at_least_s=None):
    complete = {a.question_index: a for a in session.answers.filter(status="complete")}
    assert set(complete) == {-1, 0, 1}, f"answers lost (seed {SEED})"
    assert session.answers.filter(question_index=-1).count() == 1, "the practice was asked again"
    assert not complete[-1].recording, "the practice recording was kept"
    for index, question in enumerate(QUESTIONS):
        assert retakes_left(session, index) == question["retakes"], f"a retake was used on question {index + 1} (seed {SEED})"
    if kept_at_least_s is not None:
        duration, _ = _stored_duration(complete[0])
        assert duration >= kept_at_least_s, f"what was recorded before the interruption was lost: {duration:.1f}s (seed {SEED})"
    return complete


def _page_interruption(answer, choice):
    pages = [i for i in answer.interruptions if i["kind"] == "page"]
    assert len(pages) == 1 and pages[0]["choice"] == choice, answer.interruptions
    assert pages[0]["recorded_s"] >= 2
    return pages[0]


def test_reload_mid_answer_returns_to_the_question_and_keeps_the_take(asgi_server, phone, org):  # noqa: F811
    context, page = phone
    session = _session(org)
    _practice_then_first_question(page, asgi_server.base_url)
    _start(page)
    moment = _moment()
    page.wait_for_timeout(moment)
    page.reload()
    _back_at_interrupted(page, QUESTIONS[0]["text"])
    assert "不占用重录次数" in page.inner_text("[data-testid=interrupted]")
    page.click("[data-testid=keep-interrupted]")
    page.wait_for_selector("[data-testid=recorded]:has-text('已录制')", timeout=15000)
    page.click("[data-testid=next]")
    _finish_rest(page, session)
    complete = _assert_nothing_lost(session, kept_at_least_s=(moment - 2600) / 1000)
    _page_interruption(complete[0], "keep")


def test_closed_tab_reopened_and_recorded_again_uses_no_retake(asgi_server, phone, org):  # noqa: F811
    context, page = phone
    session = _session(org)
    _practice_then_first_question(page, asgi_server.base_url)
    _start(page)
    page.wait_for_timeout(_moment())
    page.close()
    page = context.new_page()
    page.goto(f"{asgi_server.base_url}/i/{TOKEN}/")
    _back_at_interrupted(page, QUESTIONS[0]["text"])
    page.click("[data-testid=record-again]")
    page.wait_for_selector("[data-testid=start-answer]", state="visible")  # its own preparation time
    assert "准备时间" in page.inner_text("[data-testid=phase]")
    _answer(page, 3)
    _finish_rest(page, session)
    complete = _assert_nothing_lost(session)
    assert complete[0].technical_retake is True
    _page_interruption(complete[0], "again")


def test_language_switch_is_locked_while_recording_and_keeps_the_place(asgi_server, phone, org):  # noqa: F811
    context, page = phone
    session = _session(org)
    _practice_then_first_question(page, asgi_server.base_url)
    page.click("[data-testid=lang-en]")  # during the preparation: back at the same question, in English
    page.wait_for_selector("[data-testid=start-answer]", state="visible")
    assert page.inner_text("[data-testid=question-label]") == "Question 1 of 2"
    assert page.inner_text("[data-testid=question-text]") == QUESTIONS[0]["text"]
    _start(page)
    page.wait_for_timeout(_moment())
    assert page.is_disabled("[data-testid=lang-zh-hans]")  # no switching while a take is recorded, and it says why
    assert "can't switch" in page.inner_text("[data-testid=lang-locked]").lower() or "switch" in page.get_attribute(
        "[data-testid=lang-zh-hans]", "title").lower()
    page.click("[data-testid=stop-answer]")
    page.wait_for_selector("[data-testid=next]", state="visible")
    assert page.is_enabled("[data-testid=lang-zh-hans]")
    page.click("[data-testid=lang-zh-hans]")  # after the answer: on to the next question, nothing asked again
    page.wait_for_selector("[data-testid=start-answer]", state="visible")
    _finish_rest(page, session)
    complete = _assert_nothing_lost(session)
    assert complete[0].interruptions == []


def test_offline_mid_answer_is_recorded_for_hr(asgi_server, phone, org):  # noqa: F811
    context, page = phone
    session = _session(org)
    _practice_then_first_question(page, asgi_server.base_url)
    _start(page)
    page.wait_for_timeout(_moment())
    context.set_offline(True)
    page.wait_for_selector("[data-testid=upload-status]:has-text('网络已断开')", timeout=15000)
    page.wait_for_timeout(3000)
    context.set_offline(False)
    page.wait_for_timeout(1500)
    page.click("[data-testid=stop-answer]")
    page.wait_for_selector("[data-testid=next]", state="visible")
    page.click("[data-testid=next]")
    _finish_rest(page, session)
    complete = _assert_nothing_lost(session)
    offline = [i for i in Answer.objects.get(pk=complete[0].pk).interruptions if i["kind"] == "offline"]
    assert len(offline) == 1 and offline[0]["offline_s"] >= 2.5, complete[0].interruptions


def test_crash_of_the_page_process_mid_answer(asgi_server, phone, org):  # noqa: F811
    context, page = phone
    session = _session(org)
    _practice_then_first_question(page, asgi_server.base_url)
    _start(page)
    moment = _moment()
    page.wait_for_timeout(moment)
    crashed = []
    page.on("crash", lambda _page: crashed.append(True))
    try:
        page.goto("chrome://crash", timeout=5000)
    except Exception:  # noqa: BLE001 - the navigation dies with the renderer, which is the point
        pass
    page.wait_for_timeout(500)
    assert crashed, "the page's process did not crash"
    page = context.new_page()
    page.goto(f"{asgi_server.base_url}/i/{TOKEN}/")
    _back_at_interrupted(page, QUESTIONS[0]["text"])
    page.click("[data-testid=keep-interrupted]")
    page.wait_for_selector("[data-testid=next]", state="visible")
    page.click("[data-testid=next]")
    _finish_rest(page, session)
    complete = _assert_nothing_lost(session, kept_at_least_s=(moment - 2600) / 1000)
    _page_interruption(complete[0], "keep")


def _continue_and_record(page, session, seconds):
    """Continue the interrupted take: a short preparation, announced, then the same take records on.

    Returns (first part's duration as the server cut it, second part's wall-clock seconds). The first part is read
    while the take is still recording: once the answer is finished its pieces are joined and gone."""
    import time

    assert page.is_visible("[data-testid=keep-interrupted]") and page.is_visible("[data-testid=record-again]")
    buttons = page.eval_on_selector_all("[data-testid=step-question] .inline button", "els => els.filter(e => e.offsetParent)"
                                        ".map(e => e.dataset.testid)")
    assert buttons[0] == "continue-interrupted", buttons  # offered first
    assert_accessible(page, "interrupted take: continue / keep / record again")
    page.click("[data-testid=continue-interrupted]")
    page.wait_for_selector("[data-testid=phase]:has-text('准备时间')", timeout=30000)
    page.wait_for_selector("[data-testid=announcer]:has-text('接着中断处继续录制')")
    assert "本题还剩" in page.inner_text("[data-testid=continue-note]")
    first_s = _first_part_s(session)  # the continue request cut the take before the preparation was announced
    assert_accessible(page, "continued take's preparation")
    page.wait_for_selector("[data-testid=stop-answer]", state="visible", timeout=15000)  # the countdown runs out by itself
    started = time.monotonic()
    page.wait_for_timeout(seconds * 1000)
    page.click("[data-testid=stop-answer]")
    recorded = time.monotonic() - started
    page.wait_for_selector("[data-testid=next]", state="visible")
    return first_s, recorded


def _first_part_s(session, question=0):
    """How much the first part holds, as the server cut it (the pieces before the second part's offset)."""
    import io

    from hirelens.interviews.media import probe

    answer = session.answers.get(question_index=question, status="recording")
    cut = answer.media["parts"][0]
    data = b"".join(c.data.storage.open(c.data.name).read() for c in answer.chunks.order_by("index") if c.offset < cut)
    assert len(data) == cut
    return probe(io.BytesIO(data))["duration_s"]


def _assert_continued(answer, first_s, second_s):
    import io

    import av

    duration, kinds = _stored_duration(answer)
    with answer.recording.storage.open(answer.recording.name, "rb") as handle:
        data = handle.read()
    assert kinds == {"video", "audio"}
    print(f"continued take: first part {first_s:.2f}s, second {second_s:.2f}s (wall), joined {duration:.2f}s")
    assert duration == pytest.approx(first_s + second_s, abs=1.2), (duration, first_s, second_s, SEED)
    assert answer.media["parts"] == 2 and answer.duration_s == pytest.approx(duration, abs=0.5)
    with av.open(io.BytesIO(data)) as container:  # both streams decode on across the joint
        video = [float(f.time) for f in container.decode(video=0)]
    with av.open(io.BytesIO(data)) as container:
        audio = [float(f.time) for f in container.decode(audio=0)]
    for times in (video, audio):
        assert times == sorted(times)
        assert any(t < first_s - 0.5 for t in times) and any(t > first_s + 1.0 for t in times), (first_s, times[-1])
    assert max(b - a for a, b in zip(audio, audio[1:])) < 0.5  # no hole in the sound at the joint
    _page_interruption(answer, "continued")


def test_reload_mid_answer_then_continue_the_same_take(asgi_server, phone, org):  # noqa: F811
    context, page = phone
    session = _session(org)
    _practice_then_first_question(page, asgi_server.base_url)
    _start(page)
    page.wait_for_timeout(_moment())
    page.reload()
    _back_at_interrupted(page, QUESTIONS[0]["text"])
    first_s, second_s = _continue_and_record(page, session, 3)
    assert first_s >= 1.5, f"seed {SEED}"
    assert "已录制" in page.inner_text("[data-testid=recorded]")
    page.click("[data-testid=next]")
    _finish_rest(page, session)
    complete = _assert_nothing_lost(session)
    assert session.answers.filter(question_index=0).count() == 1  # one take, continued: no second attempt
    _assert_continued(complete[0], first_s, second_s)


def test_crash_mid_answer_then_continue_in_a_new_page(asgi_server, phone, org):  # noqa: F811
    context, page = phone
    session = _session(org)
    _practice_then_first_question(page, asgi_server.base_url)
    _start(page)
    page.wait_for_timeout(_moment())
    crashed = []
    page.on("crash", lambda _page: crashed.append(True))
    try:
        page.goto("chrome://crash", timeout=5000)
    except Exception:  # noqa: BLE001 - the navigation dies with the renderer, which is the point
        pass
    page.wait_for_timeout(500)
    assert crashed, "the page's process did not crash"
    page = context.new_page()
    page.goto(f"{asgi_server.base_url}/i/{TOKEN}/")
    _back_at_interrupted(page, QUESTIONS[0]["text"])
    first_s, second_s = _continue_and_record(page, session, 3)
    page.click("[data-testid=next]")
    _finish_rest(page, session)
    complete = _assert_nothing_lost(session)
    assert session.answers.filter(question_index=0).count() == 1
    _assert_continued(complete[0], first_s, second_s)
