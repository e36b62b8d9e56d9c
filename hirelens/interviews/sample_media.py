"""Sample media generated on the spot (tests and demo data; nothing is downloaded): WebM (VP8 + Opus) with PyAV, Y4M video and espeak-ng
WAV for Chromium's fake camera and microphone."""

from __future__ import annotations

import io
import subprocess
from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def webm_bytes(seconds: float = 4.0, *, video: bool = True, fps: int = 15, size=(160, 120), noise: bool = False) -> bytes:
    """A WebM like a browser makes; ``noise`` makes frames hard to compress (realistic sizes for load tests)."""
    rng = np.random.default_rng(7)
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="webm") as container:
        vstream = None
        if video:
            vstream = container.add_stream("libvpx", rate=fps)
            vstream.width, vstream.height = size
            vstream.pix_fmt = "yuv420p"
        astream = container.add_stream("libopus", rate=48000)
        astream.layout = "mono"
        if vstream is not None:
            for i in range(int(seconds * fps)):
                frame_data = (rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8) if noise
                              else np.full((size[1], size[0], 3), (i * 7) % 255, dtype=np.uint8))
                frame = av.VideoFrame.from_ndarray(frame_data, format="rgb24")
                frame.pts = i
                frame.time_base = Fraction(1, fps)
                for packet in vstream.encode(frame):
                    container.mux(packet)
            for packet in vstream.encode():
                container.mux(packet)
        samples = int(seconds * 48000)
        t = np.arange(samples) / 48000
        tone = (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
        step = 960
        for start in range(0, samples, step):
            piece = tone[start:start + step]
            if len(piece) < step:
                piece = np.pad(piece, (0, step - len(piece)))
            frame = av.AudioFrame.from_ndarray(piece.reshape(1, -1), format="flt", layout="mono")
            frame.sample_rate = 48000
            frame.pts = start
            frame.time_base = Fraction(1, 48000)
            for packet in astream.encode(frame):
                container.mux(packet)
        for packet in astream.encode():
            container.mux(packet)
    return buffer.getvalue()


def y4m_file(path: Path, seconds: int = 3, fps: int = 15, size=(320, 240)) -> Path:
    """A moving gradient as YUV4MPEG2 (what Chromium's fake camera reads)."""
    width, height = size
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        rows, cols = np.indices((height, width))
        for i in range(seconds * fps):
            y = ((rows + cols + i * 4) % 256).astype(np.uint8)
            u = np.full((height // 2, width // 2), 128, np.uint8)
            v = np.full((height // 2, width // 2), 128, np.uint8)
            out.write(b"FRAME\n" + y.tobytes() + u.tobytes() + v.tobytes())
    return path


def speech_wav(path: Path, text: str = "Hello, I enjoy teamwork and talking with customers.") -> Path:
    subprocess.run(["espeak-ng", "-v", "en", "-s", "150", "-w", str(path), text], check=True, capture_output=True)
    return path


def speech_webm(folder: Path, text: str, *, voice: str = "en") -> bytes:
    """espeak-ng speech muxed into a browser-like WebM (Opus) with PyAV."""
    wav = speech_wav(folder / "speech.wav", text) if voice == "en" else _speech_wav_voice(folder / "speech.wav", text, voice)
    out = folder / "speech.webm"
    with av.open(str(wav)) as source, av.open(str(out), "w", format="webm") as target:
        stream = target.add_stream("libopus", rate=48000)
        stream.layout = "mono"
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48000)
        for frame in source.decode(audio=0):
            for piece in resampler.resample(frame):
                for packet in stream.encode(piece):
                    target.mux(packet)
        for packet in stream.encode():
            target.mux(packet)
    return out.read_bytes()


def _speech_wav_voice(path: Path, text: str, voice: str) -> Path:
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), text], check=True, capture_output=True)
    return path


def face_webm(path: Path, text: str, *, seconds: float = 12.0, fps: int = 15) -> Path:
    """A video answer like a webcam's (VP8 + Opus): a real smiling face (scikit-image's astronaut photo) that
    moves a little, turns her head away for 1.5 s and leaves the picture for 1.5 s, over espeak-ng speech of
    ``text`` (silence where espeak-ng is not installed). For the demo and the HR page's browser test."""
    import shutil as _shutil

    from analysis import synth

    audio = np.zeros(int(seconds * synth.SR), np.float32)
    if _shutil.which("espeak-ng"):
        audio = synth.fit_audio(np.concatenate([np.zeros(synth.SR // 2, np.float32), synth.espeak(text, wpm=150)]), seconds)
    frames = synth.face_scenes(absent=(8.0, 9.5), turned=(4.0, 5.5), wobble_px=5)
    return synth.write_media(path, audio=audio, frames=frames, fps=fps, n_frames=int(seconds * fps))
