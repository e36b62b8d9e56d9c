"""The server-side WebRTC peer of a live room (aiortc): it receives the candidate's audio and video, feeds
``analysis.live.LiveSession`` (its events go to the interviewers' panel) and writes the recording.

One :class:`RoomMedia` per room in this process (``_rooms``), created by the first offer. The consumer calls
``server_peer_answer`` for each ``server_offer`` and ``room_media_end`` when the room ends.

- Threads: everything that costs (resampling, ``feed_audio`` / ``feed_frame``, face analysis) runs in the room's
  one analysis thread (LiveSession wants one feeding thread; its transcription has its own); the recording's
  encoding runs in a second thread. The event loop only receives frames and hands them on, so it never stalls.
- Media time: 0 is the arrival of the room's first frame (``started_at``). Audio is counted in samples; when
  audio arrives later than its media time (a reconnect, a network stall) the gap is filled with silence (in the
  analysis and in the recording) and noted in ``gaps``, so media time stays wall time since the start: notes,
  questions and incidents pinned by wall time fall on the right place of the recording.
- Reconnect: a new offer with the same peer id replaces that peer's connection (aiortc has no ICE restart on an
  existing connection: the page makes a new ``RTCPeerConnection`` for the server); the LiveSession and the
  recording go on.
- The recording (only with the candidate's recording consent): WebM (VP8 + Opus) written as it arrives under
  ``VAR_DIR/live-tmp/room-<id>/`` (Matroska clusters: a process killed midway leaves a readable file, which the
  sweep stores: ``recording.recordings_sweep``). Video at most ``REC_FPS``, scaled to fit ``REC_MAX``. The
  interviewers' audio (their own offers, audio only) is written to one file each and muxed into the recording as
  extra audio streams when it ends.

The per-room analysis glue (:class:`RoomAnalysis`: audio and video frames in, events with ``wall_ms`` out to the
staff group, the recording) does not depend on aiortc: ``rtp.py`` (Janus's forwarded RTP) uses it too.
"""

from __future__ import annotations

import asyncio
import bisect
import collections
import heapq
import json
import logging
import os
import re
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from .panel_history import PanelHistory

logger = logging.getLogger(__name__)

SR = 16000  # LiveSession's rate
REC_SR = 48000  # the recording's audio rate (Opus)
REC_FPS = 15
REC_MAX = (640, 640)  # the recording's video fits in this box
FACE_FPS = 5.0
GAP_FILL_S = 0.5  # audio arriving this much later than its media time: the gap is filled with silence
AUDIO_WAIT_S = 4.0  # the recording waits this long for a first video frame before it is written audio only
_OPUS_FRAME = 960


def staff_group(room_id: int) -> str:
    return f"live.{room_id}.staff"


def live_tmp_dir(room_id: int) -> Path:
    return Path(settings.VAR_DIR) / "live-tmp" / f"room-{room_id}"


def ice_servers() -> list:
    """``LIVE_ICE_SERVERS`` (env ``HIRELENS_ICE_SERVERS``: a JSON list of ``{"urls", "username", "credential"}``),
    default [] (nothing outside the machine; aiortc's own default would add a public STUN server)."""
    raw: Any = getattr(settings, "LIVE_ICE_SERVERS", None)
    if raw is None:
        raw = os.environ.get("HIRELENS_ICE_SERVERS", "") or "[]"
    if isinstance(raw, str):
        try:
            raw = json.loads(raw or "[]")
        except ValueError:
            logger.error("HIRELENS_ICE_SERVERS is not JSON: no ICE servers")
            raw = []
    servers = []
    for entry in raw or []:
        if isinstance(entry, str):
            entry = {"urls": entry}
        if isinstance(entry, dict) and entry.get("urls"):
            servers.append(RTCIceServer(urls=entry["urls"], username=entry.get("username"), credential=entry.get("credential")))
    return servers


# ---- the recording ------------------------------------------------------------------------------------


