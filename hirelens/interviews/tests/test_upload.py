"""The resumable upload protocol through the HTTP API the candidate's browser uses."""

import hashlib

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from hirelens.interviews.models import Answer, InterviewSession, UploadChunk
from hirelens.interviews.services import _hash

from .factories import InterviewSessionFactory
from .media import webm_bytes

TOKEN = "candidate-link-token"


@pytest.fixture(scope="module")
def recording():
    return webm_bytes(4.0)


@pytest.fixture
def session(org):
    return InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash(TOKEN))


@pytest.fixture
def started(client, session):
    assert client.post(f"/i/{TOKEN}/consent", {"recording": True, "ai_analysis": True, "biometric": False},
                       content_type="application/json").status_code == 200
    assert client.post(f"/i/{TOKEN}/start", {}, content_type="application/json").status_code == 200
    return session


def begin(client, question=0, **extra):
    return client.post(f"/i/{TOKEN}/answers", {"question": question, "kind": "video", "mime": "video/webm", **extra},
                       content_type="application/json")


def put(client, answer, index, offset, data, checksum=None):
    return client.put(f"/i/{TOKEN}/answers/{answer}/chunks/{index}", data, content_type="application/octet-stream",
                      HTTP_X_CHUNK_OFFSET=str(offset), HTTP_X_CHUNK_SHA256=checksum or hashlib.sha256(data).hexdigest())


def finish(client, answer, data):
    return client.post(f"/i/{TOKEN}/answers/{answer}/finish", {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()},
                       content_type="application/json")


def upload(client, answer, data, size=16 * 1024):
    for index, offset in enumerate(range(0, len(data), size)):
        assert put(client, answer, index, offset, data[offset:offset + size]).status_code == 200


def test_chunks_are_assembled_verified_and_stored_encrypted(client, started, recording, django_capture_on_commit_callbacks):
    answer_id = begin(client).json()["answer"]
    upload(client, answer_id, recording)
    with django_capture_on_commit_callbacks(execute=False):
        response = finish(client, answer_id, recording)
    assert response.status_code == 200, response.content
    answer = Answer.objects.get(pk=answer_id)
    assert answer.status == "complete" and answer.size == len(recording)
    assert answer.duration_s == pytest.approx(4.0, abs=0.1)
    assert answer.media["has_video"] and answer.media["has_audio"]
    assert answer.analysis_status == "queued"
    with answer.recording.open("rb") as handle:
        assert handle.read() == recording  # byte for byte
    with default_storage.inner.open(answer.recording.name, "rb") as raw:
        assert raw.read(4) == b"HLEF"
    assert not UploadChunk.objects.filter(answer=answer).exists()
    assert InterviewSession.objects.get(pk=started.pk).state == "answering"


def test_duplicate_and_conflicting_chunks(client, started, recording):
    answer_id = begin(client).json()["answer"]
    first = recording[:1000]
    assert put(client, answer_id, 0, 0, first).status_code == 200
    assert put(client, answer_id, 0, 0, first).status_code == 200  # a retried request is harmless
    other = b"x" * 1000
    response = put(client, answer_id, 0, 0, other)
    assert response.status_code == 409 and "已保留原内容" in response.json()["error"]
    chunk = UploadChunk.objects.get(answer_id=answer_id, index=0)
    with chunk.data.open("rb") as handle:
        assert handle.read() == first  # the good chunk is untouched


def test_bad_chunks_get_clear_errors(client, started, recording, settings):
    answer_id = begin(client).json()["answer"]
    assert put(client, answer_id, 0, 0, recording[:100], checksum="0" * 64).status_code == 400
    assert put(client, answer_id, 2, 200, recording[:100]).status_code == 409  # out of order
    assert put(client, answer_id, 0, 0, recording[:100]).status_code == 200
    response = put(client, answer_id, 1, 50, recording[100:200])
    assert response.status_code == 409 and "100" in response.json()["error"]  # wrong offset names the right one
    big = b"\0" * (8 * 1024 * 1024 + 1)
    assert put(client, answer_id, 1, 100, big).status_code in (400, 413)
    assert list(UploadChunk.objects.filter(answer_id=answer_id).values_list("index", flat=True)) == [0]


