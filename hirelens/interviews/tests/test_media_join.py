"""Joining the parts of a continued take (media.join_parts): packets copied, later parts following on in time, audio
and video decoding across the joint; parts that differ are refused with a code."""

import io

import av
import pytest

from hirelens.interviews.media import JoinError, join_parts, probe

from .media import webm_bytes


def _frames(data: bytes, kind: str) -> list[float]:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0] if kind == "video" else container.streams.audio[0]
        return [float(frame.time) for frame in container.decode(stream)]


def _joined(*parts: bytes) -> bytes:
    out = io.BytesIO()
    join_parts([io.BytesIO(p) for p in parts], out)
    return out.getvalue()


def test_two_recordings_join_into_one_that_decodes_across_the_joint():
    first, second = webm_bytes(3.0), webm_bytes(2.0)
    joined = _joined(first, second)
    facts = probe(io.BytesIO(joined))
    assert facts["has_video"] and facts["has_audio"]
    assert facts["duration_s"] == pytest.approx(5.0, abs=0.1)
    assert facts["audio_s"] == pytest.approx(5.0, abs=0.1)  # every audio packet of both parts decodes
    video = _frames(joined, "video")
    assert len(video) == len(_frames(first, "video")) + len(_frames(second, "video")) == 75
    assert video == sorted(video)  # on, never back in time
    after = [t for t in video if t >= 3.0]
    assert len(after) == 30 and after[0] < 3.1  # the second part's frames right after the first part's end
    audio = _frames(joined, "audio")
    assert audio == sorted(audio) and max(b - a for a, b in zip(audio, audio[1:])) < 0.05  # no gap at the joint


def test_a_part_cut_off_mid_piece_counts_up_to_its_last_whole_packet():
    first, second = webm_bytes(4.0), webm_bytes(2.0)
    cut = first[: len(first) // 2 + 17]  # what a crash leaves: the file ends inside a packet
    joined = _joined(cut, second)
    facts = probe(io.BytesIO(joined))
    kept = probe(io.BytesIO(cut))["duration_s"]
    assert 1.0 < kept < 3.0
    assert facts["duration_s"] == pytest.approx(kept + 2.0, abs=0.15)
    assert facts["audio_s"] > kept + 1.5
    assert len(_frames(joined, "video")) > 30


def test_parts_with_different_streams_are_refused():
    with pytest.raises(JoinError) as refused:
        _joined(webm_bytes(2.0), webm_bytes(2.0, video=False))
    assert refused.value.code == "parts_differ"
    with pytest.raises(JoinError) as resized:
        _joined(webm_bytes(2.0), webm_bytes(2.0, size=(320, 240)))
    assert resized.value.code == "parts_differ"
    with pytest.raises(JoinError) as garbage:
        _joined(webm_bytes(2.0), b"not a recording at all" * 100)
    assert garbage.value.code == "not_media"
