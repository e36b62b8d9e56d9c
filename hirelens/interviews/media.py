"""Reading facts of a stored answer with PyAV (browser WebM has no duration in its header: the duration comes
from the packets' timestamps). Video is not decoded; audio is (Opus decodes at hundreds of times real time), so an
answer whose sound cannot be decoded is known before it is accepted.

``probe`` reads every packet and decodes all the audio (live recordings, a continued take's parts). ``probe_quick``
is what finishing an answer uses, inside the candidate's request: its cost does not grow with the recording — the
container's header, the first packets (the first ``HEAD_AUDIO_S`` seconds of audio decoded: the sound decodes) and,
for WebM/Matroska and fragmented MP4 (Safari's MediaRecorder), the last clusters or fragments read from the end of the
file (the last timestamps: the duration). Audio that
stops decoding later in a long answer is found by the analysis, which decodes everything (its report warns HR:
``decode_errors``, ``truncated``; "recording damaged" when nothing decodes)."""

from __future__ import annotations

import io
import math
from fractions import Fraction

import av

HEAD_PACKETS = 1000  # at most this many packets read from the start (about 12 s of a MediaRecorder WebM)
HEAD_AUDIO_S = 3.0  # audio decoded from the start of the answer (all of it in a shorter answer)
TAIL_BYTES = 256 * 1024  # the end of the file read for the last timestamps (doubled up to TAIL_MAX_BYTES until
TAIL_MAX_BYTES = 4 << 20  # it holds the start of a cluster: a few seconds of a browser's WebM)
HEADER_BYTES = 64 * 1024  # where the first cluster must start (a browser's WebM header is well under 1 KB)
_CLUSTER = b"\x1f\x43\xb6\x75"  # Matroska's Cluster element ID
_TIMECODE = 0xE7  # a Cluster's first child: its timestamp
_MOOF, _MFHD = b"moof", b"mfhd"  # a fragmented MP4's fragment box and its first child (the fragment's number)


class NotMediaError(Exception):
    pass


def probe(fileobj) -> dict:
    """Every packet read and all the audio decoded (live recordings, a continued take's parts): ``probe_quick`` with
    no bound, so both give their facts by one reading of the packets."""
    return probe_quick(fileobj, head_packets=math.inf, head_audio_s=math.inf)


def _facts(container, streams, *, first, last, audio_s) -> dict:
    return {
        "format": container.format.name,
        "streams": [
            {"type": s.type, "codec": s.codec_context.name,
             **({"width": s.codec_context.width, "height": s.codec_context.height} if s.type == "video" else {}),
             **({"sample_rate": s.codec_context.sample_rate} if s.type == "audio" else {})}
            for s in streams
        ],
        "duration_s": round(max(0.0, last - (first or 0.0)), 3),
        "has_video": any(s.type == "video" for s in streams),
        "has_audio": any(s.type == "audio" for s in streams),
        "audio_s": round(audio_s, 3),  # audio that actually decodes (a stream can be declared and hold nothing)
    }


def _readable(packets):
    """The packets of a demuxer up to its end or the first damaged one: a recording cut off mid-piece (a crash, a
    reload) still counts for what came before it."""
    while True:
        try:
            yield next(packets)
        except (StopIteration, av.FFmpegError):
            return


def _span(packet) -> tuple[float, float] | None:
    if packet.pts is None or packet.time_base is None:
        return None
    start = float(packet.pts * packet.time_base)
    return start, start + float((packet.duration or 0) * packet.time_base)


