"""Opening and streaming a recording with PyAV (no ffmpeg binary).

One pass over the file: audio is resampled to 16 kHz mono float32 and handed out in blocks; video frames
are decoded only when the caller asks for video, and converted to RGB (downscaled) only at the sampling
rate the caller wants. Times come from frame timestamps, not from the container's duration (browser WebM
has none).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .errors import (
    CorruptMediaError,
    EmptyMediaError,
    MediaNotFoundError,
    NoStreamsError,
    UnsupportedMediaError,
)
from .report import MediaInfo

SR = 16000
MAX_SIDE = 640  # frames are downscaled so that their longer side is at most this (4K input included)


@dataclass
class AudioBlock:
    start_s: float
    samples: np.ndarray  # float32 mono 16 kHz


@dataclass
class VideoSample:
    t_s: float
    rgb: np.ndarray  # H x W x 3 uint8


def _open(path: str):
    import av

    if not os.path.exists(path):
        raise MediaNotFoundError(f"no such file: {path}")
    if os.path.getsize(path) == 0:
        raise EmptyMediaError("the file is empty (0 bytes)")
    try:
        return av.open(path, metadata_errors="ignore")
    except av.error.InvalidDataError as exc:
        raise UnsupportedMediaError(f"not a recognised media file: {exc}") from exc
    except (av.error.FFmpegError, OSError) as exc:
        raise CorruptMediaError(f"cannot open media: {exc}") from exc


def probe(path: str) -> MediaInfo:
    """Stream facts from the headers, without decoding."""
    with _open(path) as c:
        return _info(c, path)


def _info(c, path: str) -> MediaInfo:
    a = c.streams.audio[0] if c.streams.audio else None
    v = c.streams.video[0] if c.streams.video else None
    info = MediaInfo(
        container=c.format.name,
        has_audio=a is not None,
        has_video=v is not None,
        size_bytes=os.path.getsize(path),
    )
    if c.duration:
        info.duration_s = c.duration / 1_000_000
    if a is not None:
        info.audio_codec = a.codec_context.name
    if v is not None:
        info.video_codec = v.codec_context.name
        info.width, info.height = v.codec_context.width or None, v.codec_context.height or None
        rate = v.average_rate or v.guessed_rate
        info.fps = float(rate) if rate else None
    return info


def _scaled_size(w: int, h: int) -> tuple[int, int]:
    s = min(1.0, MAX_SIDE / max(w, h))
    return max(2, int(round(w * s / 2)) * 2), max(2, int(round(h * s / 2)) * 2)


class MediaStream:
    """Iterate ``("audio", AudioBlock)`` and ``("video", VideoSample)`` items in file order.

    ``video_fps=None`` means video is not decoded at all (its packets are not even handed to a decoder).
    ``decode_errors`` counts packets that failed to decode and were skipped (damaged data mid-file).
    """

    def __init__(self, path: str, *, video_fps: float | None, want_audio: bool = True):
        self.path = path
        self.container = _open(path)
        self.info = _info(self.container, path)
        if not self.info.has_audio and not self.info.has_video:
            self.container.close()
            raise NoStreamsError("the file has neither an audio nor a video stream")
        self.video_fps = video_fps if self.info.has_video else None
        self.want_audio = want_audio and self.info.has_audio
        self.decode_errors = 0
        self.audio_end_s = 0.0
        self.video_end_s = 0.0
        self.video_frames = 0
        self.audio_samples = 0

    def close(self) -> None:
        self.container.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __iter__(self) -> Iterator[tuple[str, object]]:
        import av

        c = self.container
        streams = []
        a = c.streams.audio[0] if self.want_audio else None
        v = c.streams.video[0] if self.video_fps else None
        if a is not None:
            streams.append(a)
        if v is not None:
            v.thread_type = "AUTO"
            streams.append(v)
        if not streams:
            return
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SR) if a is not None else None
        audio_origin: float | None = None
        next_sample_t = 0.0
        step = 1.0 / self.video_fps if self.video_fps else 0.0
        size = None
        try:
            packets = c.demux(streams)
            while True:
                try:
                    packet = next(packets)
                except StopIteration:
                    break
                except av.error.FFmpegError:
                    # damaged container data: stop here and report what was read
                    self.decode_errors += 1
                    break
                try:
                    frames = packet.decode()
                except (av.error.FFmpegError, ValueError):
                    self.decode_errors += 1
                    continue
                for frame in frames:
                    if packet.stream is a:
                        if audio_origin is None:
                            audio_origin = max(0.0, float(frame.time or 0.0))
                            if 0 < audio_origin < 30:
                                # audio starting late: keep the time axis by padding silence
                                pad = np.zeros(int(audio_origin * SR), np.float32)
                                self.audio_samples += len(pad)
                                yield "audio", AudioBlock(0.0, pad)
                        for rf in resampler.resample(frame):
                            x = rf.to_ndarray().reshape(-1)
                            start = self.audio_samples / SR
                            self.audio_samples += len(x)
                            self.audio_end_s = self.audio_samples / SR
                            yield "audio", AudioBlock(start, x)
                    else:
                        t = float(frame.time) if frame.time is not None else self.video_frames / (self.info.fps or 30)
                        self.video_frames += 1
                        self.video_end_s = max(self.video_end_s, t + 1.0 / (self.info.fps or 30))
                        if t + 1e-6 >= next_sample_t:
                            if size is None:
                                size = _scaled_size(frame.width, frame.height)
                            rgb = frame.to_ndarray(format="rgb24", width=size[0], height=size[1])
                            yield "video", VideoSample(t, rgb)
                            next_sample_t = max(next_sample_t + step, t + step * 0.5)
            if resampler is not None:
                try:
                    for rf in resampler.resample(None):
                        x = rf.to_ndarray().reshape(-1)
                        start = self.audio_samples / SR
                        self.audio_samples += len(x)
                        self.audio_end_s = self.audio_samples / SR
                        yield "audio", AudioBlock(start, x)
                except (av.error.FFmpegError, ValueError):
                    pass
        except av.error.InvalidDataError as exc:
            if self.audio_samples == 0 and self.video_frames == 0:
                raise CorruptMediaError(f"cannot decode: {exc}") from exc
            self.decode_errors += 1

    @property
    def decoded_duration_s(self) -> float:
        return max(self.audio_end_s, self.video_end_s)


def decode_only(path: str, *, video: bool = True) -> float:
    """Decode every audio and video frame and discard it (the benchmark's baseline). Returns seconds decoded."""
    import av

    c = _open(path)
    try:
        streams = list(c.streams.audio[:1]) + (list(c.streams.video[:1]) if video else [])
        for s in streams:
            s.thread_type = "AUTO"
        end = 0.0
        for packet in c.demux(streams):
            try:
                for frame in packet.decode():
                    if frame.time is not None:
                        end = max(end, float(frame.time))
            except av.error.FFmpegError:
                continue
        return end
    finally:
        c.close()
