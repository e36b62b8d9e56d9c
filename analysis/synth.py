"""Generated media with known truth, for the accuracy tests and the benchmark.

Nothing here is downloaded: speech comes from the espeak-ng program (a Debian package), the face from
scikit-image's bundled ``astronaut`` photo, and files are encoded with PyAV. Every generator returns the
truth it was built with, so a test can compare what the analysis measured against what was made.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

SR = 16000

#: Sentences with hand-counted syllables (espeak-ng speaks them as written).
SENTENCES: list[tuple[str, int]] = [
    ("I worked with my team on a big project for a new customer", 15),
    ("we planned every step and met each week to review the numbers", 15),
    ("the customer was happy and the project finished on time", 15),
    ("I learned to listen first and then to explain my ideas clearly", 17),
    ("our team shared the work so that nobody was left behind", 14),
    ("next year I want to lead a small group of engineers", 14),
]


@dataclass
class SpeechTruth:
    """What a generated answer contains, in seconds from the start of the file."""

    duration_s: float
    segments: list[tuple[float, float]] = field(default_factory=list)
    syllables: int = 0
    words: int = 0
    text: str = ""

    @property
    def speaking_time_s(self) -> float:
        return sum(e - s for s, e in self.segments)

    @property
    def pauses(self) -> list[float]:
        return [b[0] - a[1] for a, b in zip(self.segments, self.segments[1:])]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level edit distance over the reference's word count (words lowercased, punctuation dropped,
    hyphens split: "T-Mana" is two words)."""

    def words(text: str) -> list[str]:
        return re.sub(r"[^\w\s']", " ", text.lower().replace("-", " ")).split()

    ref, hyp = words(reference), words(hypothesis)
    if not ref:
        return float(bool(hyp))
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i]
        for j, h in enumerate(hyp, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h)))
        prev = cur
    return prev[-1] / len(ref)


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def espeak(text: str, *, wpm: int = 160, voice: str = "en-us") -> np.ndarray:
    """Speak ``text`` with espeak-ng; float32 mono at 16 kHz, leading/trailing silence trimmed."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "s.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(wav), text],
            check=True,
            capture_output=True,
        )
        import av

        with av.open(str(wav)) as c:
            res = av.AudioResampler(format="flt", layout="mono", rate=SR)
            parts = []
            for frame in c.decode(audio=0):
                for f in res.resample(frame):
                    parts.append(f.to_ndarray().reshape(-1))
            for f in res.resample(None):
                parts.append(f.to_ndarray().reshape(-1))
    x = np.concatenate(parts).astype(np.float32)
    loud = np.flatnonzero(np.abs(x) > 0.01 * float(np.abs(x).max()))
    return x[loud[0] : loud[-1] + 1]


def speech_answer(
    *,
    wpm: int = 160,
    pauses_s: list[float] | None = None,
    sentences: list[tuple[str, int]] | None = None,
    lead_s: float = 1.0,
    tail_s: float = 1.0,
    voice: str = "en-us",
) -> tuple[np.ndarray, SpeechTruth]:
    """Sentences separated by known pauses; returns (16 kHz float32 audio, truth)."""
    sentences = sentences or SENTENCES[:3]
    if pauses_s is None:
        pauses_s = [1.0] * (len(sentences) - 1)
    assert len(pauses_s) == len(sentences) - 1
    parts = [np.zeros(int(lead_s * SR), np.float32)]
    truth = SpeechTruth(duration_s=0.0)
    t = lead_s
    for i, (text, syl) in enumerate(sentences):
        x = espeak(text, wpm=wpm, voice=voice)
        x = 0.5 * x / float(np.abs(x).max())
        parts.append(x)
        truth.segments.append((t, t + len(x) / SR))
        t += len(x) / SR
        truth.syllables += syl
        truth.words += len(text.split())
        if i < len(pauses_s):
            n = int(pauses_s[i] * SR)
            parts.append(np.zeros(n, np.float32))
            t += n / SR
    parts.append(np.zeros(int(tail_s * SR), np.float32))
    audio = np.concatenate(parts)
    truth.duration_s = len(audio) / SR
    truth.text = " ".join(s for s, _ in sentences)
    return audio, truth


def fit_audio(audio: np.ndarray, duration_s: float) -> np.ndarray:
    """Pad with silence or cut to exactly ``duration_s``."""
    n = int(round(duration_s * SR))
    if len(audio) >= n:
        return audio[:n]
    return np.concatenate([audio, np.zeros(n - len(audio), np.float32)])


def long_answer(seconds: float, *, wpm: int = 150) -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """A long answer: the six sentences two by two (0.8 s apart, about 1 s between pairs), over and over, cut
    at ``seconds``. Returns (audio, [(start_s, end_s, sentence)] of every sentence that starts before the cut)."""
    parts, said, total, i = [], [], 0.0, 0
    while total < seconds:
        pair = SENTENCES[i % 6 : i % 6 + 2]
        audio, truth = speech_answer(wpm=wpm, sentences=pair, pauses_s=[0.8], lead_s=0.3, tail_s=0.7)
        said += [(total + a, total + b, text) for (a, b), (text, _) in zip(truth.segments, pair) if total + a < seconds]
        parts.append(audio)
        total += truth.duration_s
        i += 2
    return fit_audio(np.concatenate(parts), seconds), said


def music(seconds: float = 8.0, bpm: float = 120.0, seed: int = 0) -> np.ndarray:
    """Instrumental music: plucked notes with harmonics (a C-major arpeggio) on every beat and a noise-burst
    drum on every other one. Pitched and rhythmic like speech, but not speech."""
    n_total = int(seconds * SR)
    out = np.zeros(n_total)
    notes = (261.6, 329.6, 392.0, 523.3, 392.0, 329.6)
    beat = 60.0 / bpm
    rng = np.random.default_rng(seed)
    n = int(beat * SR)
    tt = np.arange(n) / SR
    for i in range(int(seconds / beat)):
        s = int(i * beat * SR)
        f = notes[i % len(notes)]
        tone = sum(np.sin(2 * np.pi * f * k * tt) / k for k in range(1, 6)) * np.exp(-4 * tt)
        out[s : s + n] += 0.2 * tone[: n_total - s]
        if i % 2 == 0:
            m = min(int(0.05 * SR), n_total - s)
            out[s : s + m] += 0.3 * rng.standard_normal(m) * np.exp(-60 * np.arange(m) / SR)
    return (out / max(np.abs(out).max(), 1e-9) * 0.8).astype(np.float32)


def astronaut_frame(width: int = 640, height: int = 480) -> np.ndarray:
    """A smiling real face (scikit-image's bundled photo) centred on a plain background, RGB uint8."""
    import cv2
    from skimage import data

    img = data.astronaut()
    side = min(height, width)
    face = cv2.resize(img, (side, side), interpolation=cv2.INTER_AREA)
    frame = np.empty((height, width, 3), np.uint8)
    frame[:] = (90, 120, 150)
    x0, y0 = (width - side) // 2, (height - side) // 2
    frame[y0 : y0 + side, x0 : x0 + side] = face
    return frame


def background_frame(width: int = 640, height: int = 480) -> np.ndarray:
    """A textured frame with no face."""
    yy, xx = np.mgrid[0:height, 0:width]
    frame = np.empty((height, width, 3), np.uint8)
    frame[..., 0] = (xx * 255 // max(width - 1, 1)).astype(np.uint8)
    frame[..., 1] = (yy * 255 // max(height - 1, 1)).astype(np.uint8)
    frame[..., 2] = 128
    return frame


def shifted(frame: np.ndarray, dx: int, fill: np.ndarray | None = None) -> np.ndarray:
    """Move the picture ``dx`` pixels sideways (the face leaves the frame as |dx| grows)."""
    out = np.empty_like(frame) if fill is None else fill.copy()
    if fill is None:
        out[:] = (90, 120, 150)
    w = frame.shape[1]
    if dx >= 0:
        out[:, dx:] = frame[:, : w - dx] if dx < w else out[:, dx:]
    else:
        out[:, : w + dx] = frame[:, -dx:]
    return out


def rotated(frame: np.ndarray, degrees: float) -> np.ndarray:
    import cv2

    h, w = frame.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(frame, m, (w, h), borderValue=(90, 120, 150))


def write_media(
    path: str | Path,
    *,
    audio: np.ndarray | None,
    frames=None,
    fps: int = 30,
    n_frames: int | None = None,
    width: int = 640,
    height: int = 480,
    container: str | None = None,
    vcodec: str | None = None,
    acodec: str | None = None,
    options: dict | None = None,
    frame_times: list[float] | None = None,
) -> Path:
    """Encode 16 kHz mono float audio and/or video frames with PyAV.

    ``frames`` is a callable ``f(index, t_seconds) -> RGB uint8 array`` (called ``n_frames`` times), so a
    one-minute video never sits in memory whole. Container and codecs follow the file suffix: .webm →
    VP8 + Opus (as browsers record), .mp4 → H.264 + AAC, .wav → PCM. ``options`` go to the muxer (e.g.
    ``{"live": "1"}`` for a WebM without duration, ``{"movflags": "frag_keyframe+empty_moov"}`` for
    fragmented MP4); ``frame_times`` (seconds) make a variable-frame-rate video.
    """
    import av

    path = Path(path)
    suffix = path.suffix.lower()
    if vcodec is None:
        vcodec = {"webm": "libvpx", "mkv": "libvpx"}.get(suffix[1:], "libx264")
    if acodec is None:
        acodec = {".webm": "libopus", ".mkv": "libopus", ".wav": "pcm_s16le", ".ogg": "libopus"}.get(suffix, "aac")
    out = av.open(str(path), "w", format=container, options=options or {})
    vs = as_ = None
    if frames is not None:
        vs = out.add_stream(vcodec, rate=fps)
        vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
        if vcodec == "libvpx":
            vs.bit_rate = 1_000_000
            vs.options = {"deadline": "realtime", "cpu-used": "8"}
        elif vcodec == "libx264":
            vs.options = {"preset": "ultrafast"}
    rate = 48000 if acodec == "libopus" else (44100 if acodec == "aac" else SR)
    if audio is not None:
        as_ = out.add_stream(acodec, rate=rate)
        as_.layout = "mono"
    if vs is not None:
        if frame_times is not None:
            n = len(frame_times)
            vs.codec_context.time_base = Fraction(1, 1000)
        else:
            n = n_frames if n_frames is not None else int(round(len(audio) / SR * fps))
        for i in range(n):
            t = frame_times[i] if frame_times is not None else i / fps
            img = np.ascontiguousarray(frames(i, t))
            vf = av.VideoFrame.from_ndarray(img, format="rgb24")
            if frame_times is not None:
                vf.pts = int(round(t * 1000))
                vf.time_base = Fraction(1, 1000)
            else:
                vf.pts = i
                vf.time_base = Fraction(1, fps)
            for p in vs.encode(vf):
                out.mux(p)
        for p in vs.encode(None):
            out.mux(p)
    if as_ is not None:
        from scipy.signal import resample_poly

        x = resample_poly(audio.astype(np.float64), rate, SR) if rate != SR else audio
        pcm = (np.clip(x, -1, 1) * 32767).astype(np.int16)
        step = 960 if acodec == "libopus" else 1024
        resampler = av.AudioResampler(format=as_.format.name, layout="mono", rate=rate)
        for i in range(0, len(pcm), step * 50):
            af = av.AudioFrame.from_ndarray(pcm[None, i : i + step * 50], format="s16", layout="mono")
            af.sample_rate = rate
            af.pts = i
            af.time_base = Fraction(1, rate)
            for rf in resampler.resample(af):
                for p in as_.encode(rf):
                    out.mux(p)
        for rf in resampler.resample(None):
            for p in as_.encode(rf):
                out.mux(p)
        for p in as_.encode(None):
            out.mux(p)
    out.close()
    return path


def face_scenes(*, absent: tuple[float, float], turned: tuple[float, float], wobble_px: int = 0):
    """``frames(i, t)`` for ``write_media``: the smiling astronaut, out of the picture during ``absent`` and
    with her head turned 45° during ``turned`` (seconds), moving ``wobble_px`` sideways otherwise."""
    base = astronaut_frame()
    away = turned_face(base, yaw_deg=45)
    empty = shifted(base, base.shape[1])

    def frames(i, t):
        if absent[0] <= t < absent[1]:
            return empty
        if turned[0] <= t < turned[1]:
            return away
        dx = int(round(wobble_px * np.sin(t * 1.3)))
        return shifted(base, dx) if dx else base

    return frames


def turned_face(frame: np.ndarray, yaw_deg: float = 0.0, pitch_deg: float = 0.0) -> np.ndarray:
    """The same photo with the head turned in 3D: the face's own landmarks (MediaPipe, with depth) are
    rotated about the head's centre and the picture is warped piecewise-affinely onto them. Not a
    photograph of a turned head, but a head pose the landmark model reads as turned (yaw 45° reads as
    about 27°), which is what the look-away test needs."""
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision
    from skimage.transform import PiecewiseAffineTransform, warp

    from .face import _quiet_mediapipe, face_model_path

    _quiet_mediapipe()
    h, w = frame.shape[:2]
    opts = vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=face_model_path()),
        running_mode=vision.RunningMode.IMAGE,
        num_faces=1,
    )
    with vision.FaceLandmarker.create_from_options(opts) as lm:
        r = lm.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(frame)))
    if not r.face_landmarks:
        raise ValueError("no face in the frame to turn")
    pts = np.array([[p.x * w, p.y * h, p.z * w] for p in r.face_landmarks[0]])
    c = pts.mean(0)
    a, b = np.radians(yaw_deg), np.radians(pitch_deg)
    q = pts - c
    x = q[:, 0] * np.cos(a) + q[:, 2] * np.sin(a)
    z = -q[:, 0] * np.sin(a) + q[:, 2] * np.cos(a)
    y = q[:, 1] * np.cos(b) - z * np.sin(b)
    src = pts[:, :2]
    dst = np.stack([x + c[0], y + c[1]], 1)
    (x0, y0), (x1, y1) = src.min(0), src.max(0)
    mx, my = (x1 - x0) * 0.35, (y1 - y0) * 0.35
    ring = [[xx, yy] for xx in np.linspace(x0 - mx, x1 + mx, 8) for yy in (y0 - my, y1 + my)]
    ring += [[xx, yy] for yy in np.linspace(y0 - my, y1 + my, 8) for xx in (x0 - mx, x1 + mx)]
    ring += [[0, 0], [w - 1, 0], [0, h - 1], [w - 1, h - 1]]
    t = PiecewiseAffineTransform.from_estimate(np.vstack([dst, ring]), np.vstack([src, ring]))
    return warp(frame, t, output_shape=(h, w), preserve_range=True).astype(np.uint8)
