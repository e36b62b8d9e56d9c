"""Issue 19 through the candidate's HTTP API and HR's pages: interrupted takes (noted, kept or recorded again without
using a retake), the practice recording discarded, the practice question and the time estimate in the interview's
language and truthful."""

import hashlib

import pytest
from django.core.files.storage import default_storage

from hirelens.interviews.models import Answer
from hirelens.interviews.services import PRACTICE_DEFAULTS, _hash, retakes_left, session_create

from .factories import QUESTIONS, InterviewSessionFactory
from .media import webm_bytes
from .test_upload import TOKEN, begin, finish, put, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def recording():
    return webm_bytes(4.0)


@pytest.fixture
def started(client, org):
    session = InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash(TOKEN))
    assert client.post(f"/i/{TOKEN}/consent", {"recording": True, "ai_analysis": True}, content_type="application/json").status_code == 200
    assert client.post(f"/i/{TOKEN}/start", {}, content_type="application/json").status_code == 200
    return session


def _interrupt(client, answer, **body):
    return client.post(f"/i/{TOKEN}/answers/{answer}/interruption", body, content_type="application/json")


def test_an_interrupted_take_is_shown_as_such_and_kept_with_what_the_server_holds(client, started, recording):
    answer = begin(client, 0).json()["answer"]
    upload(client, answer, recording)
    state = client.get(f"/i/{TOKEN}/state").json()
    assert state["answers"]["0"]["status"] == "recording" and state["answers"]["0"]["chunks"] > 0  # what a reopened page sees
    assert _interrupt(client, answer, kind="page", recorded_s=4).status_code == 200
    assert client.post(f"/i/{TOKEN}/answers/{answer}/keep", {}, content_type="application/json").status_code == 200
    response = client.post(f"/i/{TOKEN}/answers/{answer}/finish", {}, content_type="application/json")  # as the server holds it
    assert response.status_code == 200 and response.json()["status"] == "complete"
    stored = Answer.objects.get(pk=answer)
    assert stored.sha256 == hashlib.sha256(recording).hexdigest() and stored.size == len(recording)
    assert [(i["kind"], i["recorded_s"], i["choice"]) for i in stored.interruptions] == [("page", 4.0, "keep")]
    assert retakes_left(started, 0) == QUESTIONS[0]["retakes"]  # the first take, not a retake


def test_recording_an_interrupted_take_again_uses_no_retake_and_carries_the_interruption(client, started, recording):
    first = begin(client, 1).json()["answer"]  # question 2 allows no retake at all
    put(client, first, 0, 0, recording[:4096])
    assert _interrupt(client, first, kind="page", recorded_s=2).status_code == 200
    again = begin(client, 1, technical=True).json()["answer"]
    assert again != first
    upload(client, again, recording)
    assert finish(client, again, recording).status_code == 200
    taken = Answer.objects.get(pk=again)
    assert taken.status == "complete" and taken.technical_retake
    assert [(i["kind"], i["choice"]) for i in taken.interruptions] == [("page", "again")]
    assert Answer.objects.get(pk=first).status == "failed"
    assert retakes_left(started, 1) == 0 and retakes_left(started, 0) == 2  # nothing used but the one take


def test_offline_interruption_and_bad_input(client, started, recording):
    answer = begin(client, 0).json()["answer"]
    assert _interrupt(client, answer, kind="offline", recorded_s=3, offline_s=6.5).status_code == 200
    bad = _interrupt(client, answer, kind="coffee")
    assert bad.status_code == 400 and bad.json()["fields"] == ["kind"]
    assert [(i["kind"], i["offline_s"]) for i in Answer.objects.get(pk=answer).interruptions] == [("offline", 6.5)]


