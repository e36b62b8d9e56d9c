"""Recordings as browsers and phones make them: the same answer gives the same speech figures."""

from __future__ import annotations

import pytest

from analysis import AnalysisOptions, analyse, synth


@pytest.fixture(scope="module")
def short_answer():
    return synth.speech_answer(wpm=170, sentences=synth.SENTENCES[:2], pauses_s=[1.0], lead_s=0.5, tail_s=0.5)


@pytest.mark.parametrize(
    ("name", "kw"),
    [
        ("vp8_live.webm", {"options": {"live": "1"}}),  # browser MediaRecorder: no duration in the header
        ("vp9.webm", {"vcodec": "libvpx-vp9"}),
        ("frag.mp4", {"options": {"movflags": "frag_keyframe+empty_moov+default_base_moof"}}),
        ("h264.mp4", {}),
        ("audio.ogg", {"audio_only": True}),
        ("audio.m4a", {"audio_only": True, "container": "mp4"}),
    ],
)
def test_formats(tmp_path, short_answer, name, kw):
    audio, truth = short_answer
    kw = dict(kw)
    frame = synth.astronaut_frame(320, 240)
    fps = 10
    if kw.pop("audio_only", False):
        path = synth.write_media(tmp_path / name, audio=audio, **kw)
    else:
        path = synth.write_media(tmp_path / name, audio=audio, frames=lambda i, t: frame, fps=fps, width=320, height=240, **kw)
    report = analyse(path, AnalysisOptions(face=False, transcript=False))
    s = report.summary
    assert s.duration_s == pytest.approx(truth.duration_s, abs=0.15)
    assert s.pause_count == 1
    assert s.speaking_time_s == pytest.approx(truth.speaking_time_s, rel=0.05)
    assert report.warnings == []


def test_variable_frame_rate_video_uses_frame_timestamps(tmp_path):
    base = synth.astronaut_frame(320, 240)
    empty = synth.shifted(base, 320)
    # frames at irregular times (12–30 fps); the face is gone from 2.0 s to 3.5 s
    times, t = [], 0.0
    while t < 5.0:
        times.append(t)
        t += 1 / 30 if int(t * 2) % 2 else 1 / 12
    path = synth.write_media(
        tmp_path / "vfr.webm",
        audio=None,
        frames=lambda i, t: empty if 2.0 <= t < 3.5 else base,
        frame_times=times,
        width=320,
        height=240,
        options={"live": "1"},
    )
    report = analyse(path, AnalysisOptions(face=True, posture=False))
    absent = report.events_of("face_absent")
    assert len(absent) == 1
    assert absent[0].start_s == pytest.approx(2.0, abs=0.3)
    assert absent[0].end_s == pytest.approx(3.5, abs=0.3)
    assert report.summary.duration_s == pytest.approx(5.0, abs=0.15)