class Recorder:
    """Writes one WebM as media arrives: Opus audio (continuous: gaps are written as silence) and VP8 video at
    its media times. Call from one thread. The container's header needs every stream, so audio waits (as PCM)
    until the first video frame or ``AUDIO_WAIT_S`` of audio. A first video frame that comes later (a key frame
    slow to arrive through the SFU, a camera turned on after the start) ends the audio-only piece there: a new
    piece with audio and video goes on, named by its own start (``rec-<epoch ms>.webm``, as a killed process's
    pieces are, so that the adoption joins them after a crash), and ``close`` joins the pieces into ``path``."""

    def __init__(self, path: Path, *, video: bool = True):
        self.path = path
        self.container = av.open(str(path), mode="w", format="webm", options={"cluster_time_limit": "1000", "flush_packets": "1"})
        self.astream = self.container.add_stream("libopus", rate=REC_SR)
        self.astream.layout = "mono"
        self.astream.bit_rate = 32000
        self.vstream = None
        self.want_video = video
        self.started = False
        self._file = path  # the piece being written (``path`` until a late first video frame starts another)
        self._p0 = 0  # audio samples before the current piece's media time 0
        self._pending: list[np.ndarray] = []
        self._apts = 0  # samples written (or waiting) so far
        self._abuf = np.zeros(0, np.int16)
        self._written = 0  # samples encoded
        self._vlast = -1
        self.video_frames = 0
        self.end_s = 0.0

    def _start(self, first_video=None) -> None:
        if first_video is not None:
            w, h = first_video.width, first_video.height
            scale = min(1.0, REC_MAX[0] / w, REC_MAX[1] / h)
            v = self.container.add_stream("libvpx", rate=REC_FPS, options={"deadline": "realtime", "cpu-used": "8"})
            v.width, v.height = max(2, int(w * scale) // 2 * 2), max(2, int(h * scale) // 2 * 2)
            v.pix_fmt = "yuv420p"
            v.bit_rate = 600_000
            v.codec_context.time_base = Fraction(1, 1000)
            self.vstream = v
        self.started = True
        pending, self._pending = self._pending, []
        for pcm in pending:
            self._encode_audio(pcm)

    def audio(self, pcm48: np.ndarray, start_s: float) -> None:
        """Mono int16 at 48 kHz whose first sample is at media time ``start_s`` (silence fills a gap before it)."""
        gap = int(round(start_s * REC_SR)) - self._apts
        if gap > int(0.02 * REC_SR):
            pcm48 = np.concatenate([np.zeros(gap, np.int16), pcm48])
        self._apts += len(pcm48)
        self.end_s = max(self.end_s, self._apts / REC_SR)
        if not self.started:
            self._pending.append(pcm48)
            if not self.want_video or self._apts >= AUDIO_WAIT_S * REC_SR:
                self._start()
            return
        self._encode_audio(pcm48)

    def _encode_audio(self, pcm: np.ndarray) -> None:
        buf = np.concatenate([self._abuf, pcm]) if len(self._abuf) else pcm
        n = len(buf) // _OPUS_FRAME
        for i in range(n):
            frame = av.AudioFrame.from_ndarray(buf[i * _OPUS_FRAME:(i + 1) * _OPUS_FRAME].reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = REC_SR
            frame.pts = self._written - self._p0
            frame.time_base = Fraction(1, REC_SR)
            self._written += _OPUS_FRAME
            for packet in self.astream.encode(frame):
                self.container.mux(packet)
        self._abuf = buf[n * _OPUS_FRAME:].copy()

    def _new_piece(self) -> bool:
        """End the audio-only piece at the audio written so far and open the next one there (see the class)."""
        first_s = rec_start(self.path)
        if first_s is None or self._file != self.path:
            return False  # not a room's recording name (nothing could join the pieces), or already rolled over
        for packet in self.astream.encode():
            self.container.mux(packet)
        self.container.close()
        self._p0 = self._written
        self._file = self.path.with_name(f"rec-{int(round(first_s * 1000)) + self._written * 1000 // REC_SR}.webm")
        self.container = av.open(str(self._file), mode="w", format="webm", options={"cluster_time_limit": "1000", "flush_packets": "1"})
        self.astream = self.container.add_stream("libopus", rate=REC_SR)
        self.astream.layout = "mono"
        self.astream.bit_rate = 32000
        self._vlast = -1
        return True

    def video(self, frame: av.VideoFrame, t_s: float) -> None:
        if not self.started:
            if not self.want_video:
                return
            self._start(frame)
        elif self.vstream is None:
            if not self.want_video or not self._new_piece():
                return
            self._start(frame)
        pts = int(round((t_s - self._p0 / REC_SR) * 1000))
        if pts <= self._vlast:
            return
        self._vlast = pts
        out = frame.reformat(width=self.vstream.width, height=self.vstream.height, format="yuv420p")
        out.pts = pts
        out.time_base = Fraction(1, 1000)
        for packet in self.vstream.encode(out):
            self.container.mux(packet)
        self.video_frames += 1
        self.end_s = max(self.end_s, t_s)

    def close(self) -> None:
        if not self.started:
            self._start()
        if len(self._abuf):
            self._encode_audio(np.zeros(_OPUS_FRAME - len(self._abuf), np.int16))
        for packet in self.astream.encode():
            self.container.mux(packet)
        if self.vstream is not None:
            for packet in self.vstream.encode():
                self.container.mux(packet)
        self.container.close()
        if self._file != self.path:  # the audio-only start and the piece with video: one file at ``path``
            joined = self.path.with_name(self.path.stem + "-joined.webm")
            if join_recordings([self.path, self._file], joined):
                os.replace(joined, self.path)
                self._file.unlink(missing_ok=True)
                self._file = self.path
            else:
                logger.warning("recording %s: the piece with video (%s) could not be joined", self.path.name, self._file.name)


class AudioTrackRecorder:
    """An interviewer's audio (Opus in WebM) from media time ``offset`` on, muxed into the recording at the end."""

    def __init__(self, path: Path):
        self.path = path
        self.rec = Recorder(path, video=False)

    def audio(self, pcm48: np.ndarray, start_s: float) -> None:
        self.rec.audio(pcm48, start_s)

    def close(self) -> None:
        self.rec.close()


def mux_extra_audio(main: Path, extras: list[Path], out: Path) -> bool:
    """Copy ``main``'s streams and each extra file's audio into ``out`` (packets interleaved by time, no
    re-encoding). False (and ``out`` removed) if it fails: the main file is kept as it is."""
    inputs = []
    try:
        target = av.open(str(out), mode="w", format="webm")
        files = []  # (container, its streams, {input stream index: output stream})
        for path in [main, *extras]:
            try:
                src = av.open(str(path))
            except (av.FFmpegError, OSError):
                continue
            inputs.append(src)
            streams = [s for s in src.streams if s.type in ("audio", "video")]
            files.append((src, streams, {s.index: target.add_stream_from_template(s) for s in streams}))

        def packets(i, src, streams):  # one demuxer per file: its packets come in its own time order
            for packet in src.demux(*streams):
                if packet.pts is None or packet.size == 0:
                    continue
                yield (float(packet.pts * packet.time_base), i, packet)

        merged = heapq.merge(*(packets(i, src, streams) for i, (src, streams, _) in enumerate(files)), key=lambda x: (x[0], x[1]))
        for _, i, packet in merged:
            packet.stream = files[i][2][packet.stream.index]
            target.mux(packet)
        target.close()
        return True
    except Exception:
        logger.exception("muxing the interviewers' audio into %s failed; the recording keeps the candidate only", main)
        out.unlink(missing_ok=True)
        return False
    finally:
        for src in inputs:
            src.close()


REC_NAME = re.compile(r"rec-(\d+)\.webm")


def rec_start(path: Path) -> float | None:
    """Epoch seconds of media time 0 of a recording file, from its name (``rec-<epoch ms>.webm``)."""
    match = REC_NAME.fullmatch(path.name)
    return int(match[1]) / 1000 if match else None


def join_recordings(files: list[Path], out: Path) -> bool:
    """One file from the pieces of one room (a process killed mid-interview, then the room went on in another):
    the candidate's audio and video of each piece, placed at its own start time (from its name) after the first
    one's; packets copied, not re-encoded. False (``out`` removed) if it fails."""
    files = sorted(files, key=lambda p: rec_start(p) or 0)
    t0 = rec_start(files[0]) or 0
    inputs = []
    try:
        target = av.open(str(out), mode="w", format="webm")
        outs: dict[str, Any] = {}
        pieces = []
        for path in files:
            try:
                src = av.open(str(path))
            except (av.FFmpegError, OSError):
                continue
            inputs.append(src)
            chosen = list(src.streams.audio[:1]) + list(src.streams.video[:1])
            for stream in chosen:
                if stream.type not in outs:
                    outs[stream.type] = target.add_stream_from_template(stream)
            pieces.append((src, chosen, (rec_start(path) or t0) - t0))
        last: dict[str, int] = {}
        for src, chosen, offset in pieces:
            for packet in src.demux(*chosen):
                if packet.pts is None or packet.size == 0:
                    continue
                kind = packet.stream.type
                shift = int(round(offset / packet.time_base))
                dts = packet.dts if packet.dts is not None else packet.pts
                packet.pts += shift
                packet.dts = dts + shift
                if packet.dts <= last.get(kind, -1):
                    continue  # overlapping pieces: the earlier one's media win
                last[kind] = packet.dts
                packet.stream = outs[kind]
                target.mux(packet)
        target.close()
        return True
    except Exception:
        logger.exception("joining the recording pieces %s failed", [p.name for p in files])
        out.unlink(missing_ok=True)
        return False
    finally:
        for src in inputs:
            src.close()


# ---- the analysis glue --------------------------------------------------------------------------------


class _FeedThread:
    """The room's one analysis thread (LiveSession is fed from one thread): jobs in order, except that audio
    (``submit``) always goes before video frames (``submit_frame``), so a slow face analysis never delays the
    speech events; a frame that waited over ``FRAME_STALE_S`` is skipped (a newer one follows)."""

    FRAME_STALE_S = 0.5

    def __init__(self, name: str):
        self._jobs: collections.deque = collections.deque()
        self._frames: collections.deque = collections.deque()
        self._cond = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn, *args) -> Future:
        return self._put(self._jobs, fn, args)

    def submit_frame(self, fn, *args) -> Future:
        return self._put(self._frames, fn, args)

    def _put(self, queue, fn, args) -> Future:
        future: Future = Future()
        with self._cond:
            if self._stop:
                raise RuntimeError("the room's analysis thread has stopped")
            queue.append((future, fn, args, time.monotonic()))
            self._cond.notify()
        return future

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._jobs and not self._frames and not self._stop:
                    self._cond.wait()
                if self._jobs:
                    future, fn, args, queued = self._jobs.popleft()
                elif self._frames:
                    future, fn, args, queued = self._frames.popleft()
                    if time.monotonic() - queued > self.FRAME_STALE_S and self._frames:
                        future.cancel()
                        continue
                else:
                    return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args))
            except BaseException as exc:
                future.set_exception(exc)

    def shutdown(self, wait: bool = True) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        if wait:
            self._thread.join()


