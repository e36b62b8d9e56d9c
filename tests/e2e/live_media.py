"""Generated media for Chromium's fake camera and microphone in the live-room tests and bench.

Nothing is downloaded: the face is scikit-image's bundled astronaut photo (``analysis.synth.astronaut_frame``), the
speech is real recorded Mandarin from the f5-tts wheel (``infer/examples/basic/basic_ref_zh.wav``, its known text
"对，这就是我，万人敬仰的太乙真人。", requirements/test-media.txt). Both files last ``LOOP_S`` seconds and Chromium
loops them (``--use-file-for-fake-video-capture`` reads the Y4M, ``--use-file-for-fake-audio-capture`` the WAV).

Known media times of one loop (seconds from the start of the file):

- video: the face is in the picture during ``FACE_SPANS``, blank frames (no face) between; every frame carries its
  frame number as a row of black/white blocks along the bottom edge (``MARKER_BITS`` bits, 16 px each, 8 px high)
  so a page can tell which frame of the loop it is showing;
- audio: the Mandarin clip starts at each of ``CLIP_STARTS``, silence between (longer than 2 s: a pause event);
  ``speech_spans`` are where the file analysis (``analysis.speech.vad_segments``) finds the speech.
"""

from __future__ import annotations

import importlib.util
import json
import wave
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

LOOP_S = 24.0
FPS = 15
SIZE = (320, 240)
FACE_SPANS = ((0.0, 10.0), (14.0, 20.0))
CLIP = "basic/basic_ref_zh.wav"
CLIP_TEXT = "对，这就是我，万人敬仰的太乙真人。"
CLIP_STARTS = (1.0, 11.0)
KEYWORD = "真人"
AUDIO_RATE = 48000
MARKER_BITS = 9
VERSION = 2  # bump when the media change (the cache key)


@dataclass
class LiveMedia:
    video: str
    audio: str
    loop_s: float
    fps: int
    face_spans: list
    clip_starts: list
    speech_spans: list  # [(start_s, end_s)] in one loop
    text: str
    keyword: str

    def chromium_args(self) -> list[str]:
        return ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={self.video}", f"--use-file-for-fake-audio-capture={self.audio}",
                "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required"]

    def speech_onsets(self) -> list[float]:
        return [s for s, _ in self.speech_spans]


def clip_path(rel: str = CLIP) -> Path:
    spec = importlib.util.find_spec("f5_tts")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("f5-tts (requirements/test-media.txt) is not installed: its example clips are the test speech")
    return Path(list(spec.submodule_search_locations)[0]) / "infer" / "examples" / rel


def read_clip(path: Path, rate: int) -> np.ndarray:
    import av

    parts = []
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        for frame in container.decode(audio=0):
            parts += [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
        parts += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(parts).astype(np.float32)


def loop_audio(rate: int = AUDIO_RATE) -> np.ndarray:
    audio = np.zeros(int(LOOP_S * rate), np.float32)
    clip = read_clip(clip_path(), rate)
    for start in CLIP_STARTS:
        i = int(start * rate)
        audio[i : i + len(clip)] = clip[: len(audio) - i]
    return audio


def marker(frame_no: int) -> np.ndarray:
    """The bits of the frame number, least significant first."""
    return np.array([(frame_no >> b) & 1 for b in range(MARKER_BITS)], np.uint8)


def read_marker(gray: np.ndarray) -> int:
    """The frame number in a decoded grey picture of SIZE (the page does the same in JS)."""
    h = gray.shape[0]
    bits = [int(gray[h - 4, b * 16 + 8] > 128) for b in range(MARKER_BITS)]
    return sum(bit << b for b, bit in enumerate(bits))


def video_frame(i: int, face: np.ndarray, blank: np.ndarray) -> np.ndarray:
    t = i / FPS
    rgb = (face if any(a <= t < b for a, b in FACE_SPANS) else blank).copy()
    w, h = SIZE
    rgb[h - 8 :, : MARKER_BITS * 16] = 0
    for b, bit in enumerate(marker(i)):
        if bit:
            rgb[h - 8 :, b * 16 : (b + 1) * 16] = 255
    return rgb


def make_live_media(folder: Path) -> LiveMedia:
    """Write (once per folder and VERSION) the Y4M and WAV and return what they contain."""
    import cv2

    from analysis import synth
    from analysis.speech import SpeechParams, vad_segments

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    meta_path = folder / f"live-media-v{VERSION}.json"
    if meta_path.exists():
        return LiveMedia(**json.loads(meta_path.read_text()))
    w, h = SIZE
    video, audio_path = folder / f"live-v{VERSION}.y4m", folder / f"live-v{VERSION}.wav"
    face = synth.astronaut_frame(w, h)
    blank = np.empty((h, w, 3), np.uint8)
    blank[:] = (90, 120, 150)
    with open(video, "wb") as out:
        out.write(f"YUV4MPEG2 W{w} H{h} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for i in range(int(LOOP_S * FPS)):
            yuv = cv2.cvtColor(video_frame(i, face, blank), cv2.COLOR_RGB2YUV_I420)  # Y, then U, then V planes
            out.write(b"FRAME\n" + yuv.tobytes())
    audio = loop_audio()
    with wave.open(str(audio_path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(AUDIO_RATE)
        out.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    spans = vad_segments(loop_audio(16000), SpeechParams())
    media = LiveMedia(video=str(video), audio=str(audio_path), loop_s=LOOP_S, fps=FPS, face_spans=[list(s) for s in FACE_SPANS],
                      clip_starts=list(CLIP_STARTS), speech_spans=[[round(float(a), 3), round(float(b), 3)] for a, b in spans],
                      text=CLIP_TEXT, keyword=KEYWORD)
    meta_path.write_text(json.dumps(asdict(media), ensure_ascii=False))
    return media


if __name__ == "__main__":  # python tests/e2e/live_media.py /tmp/folder: write the files, print what they hold
    import sys

    print(json.dumps(asdict(make_live_media(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/hl-live-media"))), ensure_ascii=False))
