"""The resumable upload (hirelens.interviews.services chunk_put / answer_finish), for any split of a recording into
pieces sent in any order, with repeats and contradicting pieces: what the server stores is byte-equal to the
recording, and every piece it cannot take yet is refused with the documented error and changes nothing."""

import hashlib
from functools import cache

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import event, given, settings
from hypothesis import strategies as st

from hirelens.interviews.models import Answer, InterviewSession, UploadChunk
from hirelens.interviews.sample_media import webm_bytes
from hirelens.interviews.services import UploadConflict, answer_begin, answer_finish, chunk_put
from hirelens.interviews.tests.factories import InterviewSessionFactory

pytestmark = pytest.mark.django_db


@cache
def recording() -> bytes:
    return webm_bytes(1.5, size=(64, 48))


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):  # the messages below are the zh-Hans msgids
        yield


@st.composite
def uploads(draw):
    """Cut points of the recording (every piece non-empty) and what the page sends, in order: ("put", i) a piece,
    ("other", i) different bytes under a piece's index, ("shifted", i) a piece at a wrong offset."""
    size = len(recording())
    cuts = sorted(draw(st.sets(st.integers(1, size - 1), max_size=9)))
    bounds = [0, *cuts, size]
    pieces = [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
    index = st.integers(0, len(pieces) - 1)
    sends = draw(st.lists(st.tuples(st.sampled_from(["put", "put", "put", "other", "shifted"]), index), max_size=25))
    return pieces, sends


def piece(pieces, kind, i) -> tuple[bytes, int]:
    """The bytes and offset the page sends for ``kind`` of piece ``i``."""
    start, end = pieces[i]
    data = recording()[start:end]
    if kind == "other":
        return bytes(b ^ 0xFF for b in data), start
    return data, start + 1 if kind == "shifted" else start


def send(answer, pieces, kind, i):
    data, offset = piece(pieces, kind, i)
    return chunk_put(answer=answer, index=i, offset=offset, sha256=hashlib.sha256(data).hexdigest(), data=data)


def expected_refusal(stored, pieces, kind, i) -> str | None:
    """What the protocol answers (the documented messages), from the model of what the server holds."""
    data, offset = piece(pieces, kind, i)
    if i in stored:  # a retried piece is accepted; anything else under a stored index is refused
        return None if stored[i] == data and offset == pieces[i][0] else "该分片已以不同内容上传，已保留原内容。"
    if i > 0 and i - 1 not in stored:
        return f"请先上传第 {i} 个分片。"
    if offset != pieces[i][0]:
        return f"分片偏移量不正确（应为 {pieces[i][0]}）。"
    return None


@settings(max_examples=40)
@given(upload=uploads())
def test_any_split_in_any_order_is_stored_byte_equal_or_refused(org, upload):
    pieces, sends = upload
    session = InterviewSessionFactory(application__candidate__organization=org, state=InterviewSession.State.STARTED)
    answer = answer_begin(session=session, question_index=0, kind="video", mime_type="video/webm")
    stored: dict[int, bytes] = {}  # the model: index -> bytes the server holds
    early_checked = False
    for kind, i in [*sends, *(("put", i) for i in range(len(pieces)))]:  # then the page resumes: every piece in order
        start, end = pieces[i]
        before = UploadChunk.objects.filter(answer=answer).count()
        expected = expected_refusal(stored, pieces, kind, i)
        if expected is None:
            chunk = send(answer, pieces, kind, i)
            assert (chunk.index, chunk.offset, chunk.size) == (i, start, end - start)
            stored.setdefault(i, piece(pieces, kind, i)[0])
        else:
            with pytest.raises(UploadConflict) as refused:
                send(answer, pieces, kind, i)
            assert refused.value.messages == [expected]
            assert UploadChunk.objects.filter(answer=answer).count() == before  # nothing changed
        if (kind, i) == ("put", 0) and len(stored) < len(pieces) and not early_checked:
            early_checked = True  # finishing before every piece is there is refused with what is missing
            received = sum(len(stored[k]) for k in stored)
            with pytest.raises(UploadConflict) as early:
                answer_finish(answer=answer, total_size=len(recording()), sha256=hashlib.sha256(recording()).hexdigest())
            assert early.value.messages == [f"还有分片没有上传（已收到 {received} / {len(recording())} 字节）。"]
    whole = b"".join(stored[i] for i in range(len(pieces)))
    event(f"{len(pieces)} pieces" if len(pieces) < 3 else "3+ pieces")
    event("stored byte-equal" if whole == recording() else "refused at finish")
    if whole != recording():  # a piece first sent with other bytes was kept: the whole checksum cannot match
        with pytest.raises(ValidationError) as mismatch:
            answer_finish(answer=answer, total_size=len(recording()), sha256=hashlib.sha256(recording()).hexdigest())
        assert mismatch.value.messages == ["整段作答的校验和不一致，请重新上传。"]
        assert Answer.objects.get(pk=answer.pk).status == Answer.Status.RECORDING
        return
    done = answer_finish(answer=answer, total_size=len(recording()), sha256=hashlib.sha256(recording()).hexdigest())
    assert done.status == Answer.Status.COMPLETE and done.size == len(recording())
    with done.recording.open("rb") as handle:
        assert handle.read() == recording()  # byte for byte
    assert answer_finish(answer=answer, total_size=len(recording()), sha256=hashlib.sha256(recording()).hexdigest()) == done
