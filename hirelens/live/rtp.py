"""The candidate's RTP forwarded by Janus (``rtp_forward``, the SFU path): received, decoded and fed to the live analysis.

``RtpReceiver`` binds two UDP ports (audio, video) for one room; Janus sends the candidate's Opus audio to one and
VP8 video to the other as plain RTP. Packets are put back in sequence order (a small jitter buffer), Opus is
decoded (one RTP packet = one Opus frame); VP8 is depacketized (RFC 7741 payload descriptor), frames assembled
on the marker bit and decoded (only when the room's analysis is biometric or recorded: a frame with a lost packet
is dropped and decoding waits for the next key frame). One thread per room reads the sockets and stamps each
datagram's arrival, another puts packets in order and decodes (the event loop is not involved: a busy one neither
delays nor misdates the media); the analysis resamples, feeds ``LiveSession``
(at most 5 fps of video, only with biometric consent) and records in its own threads.

The decoded frames go to the same per-room analysis glue as the aiortc server peer's (``media.RoomAnalysis``):
one ``LiveSession`` with the room's options, the media clock, the panel events published to the staff group
``live.<room_id>.staff`` as ``{"type": "room.event", "event": "panel", "payload": {"event": ..., "wall_ms": ...}}``,
and the recording (with the candidate's consent). ``janus.py`` ties them to a room (``janus_forward_candidate``,
``janus_room_end``).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import selectors
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import av

log = logging.getLogger(__name__)

SR = 16000
OPUS_RATE = 48000
VIDEO_RATE = 90000


def wall_ms() -> int:
    return int(time.time() * 1000)


# ---- RTP ------------------------------------------------------------------------------------------------


@dataclass
class RtpPacket:
    pt: int
    marker: bool
    seq: int
    ts: int
    ssrc: int
    payload: bytes
    arrived_ms: int = 0


def parse_rtp(data: bytes) -> RtpPacket | None:
    """An RTP packet (RFC 3550), or None for RTCP / anything else. CSRCs, the header extension and padding are skipped."""
    if len(data) < 12 or data[0] >> 6 != 2:
        return None
    b0, b1, seq, ts, ssrc = struct.unpack_from("!BBHII", data)
    pt = b1 & 0x7F
    if 72 <= pt <= 79:  # RTCP (SR/RR/... have these in the PT field when muxed)
        return None
    off = 12 + 4 * (b0 & 0x0F)
    if b0 & 0x10:  # header extension
        if len(data) < off + 4:
            return None
        (words,) = struct.unpack_from("!H", data, off + 2)
        off += 4 + 4 * words
    end = len(data)
    if b0 & 0x20 and end > off:  # padding
        end -= data[-1]
    if end < off:
        return None
    return RtpPacket(pt, bool(b1 & 0x80), seq, ts, ssrc, bytes(data[off:end]))


class Reorder:
    """Puts packets of one SSRC back in sequence order. A missing packet is waited for ``hold_ms`` at most (or
    until ``max_held`` later packets are held), then given up: the packets after it are released."""

    def __init__(self, *, hold_ms: int = 60, max_held: int = 50):
        self.hold_ms = hold_ms
        self.max_held = max_held
        self.expected: int | None = None  # extended sequence number
        self.held: dict[int, RtpPacket] = {}
        self.lost = 0
        self.late = 0

    def _extend(self, seq: int) -> int:
        if self.expected is None:
            return seq
        base = self.expected
        ext = (base & ~0xFFFF) | seq
        if ext < base - 0x8000:
            ext += 0x10000
        elif ext > base + 0x8000:
            ext -= 0x10000
        return ext

    def push(self, pkt: RtpPacket, now_ms: int) -> list[tuple[RtpPacket, int]]:
        """The packets now in order, each with the count of packets lost just before it."""
        ext = self._extend(pkt.seq)
        if self.expected is None:
            self.expected = ext
        if ext < self.expected:
            self.late += 1  # too late (already given up on) or a duplicate
            return []
        self.held.setdefault(ext, pkt)
        return self.release(now_ms)

    def release(self, now_ms: int) -> list[tuple[RtpPacket, int]]:
        out: list[tuple[RtpPacket, int]] = []
        while self.held:
            if self.expected in self.held:
                out.append((self.held.pop(self.expected), 0))
                self.expected += 1
                continue
            first = min(self.held)
            if len(self.held) >= self.max_held or now_ms - self.held[first].arrived_ms >= self.hold_ms:
                gap = first - self.expected
                self.lost += gap
                out.append((self.held.pop(first), gap))
                self.expected = first + 1
                continue
            break
        return out


# ---- VP8 (RFC 7741) ------------------------------------------------------------------------------------


def vp8_descriptor(payload: bytes) -> tuple[bool, int, bytes] | None:
    """(start of a partition, partition index, the VP8 data) of one RTP payload, or None when malformed."""
    if not payload:
        return None
    b = payload[0]
    x, s, pid = b & 0x80, b & 0x10, b & 0x07
    i = 1
    if x:
        if len(payload) < 2:
            return None
        ext = payload[1]
        i = 2
        if ext & 0x80:  # I: picture id, 7 or 15 bits
            if len(payload) <= i:
                return None
            i += 2 if payload[i] & 0x80 else 1
        if ext & 0x40:  # L: TL0PICIDX
            i += 1
        if ext & 0x20 or ext & 0x10:  # T or K: TID/Y/KEYIDX
            i += 1
    if i > len(payload):
        return None
    return bool(s), pid, payload[i:]


class Vp8Assembler:
    """Whole VP8 frames from in-order packets: a frame starts at S=1, PID=0 and ends on the marker bit. A frame
    with a packet lost is dropped, and the decoder then waits for the next key frame."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.ts: int | None = None
        self.broken = False

    def push(self, pkt: RtpPacket, lost_before: int) -> tuple[bytes, int] | None:
        d = vp8_descriptor(pkt.payload)
        if d is None:
            self.broken = True
            return None
        start, pid, data = d
        if lost_before:
            self.broken = True
        if start and pid == 0:
            self.parts, self.ts, self.broken = [data], pkt.ts, False
        elif self.ts is None or pkt.ts != self.ts:
            self.broken = True
            self.parts = []
        else:
            self.parts.append(data)
        if pkt.marker:
            frame, ok = b"".join(self.parts), not self.broken and self.parts
            self.parts, self.ts = [], None
            return (frame, pkt.ts) if ok else None
        return None


