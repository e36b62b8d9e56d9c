"""Reading facts of a stored answer with PyAV (browser WebM has no duration in its header: the duration comes
from the packets' timestamps). Video is not decoded; audio is (Opus decodes at hundreds of times real time), so an
answer whose sound cannot be decoded is known before it is accepted."""

from __future__ import annotations

from fractions import Fraction

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


class JoinError(Exception):
    """Parts that cannot be joined without re-encoding (``code``: "parts_differ" or "not_media")."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(detail or code)
        self.code = code


def _signature(stream) -> tuple:
    ctx = stream.codec_context
    if stream.type == "video":
        return ("video", ctx.name, ctx.width, ctx.height)
    return ("audio", ctx.name, ctx.sample_rate, ctx.channels)


def join_parts(parts: list, out, *, format: str = "webm") -> None:
    """Join recordings made one after the other (a take continued after an interruption: each part a whole file from
    a new MediaRecorder) into one file, copying packets (no re-encoding). Each part's timestamps are shifted to follow
    the end of what came before, keeping the part's own audio/video alignment. The parts must hold the same streams
    with the same codecs and sizes, else ``JoinError("parts_differ")``. A part cut off mid-piece (a crash) counts up
    to its last whole packet, as in ``probe``."""
    inputs = []
    try:
        for part in parts:
            try:
                inputs.append(av.open(part, mode="r"))
            except (av.FFmpegError, ValueError, OSError) as exc:
                raise JoinError("not_media", str(exc)) from exc
        layouts = [sorted(_signature(s) for s in c.streams if s.type in ("audio", "video")) for c in inputs]
        if not layouts[0]:
            raise JoinError("not_media", "no audio or video stream")
        if any(layout != layouts[0] for layout in layouts[1:]):
            raise JoinError("parts_differ", f"{layouts}")
        with av.open(out, mode="w", format=format) as output:
            first = inputs[0]
            targets = {}
            for stream in first.streams:
                if stream.type in ("audio", "video"):
                    targets[_signature(stream)] = output.add_stream_from_template(stream)
            cursor = Fraction(0)  # where the next part starts, in seconds
            for container in inputs:
                streams = [s for s in container.streams if s.type in ("audio", "video")]
                packets = []
                packet_iter = container.demux(*streams)
                while True:
                    try:
                        packet = next(packet_iter)
                    except StopIteration:
                        break
                    except av.FFmpegError:
                        break  # cut off mid-piece: what came before counts
                    if packet.pts is None or packet.size == 0:
                        continue
                    packets.append(packet)
                if not packets:
                    continue
                start = min(Fraction(p.pts) * p.time_base for p in packets)
                end = cursor
                for packet in packets:
                    base = packet.time_base
                    shift = round((cursor - start) / base)
                    pts_s = Fraction(packet.pts) * base
                    packet.pts += shift
                    packet.dts = packet.pts if packet.dts is None else packet.dts + shift
                    end = max(end, cursor + pts_s - start + Fraction(packet.duration or 0) * base)
                    packet.stream = targets[_signature(packet.stream)]
                    output.mux(packet)
                cursor = end
    finally:
        for container in inputs:
            container.close()
