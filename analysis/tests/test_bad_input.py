"""Bad input gives a typed error or a partial report with warnings: never a crash or a hang."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import (
    AnalysisError,
    AnalysisOptions,
    AnalysisTimeoutError,
    CorruptMediaError,
    EmptyMediaError,
    MediaNotFoundError,
    UnsupportedMediaError,
    analyse,
    synth,
)


def test_missing_file(tmp_path):
    with pytest.raises(MediaNotFoundError):
        analyse(tmp_path / "nope.webm")


def test_zero_bytes(tmp_path):
    p = tmp_path / "empty.webm"
    p.write_bytes(b"")
    with pytest.raises(EmptyMediaError) as exc:
        analyse(p)
    assert exc.value.to_dict()["code"] == "empty"


@pytest.mark.parametrize("content", [b"this is a resume, not a recording\n" * 50, bytes(range(256)) * 40])
def test_not_media(tmp_path, content):
    p = tmp_path / "resume.webm"
    p.write_bytes(content)
    with pytest.raises(UnsupportedMediaError):
        analyse(p)


@pytest.mark.parametrize("face,threads", [(False, 1), (True, 1), (True, 2)])
def test_header_only_webm_is_corrupt_or_empty(tmp_path, face_video, face, threads):
    p = tmp_path / "head.webm"
    p.write_bytes(face_video.path.read_bytes()[:300])
    with pytest.raises((CorruptMediaError, UnsupportedMediaError, EmptyMediaError)):
        analyse(p, AnalysisOptions(face=face, threads=threads))


# threads=2: the audio and the video are read by two threads at once (analysis/api.py)
@pytest.mark.parametrize("threads", [1, 2])
def test_truncated_recording_gives_a_partial_report(tmp_path, face_video, threads):
    data = face_video.path.read_bytes()
    p = tmp_path / "cut.webm"
    p.write_bytes(data[: len(data) // 2])
    report = analyse(p, AnalysisOptions(face=True, transcript=False, threads=threads))
    assert 4 < report.summary.duration_s < 10
    assert "truncated" in [w.code for w in report.warnings]
    assert report.summary.face_present_ratio is not None


# threads=2: the audio and the video are read by two threads at once (analysis/api.py)
@pytest.mark.parametrize("threads", [1, 2])
def test_damaged_bytes_in_the_middle_do_not_crash(tmp_path, face_video, threads):
    data = bytearray(face_video.path.read_bytes())
    rng = np.random.default_rng(7)
    mid = len(data) // 2
    data[mid : mid + 4000] = rng.integers(0, 256, 4000, dtype=np.uint8).tobytes()
    p = tmp_path / "damaged.webm"
    p.write_bytes(bytes(data))
    try:
        report = analyse(p, AnalysisOptions(face=True, transcript=False, threads=threads))
    except AnalysisError:
        return
    assert report.summary.duration_s > 5


def test_video_only_file_without_face_permission_is_a_report_with_warnings(tmp_path):
    bg = synth.background_frame(320, 240)
    p = synth.write_media(tmp_path / "video.mp4", audio=None, frames=lambda i, t: bg, fps=10, n_frames=20, width=320, height=240)
    report = analyse(p, AnalysisOptions(face=False))
    assert report.media.video_frames_decoded == 0
    assert "no_audio" in [w.code for w in report.warnings]
    assert report.summary.speaking_time_s == 0


def test_large_video_is_downscaled(tmp_path):
    frame = synth.astronaut_frame(1920, 1080)
    p = synth.write_media(
        tmp_path / "hd.mp4",
        audio=np.zeros(synth.SR, np.float32),
        frames=lambda i, t: frame,
        fps=10,
        n_frames=10,
        width=1920,
        height=1080,
    )
    report = analyse(p, AnalysisOptions(face=True, transcript=False))
    assert report.media.width == 1920
    assert report.summary.face_present_ratio == 1.0


# threads=2: the audio and the video are read by two threads at once (analysis/api.py)
@pytest.mark.parametrize("threads", [1, 2])
def test_time_limit(face_video, threads):
    with pytest.raises(AnalysisTimeoutError):
        analyse(face_video.path, AnalysisOptions(face=True, time_limit_s=0.05, threads=threads))


def test_music_is_not_speech(tmp_path):
    """Instrumental music: a report with no speech, no pauses and no invented transcript, not a crash."""
    from analysis import synth

    p = synth.write_media(tmp_path / "music.webm", audio=synth.music(8.0))
    report = analyse(p, AnalysisOptions(language="en", keywords=["customer"]))
    s = report.summary
    assert s.duration_s == pytest.approx(8.0, abs=0.1)
    assert s.speaking_time_s < 0.5 and s.pause_count == 0
    assert len((report.transcript or {}).get("text", "").split()) <= 2
    assert s.keywords == {"customer": 0}
    assert "no_speech" in [w.code for w in report.warnings]


@pytest.mark.parametrize("problem", ["no runtime", "no model file"])
def test_missing_face_models_give_a_speech_report_with_a_warning(face_video, monkeypatch, tmp_path, problem):
    """A broken install (LiteRT missing, or the .task file gone) is an operator's problem: the speech is still
    analysed, and the report says why there is no face analysis."""
    from analysis import face, facemesh

    face.models_unload()  # no models kept from an earlier answer
    if problem == "no runtime":
        def missing(*args, **kwargs):
            raise ImportError("No module named 'ai_edge_litert'")

        monkeypatch.setattr(facemesh, "_interpreter", missing)
        path = None
    else:
        path = str(tmp_path / "missing.task")
    report = analyse(face_video.path, AnalysisOptions(language="en", face=True, transcript=False, face_model_path=path))
    assert "face_model_missing" in [w.code for w in report.warnings]
    assert report.face is None and report.summary.speaking_time_s > 5


@pytest.mark.parametrize("threads", [1, 2])
def test_video_only_file_with_face_permission_gives_face_results_and_no_speech(tmp_path, threads):
    frame = synth.astronaut_frame(320, 240)
    p = synth.write_media(tmp_path / "video.webm", audio=None, frames=lambda i, t: frame, fps=10, n_frames=30,
                          width=320, height=240)
    report = analyse(p, AnalysisOptions(face=True, threads=threads))
    assert "no_audio" in [w.code for w in report.warnings]
    assert report.transcript is None
    assert report.summary.face_present_ratio == 1.0
    assert 2.5 <= report.summary.duration_s <= 3.5