def vp8_is_key(frame: bytes) -> bool:
    return bool(frame) and not frame[0] & 0x01


# ---- the receiver -----------------------------------------------------------------------------------------


@dataclass
class RtpStats:
    audio_packets: int = 0
    video_packets: int = 0
    audio_lost: int = 0
    video_lost: int = 0
    audio_late: int = 0
    audio_frames_decoded: int = 0
    video_frames: int = 0
    video_frames_decoded: int = 0
    video_frames_dropped: int = 0
    decode_errors: int = 0
    key_frame_requests: int = 0
    ssrc_changes: int = 0
    other: dict[str, Any] = field(default_factory=dict)


def rtcp_pli(media_ssrc: int, sender_ssrc: int = 1) -> bytes:
    """An RTCP Picture Loss Indication (RFC 4585 PSFB, FMT 1): "send a key frame"."""
    return struct.pack("!BBHII", 0x81, 206, 2, sender_ssrc, media_ssrc)



class RtpReceiver:
    """Two UDP ports (audio, video) receiving one room's forwarded RTP, and the thread that puts it in order and
    decodes it. Decoded frames go to ``analysis`` (``media.RoomAnalysis``: ``new_track(kind)``, ``audio(track,
    frame, wall=)``, ``video(track, frame, wall=)``, ``biometric``, ``recorder``; it hands them to its own threads),
    as the aiortc server peer's do: the same media clock (gaps filled with silence), panel events, face analysis and
    recording. The sockets are read by a thread of their own, not the event loop: a busy loop (the room's
    signalling, Janus's requests) neither delays nor misdates the media. ``await start()`` binds (port 0: free
    ports); ``await close()`` stops receiving (the caller closes the analysis)."""

    def __init__(self, analysis, *, host: str = "127.0.0.1", audio_port: int = 0, video_port: int = 0):
        self.analysis = analysis
        self.host = host
        self._ports = {"audio": audio_port, "video": video_port, "rtcp": 0}
        #: where to send RTCP for the video (a PLI when a key frame is needed): Janus's forwarder RTCP socket
        #: (``local_rtcp_port`` of its rtp_forward answer); else whence its RTCP came
        self.rtcp_target: tuple[str, int] | None = None
        self._rtcp_source: tuple | None = None  # whence Janus's RTCP came
        self._pli_at = 0
        self.stats = RtpStats()
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._sockets: dict[str, socket.socket] = {}
        self._stop = threading.Event()
        self._reader: threading.Thread | None = None
        self._thread: threading.Thread | None = None
        # audio state (receiver thread)
        self._a_reorder = Reorder()
        self._a_ssrc: int | None = None
        self._a_track = None
        self._a_clock: dict = {}
        self._opus = None
        # video state
        self._v_reorder = Reorder(hold_ms=100, max_held=200)
        self._v_ssrc: int | None = None
        self._v_track = None
        self._v_clock: dict = {}
        self._vp8 = Vp8Assembler()
        self._v_dec = None
        self._v_need_key = True

    @property
    def audio_port(self) -> int:
        return self._ports["audio"]

    @property
    def video_port(self) -> int:
        return self._ports["video"]

    @property
    def rtcp_port(self) -> int:
        """The port Janus's video forwarder sends its RTCP to (``rtcp_port`` of rtp_forward): key frame requests go back."""
        return self._ports["rtcp"]

    async def start(self) -> RtpReceiver:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        for kind in ("audio", "video", "rtcp"):
            sock = socket.socket(family, socket.SOCK_DGRAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            sock.bind((self.host, self._ports[kind]))
            sock.setblocking(False)
            self._ports[kind] = sock.getsockname()[1]
            self._sockets[kind] = sock
        self._reader = threading.Thread(target=self._read, name=f"rtp-in-{self.analysis.room_id}", daemon=True)
        self._thread = threading.Thread(target=self._run, name=f"rtp-room-{self.analysis.room_id}", daemon=True)
        self._reader.start()
        self._thread.start()
        return self

    async def close(self) -> RtpStats:
        self._stop.set()
        self._inbox.put(None)
        for thread in (self._reader, self._thread):
            if thread is not None:
                await asyncio.to_thread(thread.join)
        self._reader = self._thread = None
        for sock in self._sockets.values():
            sock.close()
        self._sockets.clear()
        return self.stats

    def _read(self) -> None:
        """The sockets' thread: each datagram stamped with its arrival and queued for the decoding thread."""
        sel = selectors.DefaultSelector()
        for kind, sock in self._sockets.items():
            sel.register(sock, selectors.EVENT_READ, kind)
        try:
            while not self._stop.is_set():
                for key, _ in sel.select(timeout=0.2):
                    while True:
                        try:
                            data, addr = key.fileobj.recvfrom(65536)
                        except (BlockingIOError, InterruptedError):
                            break
                        except OSError:
                            return
                        if key.data == "rtcp":
                            self._rtcp_source = addr
                        else:
                            self._inbox.put((key.data, data, wall_ms()))
        finally:
            sel.close()

    def _need_key_frame(self, now_ms: int) -> None:
        """Ask the publisher (through Janus) for a key frame, at most every 500 ms while one is needed."""
        target = self.rtcp_target or self._rtcp_source
        sock = self._sockets.get("rtcp")
        if self._v_ssrc is None or target is None or sock is None or now_ms - self._pli_at < 500:
            return
        self._pli_at = now_ms
        try:
            sock.sendto(rtcp_pli(self._v_ssrc), target)
            self.stats.key_frame_requests += 1
        except OSError as exc:
            log.info("room %s: key frame request not sent: %s", self.analysis.room_id, exc)

    @staticmethod
    def _sender_wall(clock: dict, pkt: RtpPacket, rate: int) -> float:
        """When the packet's media was sent, on our clock: the first packet's RTP time plus the RTP timestamps'
        advance, anchored on the least delayed packet so far (``clock`` per SSRC). A packet that waited in a
        queue (this machine busy, a burst after a stall) keeps its own media time, so no silence is inserted for
        it; a real gap (the sender stopped, the network dropped) still shows in the timestamps."""
        offset = ((pkt.ts - clock["ts0"]) & 0xFFFFFFFF) / rate
        anchor = pkt.arrived_ms / 1000.0 - offset
        clock["anchor"] = anchor if clock.get("anchor") is None else min(clock["anchor"], anchor)
        return clock["anchor"] + offset

    def _hand(self, method, track, frame, wall: float) -> None:
        method(track, frame, wall=wall)  # RoomAnalysis only queues it for its own threads

    # ---- the receiver thread ------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            try:
                item = self._inbox.get(timeout=0.02)
            except queue.Empty:
                item = ()
            if item is None:
                break
            now = wall_ms()
            try:
                if item:
                    kind, data, arrived = item
                    pkt = parse_rtp(data)
                    if pkt is not None:
                        pkt.arrived_ms = arrived
                        self._audio(pkt, now) if kind == "audio" else self._video(pkt, now)
                for pkt, lost in self._a_reorder.release(now):
                    self._audio_in_order(pkt, lost)
                for pkt, lost in self._v_reorder.release(now):
                    self._video_in_order(pkt, lost)
            except Exception:  # noqa: BLE001 (one bad packet must not end the room's analysis)
                self.stats.decode_errors += 1
                log.exception("room %s: RTP packet failed", self.analysis.room_id)
        self.stats.audio_lost, self.stats.audio_late = self._a_reorder.lost, self._a_reorder.late
        self.stats.video_lost = self._v_reorder.lost

    def _audio(self, pkt: RtpPacket, now: int) -> None:
        self.stats.audio_packets += 1
        if pkt.ssrc != self._a_ssrc:  # first packet, or the candidate published again (reconnected)
            if self._a_ssrc is not None:
                self.stats.ssrc_changes += 1
                self.analysis.reconnects += 1
            self._a_ssrc = pkt.ssrc
            self._a_clock = {"ts0": pkt.ts, "anchor": None}
            self._a_reorder = Reorder()
            self._a_track = self.analysis.new_track("audio")
            self._opus = av.CodecContext.create("opus", "r")
            self._opus.sample_rate = OPUS_RATE
            self._opus.layout = "stereo"
        for p, lost in self._a_reorder.push(pkt, now):
            self._audio_in_order(p, lost)

    def _audio_in_order(self, pkt: RtpPacket, lost: int) -> None:
        # a gap (lost packets, a stalled network) is filled with silence by the analysis from arrival times
        try:
            frames = self._opus.decode(av.Packet(pkt.payload))
        except av.error.FFmpegError:
            self.stats.decode_errors += 1
            return
        for frame in frames:
            self.stats.audio_frames_decoded += 1
            frame.pts = None
            self._hand(self.analysis.audio, self._a_track, frame, self._sender_wall(self._a_clock, pkt, OPUS_RATE))

    def _video(self, pkt: RtpPacket, now: int) -> None:
        self.stats.video_packets += 1
        if pkt.ssrc != self._v_ssrc:
            self._v_ssrc = pkt.ssrc
            self._v_clock = {"ts0": pkt.ts, "anchor": None}
            self._v_reorder = Reorder(hold_ms=100, max_held=200)
            self._v_track = self.analysis.new_track("video")
            self._vp8 = Vp8Assembler()
            self._v_dec = None
            self._v_need_key = True
        for p, lost in self._v_reorder.push(pkt, now):
            self._video_in_order(p, lost)

    def _video_in_order(self, pkt: RtpPacket, lost: int) -> None:
        got = self._vp8.push(pkt, lost)
        if got is None:
            if lost:
                self._v_need_key = True
            return
        frame, _ts = got
        self.stats.video_frames += 1
        if not (self.analysis.biometric or self.analysis.recorder is not None):
            return  # no face analysis, no recording: nothing to decode
        if self._v_need_key and not vp8_is_key(frame):
            self.stats.video_frames_dropped += 1
            self._need_key_frame(pkt.arrived_ms)
            return
        if self._v_dec is None:
            self._v_dec = av.CodecContext.create("vp8", "r")
        try:
            decoded = self._v_dec.decode(av.Packet(frame))
        except av.error.FFmpegError:
            self.stats.decode_errors += 1
            self._v_need_key = True
            return
        self._v_need_key = False
        for vf in decoded:
            self.stats.video_frames_decoded += 1
            vf.pts = None  # placed on the media clock by its send time (_sender_wall), as the audio
            self._hand(self.analysis.video, self._v_track, vf, self._sender_wall(self._v_clock, pkt, VIDEO_RATE))
