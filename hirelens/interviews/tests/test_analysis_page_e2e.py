"""Issue 3, item 6 in Chromium: HR reads an analysed video answer (speech, face, posture, transcript), filters
the timeline, and an event's button seeks the recording to its moment — in Chinese and in English."""

import hashlib
import threading

import pytest
from django.core.files.base import ContentFile

from conftest import wait_for_js
from hirelens.accounts.tests.factories import PASSWORD
from hirelens.interviews.analysis_bridge import answer_analyse
from hirelens.interviews.models import Answer
from hirelens.interviews.sample_media import face_webm

from .factories import InterviewSessionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def analysed_video_answer(org, tmp_path):
    session = InterviewSessionFactory(application__candidate__organization=org, state="submitted", biometric_allowed=True)
    session.application.position.keywords = ["customer"]
    session.application.position.facial_analysis = "on"  # face analysis is off unless the position or company allows it
    session.application.position.save()
    data = face_webm(tmp_path / "face.webm", "I listen to the customer first, then I explain my plan.").read_bytes()
    answer = Answer(organization=org, session=session, question_index=0, kind="video", mime_type="video/webm",
                    status="complete", size=len(data), sha256=hashlib.sha256(data).hexdigest(), analysis_status="queued",
                    duration_s=12.0)
    answer.recording.save("a.webm", ContentFile(data), save=False)
    answer.save()
    for index in range(1, len(session.questions)):
        Answer.objects.create(organization=org, session=session, question_index=index, kind="text", text="文字作答", status="complete")
    # the real analysis, as the worker runs it; in its own thread, because once Playwright runs in this
    # module, this thread has an event loop and the analysis's real-time publish (async_to_sync) refuses it
    worker = threading.Thread(target=_analyse, args=(answer.pk,))
    worker.start()
    worker.join()
    answer.refresh_from_db()
    assert answer.analysis_status == "done", answer.analysis_error
    return answer


def _analyse(answer_id):
    from django.db import connection

    try:
        answer_analyse(answer_id=answer_id)
    finally:
        connection.close()


def _login(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn")
    page.wait_for_selector("[data-testid=dashboard-title]")


def test_hr_reads_the_analysis_and_an_event_seeks_the_recording(asgi_server, page, hr_admin, analysed_video_answer):
    answer = analysed_video_answer
    report = answer.analysis
    look = next(e for e in report["events"] if e["type"] == "look_away")
    _login(page, asgi_server.base_url, hr_admin)
    page.goto(f"{asgi_server.base_url}/interviews/{answer.session_id}/")

    face = page.locator("[data-testid=analysis-face]")
    assert "微笑" in face.inner_text() and "视线偏离" in face.inner_text()
    assert "1 次" in face.locator("tr", has_text="视线偏离").inner_text()
    assert page.locator("[data-testid=analysis-posture]").is_visible()
    page.click("[data-testid=transcript] summary")
    # a phone-sized screen: the analysis fits its width (no sideways scrolling)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert "customer" in page.locator("[data-testid=transcript]").inner_text().lower()

    # the timeline, filtered to looking away: one event, and its button seeks the video there
    page.click("[data-testid=analysis] details:has([data-testid=event-filter]) > summary")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.select_option("[data-testid=event-filter]", "look_away")
    visible = page.locator("li[data-event-type]:visible")
    page.locator("li[data-event-type=speech]").first.wait_for(state="hidden")
    assert visible.count() == 1 and "视线偏离" in visible.inner_text()
    wait_for_js(page, f"document.getElementById('media-{answer.pk}').readyState >= 1", timeout=20000)
    visible.locator("[data-testid=event-seek]").click()
    wait_for_js(page, f"Math.abs(document.getElementById('media-{answer.pk}').currentTime - {look['start_s']}) < 0.6", timeout=10000)

    page.click("[data-testid=lang-en]")
    page.wait_for_selector("html[lang=en]")
    face = page.locator("[data-testid=analysis-face]")
    assert "Smile" in face.inner_text() and "Looking away" in face.inner_text()
    assert "微笑" not in page.locator("[data-testid=analysis]").inner_text()


def test_warnings_are_shown_in_the_viewers_language(asgi_server, page, hr_admin, analysed_video_answer):
    answer = analysed_video_answer
    # as the library reports a recording with no sound and a face missing half the time
    report = dict(answer.analysis)
    report["warnings"] = [{"code": "no_audio", "message": "the file has no audio: no speech or transcript"},
                          {"code": "face_absent", "message": "no face in 50% of the answer"}]
    report["face"] = {**report["face"], "face_present_ratio": 0.5}
    Answer.objects.filter(pk=answer.pk).update(analysis=report)
    _login(page, asgi_server.base_url, hr_admin)
    page.goto(f"{asgi_server.base_url}/interviews/{answer.session_id}/")
    warnings = page.locator("[data-testid=analysis-warning]").all_inner_texts()
    assert warnings == ["录像没有声音：无法分析语音和文字。", "50% 的时间画面中没有面部"]
    page.click("[data-testid=lang-en]")
    page.wait_for_selector("html[lang=en]")
    warnings = page.locator("[data-testid=analysis-warning]").all_inner_texts()
    assert warnings == ["The recording has no sound: speech and transcript cannot be analysed.",
                        "No face in the picture 50% of the time"]