class _Track:
    """One incoming audio or video track (a connection's): its resamplers and where its time starts."""

    def __init__(self, kind: str):
        self.kind = kind
        self.r16 = av.AudioResampler(format="s16", layout="mono", rate=SR) if kind == "audio" else None
        self.r48 = av.AudioResampler(format="s16", layout="mono", rate=REC_SR) if kind == "audio" else None
        self.first_pts = None
        self.offset_s = 0.0
        self.next_s: float | None = None  # (audio) sender time the next frame should start at


class _NoAnalysis:
    """Stands in for the LiveSession when the candidate declined AI analysis: the media still reach the recording
    (with recording consent), nothing is transcribed or measured, and no panel event is sent."""

    def prepare(self) -> None:
        pass

    def feed_audio(self, pcm) -> None:
        pass

    def feed_frame(self, rgb, t) -> None:
        pass

    def close(self, timeout=None):
        return self

    def to_dict(self):
        return None


class _LiveModels:
    """The models this process loaded for its live rooms (Whisper, the face models, the dictionaries), handed back
    once no room has been analysed here for ``ANALYSIS_IDLE_UNLOAD_S`` seconds (the analysis worker's rule; 0:
    never). A web process that hosted an interview in the morning does not keep about 400 MB of models all day.
    ``hold()`` while a room's analysis (or a warm-up) runs, ``release()`` after; the next room loads them again
    (about 1-2 s, before the candidate is admitted: ``room_media_prepare``)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.active = 0
        self.unloads = 0
        self._timer: threading.Timer | None = None

    def hold(self) -> None:
        with self._lock:
            self.active += 1
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def release(self) -> None:
        idle_s = float(getattr(settings, "ANALYSIS_IDLE_UNLOAD_S", 0) or 0)
        with self._lock:
            self.active = max(0, self.active - 1)
            if self.active or idle_s <= 0:
                return
            timer = self._timer = threading.Timer(idle_s, self._unload)
            timer.daemon = True
            timer.name = "live-models-idle"
            timer.start()

    def _unload(self) -> None:
        from analysis.unload import models_unload

        with self._lock:
            if self.active or self._timer is not threading.current_thread():
                return  # a room started meanwhile, or a newer timer owns the release
            self._timer = None
            _warmed.clear()
            freed = models_unload()  # under the lock: a room that starts now waits for it (a fraction of a second)
            self.unloads += 1
        logger.info("live rooms: idle for %.0f s, models released %s", float(settings.ANALYSIS_IDLE_UNLOAD_S), freed)


live_models = _LiveModels()


class RoomAnalysis:
    """Per-room glue between incoming media and LiveSession / the recording (see the module docstring).

    ``audio(frame)`` and ``video(frame)`` are called on the event loop with decoded PyAV frames; events are sent
    to the staff group on ``loop`` as ``{"type": "room.event", "event": "panel", "payload": {"event": ...,
    "wall_ms": ...}}``; ``close()`` (blocking: call it in a thread) returns what ``recording_store`` needs."""

    def __init__(self, room_id: int, *, options: dict, loop: asyncio.AbstractEventLoop):
        from analysis.live import LiveOptions, LiveSession

        self.room_id = room_id
        self.loop = loop
        self.opts = options
        self.group = staff_group(room_id)
        self.layer = get_channel_layer()
        self.biometric = bool(options.get("biometric"))
        self.analysed = bool(options.get("analysis", True))
        self.session = _NoAnalysis() if not self.analysed else LiveSession(LiveOptions(language=options.get("language", "auto"), keywords=list(options.get("keywords") or []),
                                               synonyms=options.get("synonyms") or None, biometric=self.biometric, face_fps=FACE_FPS),
                                   on_event=self._on_event)
        live_models.hold()  # released by close()
        self._held = True
        self._feed = _FeedThread(f"live-room-{room_id}")
        self._rec = ThreadPoolExecutor(1, thread_name_prefix=f"live-rec-{room_id}")
        self._feed.submit(self._prepare)  # models loaded before the first words (the feeds queue behind it)
        self.started_at: float | None = None  # epoch seconds of media time 0
        self._fed = 0  # samples given to the session
        self._anchor_t: list[float] = []  # media time reached by an audio chunk ...
        self._anchor_wall: list[int] = []  # ... and the epoch ms it arrived
        self.gaps: list[dict] = []
        self._anchor_lock = threading.Lock()
        self._face_next = 0.0
        self._rec_next = 0.0
        # frames handed to the threads and not yet done (futures: done() is safe to read from the loop)
        self._face_pending: collections.deque = collections.deque()
        self._rec_pending: collections.deque = collections.deque()
        self.video_seen = False
        self.reconnects = 0
        self.recorder: Recorder | None = None
        self.extra: dict[str, AudioTrackRecorder] = {}
        self.path: Path | None = None
        if options.get("recording"):
            folder = live_tmp_dir(room_id)
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.path = folder / f"rec-{int(time.time() * 1000)}.webm"
            self.recorder = Recorder(self.path)
        self.closed = False
        self.events_sent = 0
        self.run = uuid.uuid4().hex[:12]  # the panel's events are numbered per run (panel_history.py)
        self.history = PanelHistory(room_id, self.run)

    def _prepare(self) -> None:
        try:
            self.session.prepare()
        except Exception:
            logger.exception("room %s: live analysis models failed to load", self.room_id)

    # -- time --

    def _media_now(self, wall: float) -> float:
        if self.started_at is None:
            self.started_at = wall
            if self.path is not None:  # the file is named by its media time 0 (an open file can be renamed)
                named = self.path.with_name(f"rec-{int(wall * 1000)}.webm")
                try:
                    os.rename(self.path, named)
                    self.path = self.recorder.path = named
                except OSError:
                    logger.warning("room %s: recording file not renamed", self.room_id)
        return wall - self.started_at

    def wall_ms(self, t_s: float) -> int:
        """Epoch ms at which the audio of media time ``t_s`` arrived (the first chunk reaching it)."""
        with self._anchor_lock:
            i = bisect.bisect_left(self._anchor_t, t_s - 1e-6)
            if i < len(self._anchor_t):
                return self._anchor_wall[i]
            if self._anchor_wall:
                return self._anchor_wall[-1]
        return int(time.time() * 1000)

    def _anchor(self, t_s: float, wall_ms: int) -> None:
        with self._anchor_lock:
            self._anchor_t.append(t_s)
            self._anchor_wall.append(wall_ms)
            if len(self._anchor_t) > 60000:  # about 20 min of 20 ms frames: older events are long sent
                del self._anchor_t[:10000], self._anchor_wall[:10000]

    # -- events --

    def _on_event(self, ev) -> None:
        payload = {"event": ev.to_dict(), "wall_ms": self.wall_ms(ev.t_s), "run": self.run, "n": self.events_sent}
        self.events_sent += 1
        self.history.add(payload)
        if self.layer is None or self.loop.is_closed():
            return
        message = {"type": "room.event", "event": "panel", "payload": payload}
        try:
            asyncio.run_coroutine_threadsafe(self.layer.group_send(self.group, message), self.loop)
        except RuntimeError:  # the loop has stopped (the process is ending)
            pass

    # -- input (on the event loop) --

    def new_track(self, kind: str) -> _Track:
        return _Track(kind)

    def audio(self, track: _Track, frame: av.AudioFrame, *, wall: float | None = None) -> None:
        """A decoded audio frame of the candidate (any rate and layout)."""
        if self.closed:
            return
        wall = time.time() if wall is None else wall
        self._media_now(wall)
        try:
            self._feed.submit(self._audio_in_thread, track, frame, wall)
        except RuntimeError:  # closed meanwhile
            pass

    def _audio_in_thread(self, track: _Track, frame: av.AudioFrame, wall: float) -> None:
        try:
            pts, tb = frame.pts, frame.time_base
            length = frame.samples / frame.sample_rate
            frame.pts = None  # the resamplers count samples themselves (RTP timestamps start anywhere)
            pcm16 = np.concatenate([f.to_ndarray().reshape(-1) for f in track.r16.resample(frame)] or [np.zeros(0, np.int16)])
            pcm48 = np.concatenate([f.to_ndarray().reshape(-1) for f in track.r48.resample(frame)] or [np.zeros(0, np.int16)])
            fed_s = self._fed / SR
            if track.first_pts is None:
                # a connection's first audio (the room's first, or after a reconnect): it ends at its arrival, so
                # the time since the last samples is a gap (wall clock; a delayed burst inside a connection is not)
                track.first_pts = pts if pts is not None else 0
                missing, threshold = (wall - self.started_at - length) - fed_s, GAP_FILL_S
            elif pts is not None and tb is not None and track.next_s is not None:
                # inside a connection the sender's timestamps tell what never came (lost packets, a paused sender)
                missing, threshold = float(pts * tb) - track.next_s, 0.1
            else:
                missing, threshold = 0.0, 1.0
            if pts is not None and tb is not None:
                track.next_s = float(pts * tb) + length
            if not len(pcm16):
                return
            if missing > threshold:
                silence = int(missing * SR)
                self.gaps.append({"start_s": round(fed_s, 3), "end_s": round(fed_s + silence / SR, 3)})
                self.session.feed_audio(np.zeros(silence, np.int16))
                self._fed += silence
                self._anchor(self._fed / SR, int(wall * 1000))
            t0 = self._fed / SR
            self._fed += len(pcm16)
            self._anchor(self._fed / SR, int(wall * 1000))
            if self.recorder is not None:
                self._rec.submit(self._rec_call, self.recorder.audio, pcm48, t0)
            self.session.feed_audio(pcm16)
        except Exception:
            logger.exception("room %s: audio frame dropped", self.room_id)

    def video(self, track: _Track, frame: av.VideoFrame, *, wall: float | None = None) -> None:
        """A decoded video frame of the candidate: to the face analysis at most FACE_FPS (with biometric
        consent), to the recording at most REC_FPS; frames are dropped while the threads are behind."""
        if self.closed:
            return
        wall = time.time() if wall is None else wall
        now = self._media_now(wall)
        if frame.pts is None or frame.time_base is None:
            t = now
        else:
            if track.first_pts is None:
                track.first_pts, track.offset_s = frame.pts, now
            t = track.offset_s + float((frame.pts - track.first_pts) * frame.time_base)
        self.video_seen = True
        for pending in (self._face_pending, self._rec_pending):
            while pending and pending[0].done():
                pending.popleft()
        if self.biometric and t >= self._face_next and len(self._face_pending) < 2:
            self._face_next = t + 1.0 / FACE_FPS - 0.01
            try:
                self._face_pending.append(self._feed.submit_frame(self._face_in_thread, frame, t))
            except RuntimeError:  # closed meanwhile
                return
        if self.recorder is not None and t >= self._rec_next and len(self._rec_pending) < 4:
            self._rec_next = t + 1.0 / REC_FPS - 0.005
            try:
                self._rec_pending.append(self._rec.submit(self._rec_video, frame, t))
            except RuntimeError:  # closed meanwhile
                pass

    def _face_in_thread(self, frame: av.VideoFrame, t: float) -> None:
        try:
            scale = min(1.0, 640 / frame.width, 640 / frame.height)
            rgb = frame.to_ndarray(format="rgb24", width=int(frame.width * scale) // 2 * 2, height=int(frame.height * scale) // 2 * 2)
            self.session.feed_frame(rgb, t)
        except Exception:
            logger.exception("room %s: video frame dropped", self.room_id)

    def _rec_video(self, frame: av.VideoFrame, t: float) -> None:
        try:
            self.recorder.video(frame, t)
        except Exception:
            logger.exception("room %s: recording of a video frame failed", self.room_id)

    def _rec_call(self, fn, *args) -> None:
        try:
            fn(*args)
        except Exception:
            logger.exception("room %s: recording failed", self.room_id)

    def interviewer_audio(self, peer: str, track: _Track, frame: av.AudioFrame, *, wall: float | None = None) -> None:
        """An interviewer's audio: only into the recording (its own file, muxed in at the end)."""
        if self.recorder is None:
            return
        wall = time.time() if wall is None else wall
        self._media_now(wall)
        self._rec.submit(self._interviewer_in_thread, peer, track, frame, wall)

    def _interviewer_in_thread(self, peer: str, track: _Track, frame: av.AudioFrame, wall: float) -> None:
        try:
            frame.pts = None
            pcm48 = np.concatenate([f.to_ndarray().reshape(-1) for f in track.r48.resample(frame)] or [np.zeros(0, np.int16)])
            if not len(pcm48):
                return
            rec = self.extra.get(peer)
            if rec is None:
                rec = self.extra[peer] = AudioTrackRecorder(self.path.with_name(f"{self.path.stem}-interviewer-{len(self.extra) + 1}.webm"))
            rec.audio(pcm48, wall - self.started_at - len(pcm48) / REC_SR)
        except Exception:
            logger.exception("room %s: interviewer audio dropped", self.room_id)

    # -- end --

    def close(self) -> dict:
        """Blocking (call in a thread): the last feeds, the session's summary, the file finished."""
        try:
            return self._close()
        finally:
            if self._held:
                self._held = False
                live_models.release()

    def _close(self) -> dict:
        self.closed = True
        summary = None
        try:
            summary = self._feed.submit(lambda: self.session.close(timeout=120).to_dict()).result(timeout=180)
        except Exception:
            logger.exception("room %s: live analysis did not close cleanly", self.room_id)
        # CPU seconds of the room's two threads (resampling, VAD, rates, face; encoding the file): the
        # transcription's own thread is in the summary's asr_s
        cpu = {"analysis_cpu_s": round(self._feed.submit(time.thread_time).result(), 2)}
        self._feed.shutdown(wait=True)
        duration = None
        media: dict[str, Any] = {"gaps": self.gaps, "reconnects": self.reconnects, "video": False, "interviewers_audio": 0, **cpu}
        if self.recorder is not None:
            try:
                self._rec.submit(self.recorder.close).result(timeout=120)
                duration = self.recorder.end_s
                media["video"] = self.recorder.vstream is not None and self.recorder.video_frames > 0
                extras = []
                for rec in self.extra.values():
                    self._rec.submit(rec.close).result(timeout=60)
                    extras.append(rec.path)
                if extras:
                    merged = self.path.with_name(self.path.stem + "-all.webm")
                    if mux_extra_audio(self.path, extras, merged):
                        os.replace(merged, self.path)
                        media["interviewers_audio"] = len(extras)
                    for extra in extras:
                        extra.unlink(missing_ok=True)
            except Exception:
                logger.exception("room %s: the recording did not close cleanly", self.room_id)
            started = self._join_older_pieces(media)
        else:
            started = self.started_at
        media["recording_cpu_s"] = round(self._rec.submit(time.thread_time).result(), 2)
        self._rec.shutdown(wait=True)
        if started is not None and self.started_at is not None and duration is not None:
            duration += self.started_at - started
        return {"path": self.path, "duration_s": duration, "started_at": started, "media": media, "live_summary": summary}

    def _join_older_pieces(self, media: dict) -> float | None:
        """A file an earlier process of this room left (killed mid-interview) comes first in the recording: the
        pieces are joined, media time 0 becomes the earlier start, and this session's gaps move by the offset."""
        mine = rec_start(self.path) if self.path is not None else None
        if mine is None or not self.path.is_file():
            return self.started_at
        now = time.time()  # a piece still being written belongs to a live process, which stores it itself
        older = [p for p in self.path.parent.glob("rec-*.webm")
                 if (rec_start(p) or mine) < mine and now - p.stat().st_mtime > ADOPT_IDLE_S]
        if not older:
            return self.started_at
        first = min(rec_start(p) for p in older)
        joined = self.path.with_name(f"rec-{int(first * 1000)}-joined.webm")
        if not join_recordings([*older, self.path], joined):
            return self.started_at
        offset = mine - first
        final = self.path.with_name(f"rec-{int(first * 1000)}.webm")
        for piece in [*older, self.path]:
            piece.unlink(missing_ok=True)
        os.replace(joined, final)
        self.path = final
        media["gaps"] = [{"start_s": round(g["start_s"] + offset, 3), "end_s": round(g["end_s"] + offset, 3)} for g in media["gaps"]]
        media["joined_pieces"] = len(older) + 1
        media["live_summary_offset_s"] = round(offset, 3)  # the live summary covers this process's part only
        media["interviewers_audio"] = 0  # joined pieces keep the candidate's audio and video only
        return first