def test_hr_reads_each_interruption_in_zh_and_en(client, started, recording, hr_admin):
    answer = begin(client, 0).json()["answer"]
    upload(client, answer, recording)
    _interrupt(client, answer, kind="page", recorded_s=4)
    _interrupt(client, answer, kind="offline", recorded_s=2, offline_s=5)
    client.post(f"/i/{TOKEN}/answers/{answer}/keep", {}, content_type="application/json")
    assert finish(client, answer, recording).status_code == 200
    client.force_login(hr_admin)
    page = client.get(f"/interviews/{started.pk}/").content.decode()
    assert "技术中断 2 次" in page and "当时已录制约 4 秒" in page and "候选人保留了已录制的内容作为回答" in page
    assert "网络中断 5 秒" in page
    client.cookies["django_language"] = "en"
    english = client.get(f"/interviews/{started.pk}/").content.decode()
    assert "2 technical interruptions" in english and "The candidate kept what had been recorded as the answer." in english


def test_the_practice_recording_is_discarded_at_finish(client, started, recording, hr_admin, django_capture_on_commit_callbacks):
    answer = begin(client, -1).json()["answer"]
    upload(client, answer, recording)
    pieces = [c.data.name for c in Answer.objects.get(pk=answer).chunks.all()]
    assert pieces and all(default_storage.exists(name) for name in pieces)
    folder = f"org{started.organization_id}/answers"
    before = set(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else set()
    with django_capture_on_commit_callbacks(execute=True):
        assert finish(client, answer, recording).status_code == 200
    practice = Answer.objects.get(pk=answer)
    assert practice.status == "complete" and not practice.recording and practice.chunks.count() == 0
    assert not any(default_storage.exists(name) for name in pieces)
    assert set(default_storage.listdir(folder)[1]) <= before  # no assembled file left either
    assert client.get(f"/i/{TOKEN}/state").json()["answers"]["-1"]["status"] == "complete"  # the page knows it is done
    client.force_login(hr_admin)
    assert 'data-testid="answer"' not in client.get(f"/interviews/{started.pk}/").content.decode()
    assert client.get(f"/interviews/answers/{answer}/media").status_code == 404


def test_the_practice_question_and_time_estimate_follow_the_interview(client, org, hr_admin):
    application = InterviewSessionFactory(application__candidate__organization=org).application
    session, token = session_create(actor=hr_admin, application=application, questions=[{"text": "Tell us about a project.",
                                    "prep_s": 30, "answer_s": 120}], practice_question="请用三个词介绍你自己。", language="en")
    assert session.practice_question == PRACTICE_DEFAULTS["en"]
    old = InterviewSessionFactory(application__candidate__organization=org, language="en",
                                  practice_question="练习题：用三个词描述你自己。")
    old_token = "old-english-session"
    old.token_hash = _hash(old_token)
    old.save()
    assert client.get(f"/i/{old_token}/state").json()["practice"] == PRACTICE_DEFAULTS["en"]
    page = client.get(f"/i/{token}/").content.decode()
    # 150 s of reading, consent and device check + the practice (30 + 60) + the question (30 + 120): 390 s, 7 minutes
    assert "1 question, about 7 minutes with the consent notices, the device check and the practice question (you may skip it)." in page
    two, two_token = session_create(actor=hr_admin, application=application, practice_question="", language="en",
                                    questions=[{"text": "Why us?", "prep_s": 30, "answer_s": 60}] * 2)
    # without a practice: 150 + 2 x (30 + 60) = 330 s, 6 minutes; "questions" for two
    assert "2 questions, about 6 minutes with the consent notices and the device check." in client.get(f"/i/{two_token}/").content.decode()
    client.force_login(hr_admin)
    application.organization.default_language = "en"
    application.organization.save()
    form = client.get(f"/interviews/new/{application.pk}/").content.decode()
    assert PRACTICE_DEFAULTS["en"] in form


def _continue(client, answer, offset, mime="video/webm"):
    return client.post(f"/i/{TOKEN}/answers/{answer}/continue", {"offset": offset, "mime": mime}, content_type="application/json")


def test_a_take_continued_where_it_stopped_is_joined_into_one_answer(client, started, hr_admin):
    first, second = webm_bytes(4.0), webm_bytes(3.0)
    answer = begin(client, 0).json()["answer"]
    upload(client, answer, first)
    assert _interrupt(client, answer, kind="page", recorded_s=4).status_code == 200
    early = _continue(client, answer, len(first) - 1)  # the page must send the earlier part whole first
    assert early.status_code == 409 and early.json()["code"] == "offset"
    response = _continue(client, answer, len(first))
    assert response.status_code == 200
    body = response.json()
    assert body["chunks"] == -(-len(first) // (16 * 1024)) and body["offset"] == len(first)
    assert body["remaining_s"] == QUESTIONS[0]["answer_s"] - 5  # 20 s less the 4 s recorded, rounded down
    assert _continue(client, answer, len(first)).json() == body  # the same request again
    for index, offset in enumerate(range(0, len(second), 16 * 1024), start=body["chunks"]):
        assert put(client, answer, index, len(first) + offset, second[offset:offset + 16 * 1024]).status_code == 200
    upload_bytes = first + second
    assert finish(client, answer, upload_bytes).status_code == 200
    assert finish(client, answer, upload_bytes).status_code == 200  # a repeated finish of the same upload
    stored = Answer.objects.get(pk=answer)
    assert stored.status == "complete" and stored.media["parts"] == 2
    assert stored.duration_s == pytest.approx(7.0, abs=0.1)
    assert stored.media["upload"] == {"size": len(upload_bytes), "sha256": hashlib.sha256(upload_bytes).hexdigest()}
    with stored.recording.open("rb") as handle:
        joined = handle.read()
    assert stored.size == len(joined) and stored.sha256 == hashlib.sha256(joined).hexdigest()  # what HR's player gets
    assert [(i["kind"], i["choice"]) for i in stored.interruptions] == [("page", "continued")]
    assert retakes_left(started, 0) == QUESTIONS[0]["retakes"]
    client.force_login(hr_admin)
    assert "候选人从中断处继续录制" in client.get(f"/interviews/{started.pk}/").content.decode()
    client.cookies["django_language"] = "en"
    assert "continued recording from where it stopped" in client.get(f"/interviews/{started.pk}/").content.decode()


def test_continuing_is_refused_without_time_left_a_recording_or_the_same_format(client, started):
    answer = begin(client, 1).json()["answer"]
    nothing = _continue(client, answer, 0)
    assert nothing.status_code == 409 and nothing.json()["code"] == "nothing_recorded"
    upload(client, answer, webm_bytes(18.0))  # the question allows 20 s
    late = _continue(client, answer, Answer.objects.get(pk=answer).chunks.count() and sum(
        c.size for c in Answer.objects.get(pk=answer).chunks.all()))
    assert late.status_code == 409 and late.json()["code"] == "no_time_left"
    other = _continue(client, answer, 0, mime="video/mp4")
    assert other.status_code == 409 and other.json()["code"] == "cannot_continue"
    assert Answer.objects.get(pk=answer).media == {}  # nothing noted


def test_a_continued_part_cut_off_before_its_first_piece_is_continued_again_or_kept(client, started):
    first = webm_bytes(4.0)
    answer = begin(client, 0).json()["answer"]
    upload(client, answer, first)
    _interrupt(client, answer, kind="page", recorded_s=4)
    assert _continue(client, answer, len(first)).status_code == 200
    _interrupt(client, answer, kind="page", recorded_s=4)  # reloaded again during the short preparation
    again = _continue(client, answer, len(first))  # nothing new: the same part is continued
    assert again.status_code == 200 and again.json()["remaining_s"] == QUESTIONS[0]["answer_s"] - 5
    assert [i["choice"] for i in Answer.objects.get(pk=answer).interruptions] == ["continued", "continued"]
    assert Answer.objects.get(pk=answer).media["parts"] == [len(first)]
    assert client.post(f"/i/{TOKEN}/answers/{answer}/keep", {}, content_type="application/json").status_code == 200
    assert finish(client, answer, first).status_code == 200  # kept as it is: the empty part is no part
    stored = Answer.objects.get(pk=answer)
    assert stored.status == "complete" and "parts" not in stored.media and stored.sha256 == hashlib.sha256(first).hexdigest()
    assert stored.duration_s == pytest.approx(4.0, abs=0.1)
