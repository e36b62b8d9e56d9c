"""Reading facts of a stored answer with PyAV (browser WebM has no duration in its header: the duration comes
from the packets' timestamps). Video is not decoded; audio is (Opus decodes at hundreds of times real time), so an
answer whose sound cannot be decoded is known before it is accepted."""

from __future__ import annotations

import av


class NotMediaError(Exception):
    pass


def probe(fileobj) -> dict:
    try:
        container = av.open(fileobj, mode="r")
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise NotMediaError(str(exc)) from exc
    try:
        streams = [s for s in container.streams if s.type in ("audio", "video")]
        if not streams:
            raise NotMediaError("no audio or video stream")
        first, last, audio_s = None, 0.0, 0.0
        packets = container.demux(*streams)
        while True:
            try:
                packet = next(packets)
            except StopIteration:
                break
            except av.FFmpegError:
                break  # a recording cut off mid-piece (a crash, a reload): what came before it still counts
            if packet.pts is None or packet.time_base is None:
                continue
            start = float(packet.pts * packet.time_base)
            end = start + float((packet.duration or 0) * packet.time_base)
            first = start if first is None else min(first, start)
            last = max(last, end)
            if packet.stream.type == "audio":
                audio_s += _decoded_seconds(packet)
        facts = {
            "format": container.format.name,
            "streams": [
                {"type": s.type, "codec": s.codec_context.name,
                 **({"width": s.codec_context.width, "height": s.codec_context.height} if s.type == "video" else {}),
                 **({"sample_rate": s.codec_context.sample_rate} if s.type == "audio" else {})}
                for s in streams
            ],
        }
        facts["duration_s"] = round(max(0.0, last - (first or 0.0)), 3)
        facts["has_video"] = any(s.type == "video" for s in streams)
        facts["has_audio"] = any(s.type == "audio" for s in streams)
        facts["audio_s"] = round(audio_s, 3)  # audio that actually decodes (a stream can be declared and hold nothing)
        return facts
    except av.FFmpegError as exc:
        raise NotMediaError(str(exc)) from exc
    finally:
        container.close()


def _decoded_seconds(packet) -> float:
    try:
        frames = packet.decode()
    except (av.FFmpegError, ValueError):
        return 0.0
    return sum(frame.samples / frame.sample_rate for frame in frames if frame.sample_rate)