# ---- the server peer ----------------------------------------------------------------------------------


class RoomEnded(Exception):
    pass


def _room_options(room_id: int) -> dict:
    from hirelens.interviews.analysis_bridge import analysis_language, keyword_synonyms

    from .models import LiveRoom

    room = LiveRoom.objects.select_related("organization", "application__position").get(pk=room_id)
    if room.state == LiveRoom.State.ENDED:
        raise RoomEnded(room_id)
    consents = room.consents or {}
    position = room.application.position
    return {
        "language": analysis_language(room),
        "keywords": list(position.keywords or []),
        "synonyms": keyword_synonyms(position),
        # without the candidate's AI-analysis consent nothing is analysed, live or after (issue 20)
        "analysis": bool(consents.get("ai_analysis")),
        "biometric": bool(consents.get("ai_analysis") and consents.get("biometric") and position.facial_enabled),
        "recording": bool(consents.get("recording")),
    }


class RoomMedia:
    """The room's server peers (one per browser peer id) and its analysis."""

    def __init__(self, room_id: int, analysis: RoomAnalysis | None = None):
        self.room_id = room_id
        # made by the candidate's first offer (the consents are read then: an interviewer may offer before the
        # candidate has consented); interviewers' audio before it is not recorded
        self.analysis = analysis
        self.closed = False
        self.peers: dict[str, Any] = {}  # peer id -> RTCPeerConnection
        self.tasks: set[asyncio.Task] = set()
        self.listener = asyncio.ensure_future(self._listen())

    async def _listen(self) -> None:
        """Follow the room's group: when the room ends (``ended``, sent by ``services.room_end`` from whichever
        process the interviewer is connected to), this process, which holds the media, finishes them."""
        layer = get_channel_layer()
        if layer is None:
            return
        group = f"live.{self.room_id}"
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        try:
            while True:
                message = await layer.receive(channel)
                if message.get("type") == "room.event" and message.get("event") == "ended":
                    asyncio.ensure_future(room_media_end(room_id=self.room_id))
                    return
        finally:
            try:
                await layer.group_discard(group, channel)
            except Exception:  # the loop is closing
                pass

    async def _pump(self, track, peer: str, role: str) -> None:
        state = None
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            except Exception:
                logger.exception("room %s: %s track of %s ended", self.room_id, track.kind, peer)
                return
            analysis = self.analysis
            if analysis is None:
                continue
            if analysis.closed:
                return
            if state is None:
                state = analysis.new_track(track.kind)
            if role == "candidate":
                if track.kind == "audio":
                    analysis.audio(state, frame)
                else:
                    analysis.video(state, frame)
            elif track.kind == "audio":
                analysis.interviewer_audio(peer, state, frame)

    async def answer(self, *, peer: str, role: str, sdp: str, type: str) -> dict:
        old = self.peers.pop(peer, None)
        if old is not None:
            if role == "candidate" and self.analysis is not None:
                self.analysis.reconnects += 1
            await old.close()
        pc = RTCPeerConnection(RTCConfiguration(iceServers=ice_servers()))
        self.peers[peer] = pc

        @pc.on("track")
        def on_track(track):
            if role != "candidate" and track.kind != "audio":
                return
            task = asyncio.ensure_future(self._pump(track, peer, role))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

        @pc.on("connectionstatechange")
        async def on_state():
            if pc.connectionState == "failed":
                await pc.close()

        await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type=type))
        for transceiver in pc.getTransceivers():
            transceiver.direction = "recvonly" if transceiver.direction in ("sendrecv", "recvonly") else transceiver.direction
        await pc.setLocalDescription(await pc.createAnswer())  # gathers the candidates: the answer holds them
        return {"sdp": pc.localDescription.sdp, "type": pc.localDescription.type}

    async def close(self) -> dict | None:
        self.closed = True
        if self.listener is not asyncio.current_task():
            self.listener.cancel()
        peers, self.peers = list(self.peers.values()), {}
        for pc in peers:
            await pc.close()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.analysis is None:
            return None
        return await asyncio.get_running_loop().run_in_executor(None, self.analysis.close)


