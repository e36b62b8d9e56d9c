"""Issue 15, items 5 and 6: bad input on the candidate's link is a clear 400, never a 500; upload pieces of size 0 and
missing or malformed headers are refused naming the problem; a recording with no usable answer in it (a PNG renamed
.webm, garbage, a 0.27 s cut-off WebM) is refused at finish, and the candidate records the question again at once
without losing a retake. Everything through the HTTP endpoints the candidate's browser calls, with real media."""

import hashlib
import io

import pytest
from PIL import Image

from hirelens.interviews.models import Answer, InterviewSession, UploadChunk
from hirelens.interviews.sample_media import speech_webm
from hirelens.interviews.services import _hash

from .factories import InterviewSessionFactory
from .media import webm_bytes

TOKEN = "edge-link-token"
JSON = "application/json"


@pytest.fixture
def started(client, org):
    session = InterviewSessionFactory(application__candidate__organization=org, token_hash=_hash(TOKEN))
    assert client.post(f"/i/{TOKEN}/consent", {"recording": True, "ai_analysis": True}, content_type=JSON).status_code == 200
    assert client.post(f"/i/{TOKEN}/start", {}, content_type=JSON).status_code == 200
    return session


def begin(client, question):
    response = client.post(f"/i/{TOKEN}/answers", {"question": question, "kind": "video", "mime": "video/webm"}, content_type=JSON)
    assert response.status_code == 201, response.content
    return response.json()


def put(client, answer, index, offset, data, **headers):
    headers.setdefault("HTTP_X_CHUNK_OFFSET", str(offset))
    headers.setdefault("HTTP_X_CHUNK_SHA256", hashlib.sha256(data).hexdigest())
    headers = {k: v for k, v in headers.items() if v is not None}
    return client.put(f"/i/{TOKEN}/answers/{answer}/chunks/{index}", data, content_type="application/octet-stream", **headers)


def upload_and_finish(client, answer, data, size=16 * 1024):
    for index, offset in enumerate(range(0, len(data), size)):
        assert put(client, answer, index, offset, data[offset:offset + size]).status_code == 200
    return client.post(f"/i/{TOKEN}/answers/{answer}/finish", {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()},
                       content_type=JSON)


def retakes_left(client, question):
    return client.get(f"/i/{TOKEN}/state").json()["questions"][question]["retakes_left"]


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


# --- JSON bodies -------------------------------------------------------------------------------------------------------