def probe_quick(fileobj, *, head_packets: int = HEAD_PACKETS, head_audio_s: float = HEAD_AUDIO_S,
                tail_bytes: int = TAIL_BYTES) -> dict:
    """``probe``'s facts at a cost bounded by the constants above, not by the recording: the header; the packets from
    the start until ``head_audio_s`` of audio (decoded: ``audio_s`` is the audio that decodes there, all of it in a
    shorter answer) or ``head_packets``; the end of the file (a seekable ``fileobj``: the stored file decrypts from
    any chunk) for the last timestamps. A WebM/Matroska's last ``tail_bytes`` are read from the first Cluster found
    there, behind the file's own header (its tracks), so the demuxer gives those clusters' absolute timestamps; a
    fragmented MP4's (Safari) from the first fragment there, behind its ``ftyp`` + ``moov`` (each fragment says where
    it starts: ``tfdt``). When that cannot be done (another container, a file not seekable, no cluster or fragment
    found) the remaining packets are read for their timestamps only, nothing decoded: still cheaper than ``probe``. ``duration_s`` is the same as ``probe``'s."""
    container = _open(fileobj, sequential=math.isfinite(head_packets) and _is_fragmented_mp4(fileobj))
    try:
        streams = [s for s in container.streams if s.type in ("audio", "video")]
        if not streams:
            raise NotMediaError("no audio or video stream")
        first, last, audio_s, audio_start, count, ended = None, 0.0, 0.0, None, 0, True
        frame_s: dict[int, float] = {}  # each stream's last packet duration: for a packet in the tail without one
        packets = _readable(container.demux(*streams))
        for packet in packets:
            span = _span(packet)
            if span is None:
                continue
            first = span[0] if first is None else min(first, span[0])
            last = max(last, span[1])
            if span[1] > span[0]:
                frame_s[packet.stream.index] = span[1] - span[0]
            if packet.stream.type == "audio":
                audio_start = span[0] if audio_start is None else audio_start
                audio_s += _decoded_seconds(packet)
            count += 1
            if count >= head_packets or (audio_start is not None and span[0] - audio_start >= head_audio_s):
                ended = False
                break
        if not ended:
            for stream in streams:  # a video packet's duration: the frame rate the demuxer saw, if no packet had one
                rate = stream.guessed_rate if stream.type == "video" else None
                if rate and stream.index not in frame_s and stream.time_base:  # rounded down, as libavformat does
                    frame_s[stream.index] = float(int(1 / (rate * stream.time_base)) * stream.time_base)
            tail = _tail_last(fileobj, container.format.name, tail_bytes, frame_s=frame_s)
            if tail is not None:
                last = max(last, tail)
            else:  # the rest for its timestamps only
                for packet in packets:
                    span = _span(packet)
                    if span is not None:
                        last = max(last, span[1])
        return _facts(container, streams, first=first, last=last, audio_s=audio_s)
    except av.FFmpegError as exc:
        raise NotMediaError(str(exc)) from exc
    finally:
        container.close()


class _Sequential:
    """A file read front to back only: FFmpeg's MP4 demuxer, given a seekable fragmented MP4, reads every fragment's
    header when it opens the file (all of it, for a 3-minute answer); read in order it stops where the packets do."""

    def __init__(self, fileobj):
        self.read = fileobj.read


def _is_fragmented_mp4(fileobj) -> bool:
    """A fragmented MP4 (its first box is ``ftyp`` and its header announces fragments: ``mvex``), told without moving
    the file's position. An MP4 whose index comes at its end (not fragmented) is not read in order: its packets are
    found by seeking back."""
    try:
        if not fileobj.seekable():
            return False
        position = fileobj.tell()
        head = _read_all(fileobj, HEADER_BYTES)
        fileobj.seek(position)
    except (AttributeError, OSError, ValueError):
        return False
    return head[4:8] == b"ftyp" and b"mvex" in head


def _open(fileobj, *, sequential: bool):
    """The demuxer; ``sequential``: reading the file in order (if that cannot open it, it is opened again the usual
    way)."""
    if sequential:
        position = fileobj.tell()
        try:
            return av.open(_Sequential(fileobj), mode="r")
        except (av.FFmpegError, ValueError, OSError):
            fileobj.seek(position)
    try:
        return av.open(fileobj, mode="r")
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise NotMediaError(str(exc)) from exc