_rooms: dict[int, RoomMedia] = {}


def room_media(room_id: int) -> RoomMedia | None:
    """The room's media in this process (None when no server peer was ever offered here)."""
    return _rooms.get(room_id)


def _warm(options: dict) -> None:
    """Load the live models of this process (Whisper for the language, the VAD; they stay loaded: later sessions
    share them) with a throwaway session."""
    from analysis.live import LiveOptions, LiveSession

    session = LiveSession(LiveOptions(language=options.get("language", "auto")))
    live_models.hold()
    try:
        session.prepare()
    finally:
        session.close()
        live_models.release()  # warmed for a room that never started: freed after the idle time too


_warmed: set[str] = set()


async def room_media_prepare(*, room_id: int) -> None:
    """Load the models before the candidate is admitted (call it when the candidate joins the waiting room, e.g.
    ``asyncio.ensure_future(media.room_media_prepare(room_id=...))``): the first words after admission are then
    transcribed at once instead of waiting for a model to load (about 1-3 s). Cheap once done in the process."""
    try:
        options = await database_sync_to_async(_room_options)(room_id)
    except (RoomEnded, Exception):
        return
    language = options.get("language", "auto")
    if language in _warmed:
        return
    await asyncio.get_running_loop().run_in_executor(None, _warm, options)
    _warmed.add(language)


