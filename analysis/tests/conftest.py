"""Media generated once per test session, each with the truth it was made from."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from analysis import synth  # noqa: E402

FPS = 15  # test videos: fewer frames to encode; the analysis samples at 5 fps either way


def pytest_collection_modifyitems(config, items):
    if not synth.espeak_available():
        raise pytest.UsageError("the analysis tests need espeak-ng: apt-get install -y espeak-ng")


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("media")


@dataclass
class FaceVideoTruth:
    path: Path
    speech: synth.SpeechTruth
    absent: tuple[float, float]
    turned: tuple[float, float]
    duration_s: float


@pytest.fixture(scope="session")
def face_video(media_dir) -> FaceVideoTruth:
    """14 s WebM (VP8 + Opus, as browsers record): the smiling astronaut; out of frame 3.0–5.5 s;
    head turned 45° 8.0–10.5 s; back facing the camera after."""
    duration = 14.0
    audio, truth = synth.speech_answer(wpm=170, sentences=synth.SENTENCES[:3], pauses_s=[1.0, 1.2])
    audio = synth.fit_audio(audio, duration)
    absent, turn = (3.0, 5.5), (8.0, 10.5)
    frames = synth.face_scenes(absent=absent, turned=turn)

    path = synth.write_media(media_dir / "face.webm", audio=audio, frames=frames, fps=FPS, n_frames=int(duration * FPS))
    return FaceVideoTruth(path, truth, absent, turn, duration)


@pytest.fixture(scope="session")
def no_face_video(media_dir) -> Path:
    bg = synth.background_frame()
    audio = np.zeros(int(4 * synth.SR), np.float32)
    return synth.write_media(media_dir / "noface.mp4", audio=audio, frames=lambda i, t: bg, fps=FPS, n_frames=4 * FPS)


@pytest.fixture(scope="session")
def silence_wav(media_dir) -> Path:
    return synth.write_media(media_dir / "silence.wav", audio=np.zeros(5 * synth.SR, np.float32))


@pytest.fixture(scope="session")
def answer_wav(media_dir):
    """English answer for the transcript tests: six sentences at 160 wpm with known pauses."""
    audio, truth = synth.speech_answer(wpm=160, sentences=synth.SENTENCES, pauses_s=[0.6, 1.0, 1.5, 0.8, 2.0])
    return synth.write_media(media_dir / "answer.wav", audio=audio), truth