def _clusters(data: bytes, start: int = 0):
    """Offsets of what looks like a Matroska Cluster in ``data``: its ID, a size, then its Timecode element."""
    at = data.find(_CLUSTER, start)
    while at >= 0:
        size_at = at + len(_CLUSTER)
        if size_at < len(data) and data[size_at]:
            width = 9 - data[size_at].bit_length()  # an EBML size: its first byte's leading zeros give its length
            if size_at + width < len(data) and data[size_at + width] == _TIMECODE:
                yield at
        at = data.find(_CLUSTER, at + 1)


def _read_all(fileobj, size: int) -> bytes:
    parts = []
    while size > 0:
        piece = fileobj.read(size)
        if not piece:
            break
        parts.append(piece)
        size -= len(piece)
    return b"".join(parts)


def _fragments(data: bytes, start: int = 0):
    """Offsets of what looks like a fragmented MP4's fragment in ``data``: a ``moof`` box (its size, then its type)
    whose first child is ``mfhd``."""
    at = data.find(_MOOF, start + 4)
    while at >= 0:
        box = at - 4
        if int.from_bytes(data[box:at], "big") >= 24 and data[at + 8 : at + 12] == _MFHD:
            yield box
        at = data.find(_MOOF, at + 1)


def _pieces_of(format_name: str):
    """What marks where the header ends and a piece of the stream starts, and the demuxer that reads them."""
    if "matroska" in format_name or "webm" in format_name:
        return _clusters, "matroska"
    if "mp4" in format_name:
        return _fragments, "mp4"
    return None


def _tail_last(fileobj, format_name: str, tail_bytes: int, *, frame_s: dict[int, float], tries: int = 8) -> float | None:
    """The end of the last packet of a WebM/Matroska or fragmented MP4 file, demuxed from the first cluster or
    fragment that starts in its last ``tail_bytes`` (the window doubled up to ``TAIL_MAX_BYTES`` until one does),
    behind the file's header. None when not found that way (an MP4 that is not fragmented: its index is read with the
    packets). The file's position is put back for the demuxer that reads it."""
    kind = _pieces_of(format_name)
    if kind is None:
        return None
    find, demuxer = kind
    try:
        if not fileobj.seekable():
            return None
        position = fileobj.tell()
    except (AttributeError, OSError, ValueError):
        return None
    try:
        size = fileobj.seek(0, io.SEEK_END)
        fileobj.seek(0)
        head = _read_all(fileobj, HEADER_BYTES)
        header_end = next(find(head), None)
        if header_end is None:
            return None
        window = tail_bytes
        while True:
            start = max(header_end, size - window)
            fileobj.seek(start)
            tail = _read_all(fileobj, size - start)
            found = list(find(tail))
            if found or start == header_end or window >= max(tail_bytes, TAIL_MAX_BYTES):
                break
            window *= 2
    except (OSError, ValueError):
        return None
    finally:
        fileobj.seek(position)
    for at in found[:tries]:
        last = _last_end(head[:header_end] + tail[at:], frame_s, demuxer)
        if last is not None:
            return last
    return None


def _last_end(data: bytes, frame_s: dict[int, float], demuxer: str) -> float | None:
    """The end of the last packet demuxed from ``data`` (a header and clusters or fragments). A packet without a
    duration (the demuxer estimates a frame's from the frame rate it saw, and a few clusters are too few for it) lasts
    as long as the stream's packets at the start (``frame_s``), as it does in ``probe``."""
    try:
        container = av.open(io.BytesIO(data), mode="r", format=demuxer)
    except (av.FFmpegError, ValueError, OSError):
        return None
    last = None
    try:
        streams = [s for s in container.streams if s.type in ("audio", "video")]
        for packet in _readable(container.demux(*streams)):
            span = _span(packet)
            if span is not None and packet.size:
                end = span[1] if span[1] > span[0] else span[0] + frame_s.get(packet.stream.index, 0.0)
                last = end if last is None else max(last, end)
    finally:
        container.close()
    return last


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
