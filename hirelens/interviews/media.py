"""Reading facts of a stored answer with PyAV, without decoding frames (browser WebM has no duration
in its header: the duration comes from the packets' timestamps)."""

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
        first, last = None, 0.0
        for packet in container.demux(*streams):
            if packet.pts is None or packet.time_base is None:
                continue
            start = float(packet.pts * packet.time_base)
            end = start + float((packet.duration or 0) * packet.time_base)
            first = start if first is None else min(first, start)
            last = max(last, end)
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
        return facts
    except av.FFmpegError as exc:
        raise NotMediaError(str(exc)) from exc
    finally:
        container.close()