def test_finish_checks_size_digest_and_media(client, started, recording):
    answer_id = begin(client).json()["answer"]
    upload(client, answer_id, recording[: len(recording) // 2])
    assert finish(client, answer_id, recording).status_code == 409  # bytes missing
    answer_id2 = begin(client, question=1).json()["answer"]
    upload(client, answer_id2, recording)
    wrong = client.post(f"/i/{TOKEN}/answers/{answer_id2}/finish", {"size": len(recording), "sha256": "ab" * 32},
                        content_type="application/json")
    assert wrong.status_code == 400 and Answer.objects.get(pk=answer_id2).status == "recording"  # can finish again
    assert finish(client, answer_id2, recording).status_code == 200
    assert finish(client, answer_id2, recording).status_code == 200  # idempotent


def test_not_media_is_refused_and_the_attempt_reopens(client, started):
    junk = b"this is not a recording" * 100
    answer_id = begin(client, question=1).json()["answer"]
    upload(client, answer_id, junk)
    response = finish(client, answer_id, junk)
    assert response.status_code == 422 and "不是可识别的音视频" in response.json()["error"]
    assert response.json()["code"] == "not_media"
    answer = Answer.objects.get(pk=answer_id)
    assert (answer.status, answer.failure) == ("recording", "refused: not_media")
    assert not UploadChunk.objects.filter(answer=answer).exists()


def test_technical_retake_does_not_use_up_retakes(client, started, recording):
    broken = begin(client, question=1).json()["answer"]  # question 1 allows no retake
    put(client, broken, 0, 0, recording[:500])
    retry = begin(client, question=1, technical=True)
    assert retry.status_code == 201
    new_id = retry.json()["answer"]
    upload(client, new_id, recording)
    assert finish(client, new_id, recording).status_code == 200
    assert Answer.objects.get(pk=broken).status == "failed"
    refused = begin(client, question=1)
    assert refused.status_code == 400 and "重录次数已用完" in refused.json()["error"]


def test_retake_replaces_the_earlier_answer(client, started, recording):
    first = begin(client).json()["answer"]
    upload(client, first, recording)
    finish(client, first, recording)
    second = begin(client).json()["answer"]
    upload(client, second, recording)
    finish(client, second, recording)
    assert Answer.objects.get(pk=first).status == "discarded"
    assert begin(client).status_code == 400  # retakes=1: both takes used


def test_answer_longer_than_the_limit_is_refused(client, started):
    long_recording = webm_bytes(26.0, fps=5)  # limit 20 s + 3 s grace
    answer_id = begin(client).json()["answer"]
    upload(client, answer_id, long_recording, size=64 * 1024)
    response = finish(client, answer_id, long_recording)
    assert response.status_code == 400 and "时长上限" in response.json()["error"]


@pytest.mark.parametrize("change", ["expired", "revoked", "unknown"])
def test_dead_links_are_closed(client, session, change):
    """The page of an expired or withdrawn link says so (410, in words); an unknown link is a plain 404; the JSON
    endpoints behind them answer the same (test_dead_link_json.py has every endpoint)."""
    token = TOKEN
    if change == "expired":
        InterviewSession.objects.filter(pk=session.pk).update(expires_at=timezone.now())
    elif change == "revoked":
        InterviewSession.objects.filter(pk=session.pk).update(revoked_at=timezone.now())
    else:
        token = "no-such-token"
    page = client.get(f"/i/{token}/")
    assert page.status_code == (404 if change == "unknown" else 410)
    if change != "unknown":
        assert 'data-testid="link-closed"' in page.content.decode()
    response = client.post(f"/i/{token}/start", {}, content_type="application/json")
    assert response.status_code == page.status_code and response.json()["code"] == f"link_{change}"


def test_another_candidates_answer_id_is_404(client, started, org, recording):
    other = InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash("other-token"), state="started",
                                    consents={"recording": {}})
    foreign = Answer.objects.create(organization=org, session=other, question_index=0)
    assert put(client, foreign.pk, 0, 0, recording[:10]).status_code == 404
    assert not UploadChunk.objects.exists()


def test_consent_rules(client, session, org):
    org.facial_analysis_enabled = True  # the company switch (off by default since issue 20) on for this test
    org.save()
    response = client.post(f"/i/{TOKEN}/consent", {"recording": False, "ai_analysis": True}, content_type="application/json")
    assert response.status_code == 400 and "录音录像" in response.json()["error"]  # AI analysis may be declined (issue 20)
    assert client.post(f"/i/{TOKEN}/start", {}, content_type="application/json").status_code == 400  # no consent yet
    body = client.post(f"/i/{TOKEN}/consent", {"recording": True, "ai_analysis": True, "biometric": True},
                       content_type="application/json").json()
    assert body["biometric_allowed"] is True
    session.refresh_from_db()
    assert session.consents["biometric"]["accepted"] is True and session.consents["recording"]["version"] == 2  # the platform's newest
    org.facial_analysis_enabled = False
    org.save()
    body = client.post(f"/i/{TOKEN}/consent", {"recording": True, "ai_analysis": True, "biometric": True},
                       content_type="application/json").json()
    assert body["biometric_allowed"] is False  # the company switch wins


def test_submit_needs_every_question(client, started, recording):
    response = client.post(f"/i/{TOKEN}/submit", {}, content_type="application/json")
    assert response.status_code == 400 and "1, 2" in response.json()["error"]
    for question in (0, 1):
        answer_id = begin(client, question=question).json()["answer"]
        upload(client, answer_id, recording)
        finish(client, answer_id, recording)
    assert client.post(f"/i/{TOKEN}/submit", {}, content_type="application/json").json()["state"] == "submitted"
    refused = begin(client, question=0)  # nothing changes after submission: the page is told the interview is over
    assert (refused.status_code, refused.json()["code"]) == (410, "finished")


def test_text_answers_only_when_the_accommodation_allows(client, started):
    body = {"question": 0, "text": "我会先倾听客户的顾虑。"}
    refused = client.post(f"/i/{TOKEN}/answers/text", body, content_type="application/json")
    assert refused.status_code == 400 and not Answer.objects.filter(kind="text").exists()
    InterviewSession.objects.filter(pk=started.pk).update(text_answers_allowed=True, extra_prep_s=60)
    state = client.post(f"/i/{TOKEN}/answers/text", body, content_type="application/json").json()
    assert state["answers"]["0"]["status"] == "complete" and state["extra_prep_s"] == 60
    assert Answer.objects.get(kind="text").text == "我会先倾听客户的顾虑。"
    empty = client.post(f"/i/{TOKEN}/answers/text", {"question": 1, "text": "  "}, content_type="application/json")
    assert empty.status_code == 400


def test_a_piece_costs_the_same_few_queries_however_many_are_stored(client, started, recording, django_assert_max_num_queries):
    """The hot path of a busy interview day (docs/scale.md, "Uploads"): one query finds the answer and its session by
    the link, then one short transaction locks the answer, reads the piece and the one before it, and inserts."""
    answer_id = begin(client).json()["answer"]
    size = 1000
    for index in range(6):
        offset = index * size
        with django_assert_max_num_queries(6) as captured:  # + SAVEPOINT / RELEASE of the test's transaction
            assert put(client, answer_id, index, offset, recording[offset:offset + size]).status_code == 200
        assert sum(not q["sql"].startswith(("SAVEPOINT", "RELEASE")) for q in captured.captured_queries) == 4
    assert list(UploadChunk.objects.filter(answer_id=answer_id).values_list("index", "offset")) == [(i, i * size) for i in range(6)]


@pytest.mark.parametrize("change", ["expired", "revoked", "cancelled"])
def test_pieces_to_a_dead_link_are_410(client, started, recording, change):
    answer_id = begin(client).json()["answer"]
    field = {"expired": {"expires_at": timezone.now()}, "revoked": {"revoked_at": timezone.now()},
             "cancelled": {"state": "cancelled"}}[change]
    InterviewSession.objects.filter(pk=started.pk).update(**field)
    response = put(client, answer_id, 0, 0, recording[:100])  # the page's uploader stops (a 4xx) and says why
    assert (response.status_code, response.json()["code"]) == (410, "link_expired" if change == "expired" else "link_revoked")
    assert not UploadChunk.objects.exists()


def test_a_piece_after_finish_is_refused_without_writing_anything(client, started, recording):
    answer_id = begin(client).json()["answer"]
    upload(client, answer_id, recording)
    assert finish(client, answer_id, recording).status_code == 200
    _dirs, files_before = default_storage.listdir("chunks")
    response = put(client, answer_id, 0, 0, recording[:16 * 1024])  # a late retry of the first piece
    assert response.status_code == 409 and "已完成" in response.json()["error"]
    assert default_storage.listdir("chunks")[1] == files_before


def test_the_locked_check_decides_when_the_answer_was_finished_meanwhile(started, recording):
    """The answer read before the piece's file is written may be stale (finished by a racing request): the check
    inside the transaction refuses the piece and the file written for it is removed."""
    from hirelens.interviews.services import UploadConflict, answer_begin, chunk_put

    answer = answer_begin(session=started, question_index=0, kind="video")
    Answer.objects.filter(pk=answer.pk).update(status=Answer.Status.COMPLETE)  # `answer` still says "recording"
    _dirs, files_before = default_storage.listdir("chunks") if default_storage.exists("chunks") else ([], [])
    with pytest.raises(UploadConflict):
        chunk_put(answer=answer, index=0, offset=0, sha256=hashlib.sha256(recording[:100]).hexdigest(), data=recording[:100])
    assert not UploadChunk.objects.exists()
    assert (default_storage.listdir("chunks")[1] if default_storage.exists("chunks") else []) == files_before