async def server_peer_answer(*, room_id: int, peer: str, role: str, sdp: str, type: str) -> dict:
    """Answer a browser's offer to the server peer: the candidate's audio and video are analysed and recorded;
    an interviewer's audio is only recorded. Returns ``{"sdp": ..., "type": "answer"}``. A second offer with the
    same ``peer`` replaces that connection (the analysis and recording go on). Raises ``RoomEnded``."""
    media = _rooms.get(room_id)
    if media is None or (role == "candidate" and media.analysis is None):
        options = await database_sync_to_async(_room_options)(room_id)
        media = _rooms.get(room_id)  # another offer may have made it meanwhile
        if media is None:
            media = _rooms[room_id] = RoomMedia(room_id)
        if role == "candidate" and media.analysis is None:
            loop = asyncio.get_running_loop()
            analysis = await loop.run_in_executor(None, lambda: RoomAnalysis(room_id, options=options, loop=loop))
            if media.analysis is None and not media.closed:
                media.analysis = analysis
            else:  # another offer made one meanwhile, or the room ended: drop ours
                await loop.run_in_executor(None, analysis.close)
    if media.closed:
        raise RoomEnded(room_id)
    return await media.answer(peer=peer, role=role, sdp=sdp, type=type)


async def room_media_end(*, room_id: int) -> None:
    """The room has ended: close its server peers and its LiveSession, finish the recording and store it
    (``recording.recording_store``); returns once stored. Called by ``services.room_end`` and by the room's own
    listener (the ``ended`` event: the process holding the media may not be the interviewer's); the second call
    waits for the first. Without media in this process, a file a killed process left (not written to for
    ``ADOPT_IDLE_S``) is stored; one still being written belongs to another process, which stores it."""
    from . import recording

    task = _closing.get(room_id)
    if task is None:
        media = _rooms.pop(room_id, None)
        if media is None:
            await database_sync_to_async(recording.recording_adopt)(room_id=room_id, min_idle_s=ADOPT_IDLE_S)
            return
        task = _closing[room_id] = asyncio.ensure_future(_end(media))
        task.add_done_callback(lambda _: _closing.pop(room_id, None))
    if task.get_loop() is asyncio.get_running_loop():
        await asyncio.shield(task)


ADOPT_IDLE_S = 30.0
_closing: dict[int, asyncio.Future] = {}


async def _end(media: RoomMedia) -> None:
    from datetime import UTC, datetime

    from . import recording

    result = await media.close() or {"path": None, "duration_s": None, "started_at": None, "media": None, "live_summary": None}
    started = result["started_at"]
    await database_sync_to_async(recording.recording_store)(
        room_id=media.room_id, path=result["path"], duration_s=result["duration_s"],
        started_at=datetime.fromtimestamp(started, UTC) if started else None, media=result["media"],
        live_summary=result["live_summary"])