ENDPOINTS = ["consent", "start", "answers", "answers/text", "answers/{answer}/finish", "submit"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(("body", "message"), [
    ("[1, 2]", "请求内容必须是 JSON 对象。"),
    ('"recording"', "请求内容必须是 JSON 对象。"),
    ("42", "请求内容必须是 JSON 对象。"),
    ("null", "请求内容必须是 JSON 对象。"),
    ('{"question": 1', "请求内容不是有效的 JSON。"),
    (b"\xff\xfe{", "请求内容不是有效的 JSON。"),
])
def test_a_body_that_is_not_a_json_object_is_a_clear_400(client, started, endpoint, body, message):
    answer = Answer.objects.create(organization=started.organization, session=started, question_index=0)
    response = client.post(f"/i/{TOKEN}/" + endpoint.format(answer=answer.pk), body, content_type=JSON)
    assert response.status_code == 400
    assert response.json() == {"error": message, "code": "bad_request", "fields": []}
    assert InterviewSession.objects.get(pk=started.pk).state == "started"


@pytest.mark.parametrize(("endpoint", "body", "fields"), [
    ("consent", {"recording": [True], "ai_analysis": True}, ["recording"]),
    ("start", {"audio_only": "maybe"}, ["audio_only"]),
    ("answers", {"question": "first"}, ["question"]),
    ("answers", {"question": 9223372036854775809, "kind": 3}, ["question", "kind"]),
    ("answers", {"kind": "video"}, ["question"]),
    ("answers/text", {"question": 0, "text": {"a": 1}}, ["text"]),
    ("answers/{answer}/finish", {"size": "big", "sha256": "x"}, ["size", "sha256"]),
    ("answers/{answer}/finish", {"size": -1, "sha256": "ab" * 32}, ["size"]),
    ("answers/{answer}/finish", {"size": 10**30, "sha256": "ab" * 32}, ["size"]),
])
def test_wrong_field_types_are_a_400_naming_the_fields(client, started, endpoint, body, fields):
    answer = Answer.objects.create(organization=started.organization, session=started, question_index=0)
    response = client.post(f"/i/{TOKEN}/" + endpoint.format(answer=answer.pk), body, content_type=JSON)
    assert response.status_code == 400
    assert response.json() == {"error": "以下字段缺失或格式不正确：" + ", ".join(fields), "code": "bad_request", "fields": fields}
    assert Answer.objects.filter(session=started).count() == 1


def test_bad_input_is_answered_in_english_for_an_english_candidate(client, started):
    client.cookies["django_language"] = "en"
    response = client.post(f"/i/{TOKEN}/answers", "[]", content_type=JSON)
    assert response.status_code == 400 and response.json()["error"] == "The request body must be a JSON object."


# --- Pieces ------------------------------------------------------------------------------------------------------------

def test_an_empty_piece_is_refused_and_takes_no_index(client, started):
    answer = begin(client, 0)["answer"]
    response = put(client, answer, 0, 0, b"")
    assert response.status_code == 400
    assert response.json() == {"error": "分片为空（0 字节），未保存，请重新上传该分片。", "code": "empty_chunk"}
    assert not UploadChunk.objects.filter(answer_id=answer).exists()
    data = webm_bytes(2.0)
    assert put(client, answer, 0, 0, data[:1000]).status_code == 200  # index 0 is still free


@pytest.mark.parametrize(("headers", "status", "code", "message"), [
    ({"HTTP_X_CHUNK_OFFSET": None}, 400, "missing_header", "缺少请求头 X-Chunk-Offset。"),
    ({"HTTP_X_CHUNK_OFFSET": " "}, 400, "missing_header", "缺少请求头 X-Chunk-Offset。"),
    ({"HTTP_X_CHUNK_SHA256": None}, 400, "missing_header", "缺少请求头 X-Chunk-SHA256。"),
    ({"HTTP_X_CHUNK_OFFSET": "abc"}, 400, "bad_header", "请求头 X-Chunk-Offset 格式不正确：应为非负整数。"),
    ({"HTTP_X_CHUNK_OFFSET": "-1"}, 400, "bad_header", "请求头 X-Chunk-Offset 格式不正确：应为非负整数。"),
    ({"HTTP_X_CHUNK_OFFSET": "9" * 30}, 400, "bad_header", "请求头 X-Chunk-Offset 格式不正确：应为非负整数。"),
    ({"HTTP_X_CHUNK_SHA256": "not-a-digest"}, 400, "bad_header", "请求头 X-Chunk-SHA256 格式不正确：应为 64 位十六进制的 SHA-256。"),
])
def test_missing_or_malformed_headers_are_a_400_naming_the_header(client, started, headers, status, code, message):
    answer = begin(client, 0)["answer"]
    response = put(client, answer, 0, 0, b"\x1aE\xdf\xa3" * 100, **headers)
    assert response.status_code == status
    assert response.json() == {"error": message, "code": code, "fields": [message.split()[1] if "缺少" not in message
                                                                          else message.removeprefix("缺少请求头 ").rstrip("。")]}
    assert not UploadChunk.objects.filter(answer_id=answer).exists()


def test_out_of_range_ids_and_indexes_in_the_upload_path_are_404(client, started):
    answer = begin(client, 0)["answer"]
    data = b"\x1aE\xdf\xa3" * 10
    assert put(client, answer, 2**31, 0, data).status_code == 404
    assert put(client, answer, 10**12, 0, data).status_code == 404
    assert client.put(f"/i/{TOKEN}/answers/{2**63}/chunks/0", data, content_type="application/octet-stream").status_code == 404
    assert client.post(f"/i/{TOKEN}/answers/{2**63 + 1}/finish", {"size": 1, "sha256": "ab" * 32},
                       content_type=JSON).status_code == 404


# --- Unusable recordings -----------------------------------------------------------------------------------------------

UNUSABLE = {
    "png": (png_bytes, "no_audio", "录制内容中没有可识别的声音，请检查麦克风后重新录制这道题（不占重录次数）。"),
    "garbage": (lambda: bytes(range(256)) * 40, "not_media", "上传的文件不是可识别的音视频，请重新录制这道题（不占重录次数）。"),
    "cut off at 0.27 s": (lambda: webm_bytes(4.0)[:3000], "too_short", "录制内容不足 1 秒，请重新录制这道题（不占重录次数）。"),
    "video without sound": (lambda: webm_bytes(4.0)[:300] + b"\0" * 2000, "not_media",
                            "上传的文件不是可识别的音视频，请重新录制这道题（不占重录次数）。"),
}


@pytest.mark.parametrize("kind", list(UNUSABLE))
def test_an_unusable_recording_is_refused_and_recorded_again_at_once(client, started, kind, tmp_path,
                                                                        django_capture_on_commit_callbacks):
    make, code, message = UNUSABLE[kind]
    question = 1  # no retake allowed on this question: a refused upload must not use up the only take
    assert retakes_left(client, question) == 1
    answer = begin(client, question)["answer"]
    bad = make()
    response = upload_and_finish(client, answer, bad)
    assert response.status_code == 422
    assert response.json() == {"error": message, "code": code, "retake": True}
    stored = Answer.objects.get(pk=answer)
    assert (stored.status, stored.analysis_status, stored.recording.name) == ("recording", "none", "")
    assert not UploadChunk.objects.filter(answer=stored).exists()
    assert retakes_left(client, question) == 1
    # The same finish sent again (its answer lost on the way) gets the same answer, not a 409.
    again = client.post(f"/i/{TOKEN}/answers/{answer}/finish", {"size": len(bad), "sha256": hashlib.sha256(bad).hexdigest()},
                        content_type=JSON)
    assert again.status_code == 422 and again.json()["code"] == code

    # Recording again at once: the same attempt, empty, then a real answer completes and is analysed.
    resumed = begin(client, question)
    assert (resumed["answer"], resumed["chunks"]) == (answer, [])
    good = speech_webm(tmp_path, "I listen to the customer first and then I propose a smaller first step.")
    with django_capture_on_commit_callbacks(execute=True):
        done = upload_and_finish(client, answer, good)
    assert done.status_code == 200, done.content
    stored.refresh_from_db()
    assert (stored.status, stored.failure, stored.analysis_status) == ("complete", "", "done"), stored.analysis_error
    assert stored.duration_s > 2.0 and stored.analysis["summary"]["speaking_time_s"] > 1.0
    assert retakes_left(client, question) == 0


def test_a_short_but_real_answer_of_a_second_and_more_is_accepted(client, started):
    answer = begin(client, 0)["answer"]
    data = webm_bytes(1.5, video=False)
    response = upload_and_finish(client, answer, data)
    assert response.status_code == 200, response.content
    stored = Answer.objects.get(pk=answer)
    assert stored.status == "complete" and stored.kind == "audio" and stored.media["audio_s"] == pytest.approx(1.5, abs=0.05)
