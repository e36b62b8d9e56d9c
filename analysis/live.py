"""Live analysis: a session fed audio and video as they arrive, giving neutral events with their media time.

The engine of the live interview (PRODUCT.md A2). One :class:`LiveSession` per interview::

    s = LiveSession(LiveOptions(language="zh", keywords=["团队协作"], biometric=allowed_and_consented))
    s.feed_audio(pcm)            # 16 kHz mono, float32 in [-1, 1] or int16, any chunk size
    s.feed_frame(rgb, t_s)       # H x W x 3 uint8 RGB and its media time (ignored unless biometric)
    for ev in s.poll(): send(ev.to_dict())   # non-blocking; or s.events(timeout), or on_event=callback
    summary = s.close()          # flushes the last segment, waits for it, returns a LiveSummary

How it keeps up (see docs/analysis.md, "Live mode"): Silero VAD runs on every 32 ms window as the audio
arrives (carrying the model's state, ~0.3 % of a core); speech activity, pauses and the rolling rates are
computed in the caller's thread. Transcription runs in one worker thread and decodes only speech: every
``partial_every_s`` the open segment's not yet committed audio is decoded with Whisper's encoder input cut
to its length (plus 1 s), and words two consecutive decodes agree on are committed (LocalAgreement-2), so
the window stays a few seconds long; when a pause closes the segment its tail is decoded once more and a
final segment is emitted. Keywords are matched on committed and final words only (never retracted).

Neutral signals only: speech activity, rates, words, keywords, face present/absent, head turned away from
the person's own usual pose, and the mouthSmile/browDown facial-action counts. No emotion or trait is
inferred or named.
"""

from __future__ import annotations

import collections
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .syllables import count_syllables

SR = 16000
_WIN = 512  # Silero VAD window (32 ms at 16 kHz)
_CTX = 64
_ZH_PROMPT = "以下是普通话的句子。"
_NORM = re.compile(r"[\W_]+", re.UNICODE)


@dataclass
class LiveOptions:
    language: str = "auto"  # "zh", "en" or "auto" (detected once, on the first 2 s of speech)
    keywords: list[str] = field(default_factory=list)
    synonyms: dict[str, list[str]] | None = None  # keyword -> other spellings HR added (as in the file analysis)
    biometric: bool = False  # face events only when the tenant allows it and the candidate consented
    transcribe: bool = True
    whisper_model_dirs: dict[str, str] | None = None
    face_model_path: str | None = None
    face_fps: float = 5.0  # frames fed faster than this are skipped
    window_s: float = 30.0  # rolling window of the rate events
    rate_every_s: float = 1.0
    min_pause_s: float = 0.3  # silence that ends a stretch of speech (as in the file analysis)
    long_pause_s: float = 2.0  # a pause event when a silence reaches this
    segment_gap_s: float = 0.6  # silence that closes a transcript segment (a final)
    partial_every_s: float = 1.0
    # a partial as soon as a stretch of speech ends (min_pause_s of silence), at least this long after the last
    # one, instead of waiting for the next partial_every_s tick (0: off)
    pause_partial_s: float = 0.4
    max_segment_s: float = 12.0  # a longer segment is cut at its least speech-like moment (bounded decode)
    min_segment_s: float = 3.0  # a shorter segment is closed only by a long pause (Whisper needs context)
    preroll_s: float = 0.2  # audio before a segment's onset decoded with it (< segment_gap_s: only silence)
    retry_preroll_s: float = 0.5  # a partial of >= 1.5 s that came out empty is decoded again with this before
    partial_budget: float = 0.35  # share of a core partials may take (their window grows with the segment)
    min_last_word_p: float = 0.25
    keyword_min_p: float = 0.6  # a keyword heard in a partial's unstable words: every word at least this likely
    keyword_margin_s: float = 0.5  # ... and ended this long before the decoded audio does
    vad_threshold: float = 0.5
    min_speech_s: float = 0.1


# ---- events ------------------------------------------------------------------------------------------


def _clean(x: Any) -> Any:
    if isinstance(x, float):
        return round(x, 3)
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    return x


@dataclass
class LiveEvent:
    """``type`` and ``t_s``: the media time (seconds from the first sample) the event is about."""

    type: str
    t_s: float

    def to_dict(self) -> dict[str, Any]:
        return _clean(asdict(self))


@dataclass
class SpeechEvent(LiveEvent):
    """``speech_start`` (t_s: onset) or ``speech_end`` (t_s: end of the last voiced window; sent once the
    silence has lasted ``min_pause_s``)."""


@dataclass
class PauseEvent(LiveEvent):
    """``pause``: a silence after speech reached ``long_pause_s`` (t_s = start_s + long_pause_s, end_s None);
    ``pause_end``: speech resumed after such a pause (t_s = end_s)."""

    start_s: float = 0.0
    end_s: float | None = None
    duration_s: float = 0.0


@dataclass
class RateEvent(LiveEvent):
    """Every ``rate_every_s``: speaking share over the last ``window_s`` of audio (t_s: now), and syllables
    per second from the words transcribed in the last ``window_s`` up to ``transcribed_until_s``
    (``analysis.syllables``: one per Han character, CMUdict for English)."""

    window_s: float = 0.0
    speaking_s: float = 0.0
    speaking_share: float = 0.0
    transcribed_until_s: float | None = None
    syllables: int | None = None
    speech_rate_syll_per_s: float | None = None
    articulation_rate_syll_per_s: float | None = None


@dataclass
class LiveWord:
    text: str
    start_s: float
    end_s: float
    probability: float


@dataclass
class TranscriptEvent(LiveEvent):
    """``partial`` (the open segment so far: ``stable_text`` is committed and will not change) or ``final``
    (the segment closed by a pause). t_s: the media time the decoded audio reaches."""

    segment: int = 0
    start_s: float = 0.0
    end_s: float = 0.0
    language: str | None = None
    text: str = ""
    stable_text: str = ""
    words: list[LiveWord] = field(default_factory=list)


@dataclass
class KeywordEvent(LiveEvent):
    """A position keyword heard (t_s: end of the words that spell it), with the words around it."""

    keyword: str = ""
    start_s: float = 0.0
    count: int = 0
    context: str = ""


@dataclass
class FaceEvent(LiveEvent):
    """Only with ``biometric``: ``face_present`` / ``face_absent`` (t_s: first sample of the new state),
    ``look_away`` (head turned from the person's rest pose), ``smile`` (mouthSmile facial-action score),
    ``frown`` (browDown score); t_s is the onset, ``count`` the running count, ``strength`` the score."""

    count: int = 0
    strength: float | None = None
    detail: dict[str, float] = field(default_factory=dict)


@dataclass
class LiveSummary:
    duration_s: float
    speaking_time_s: float
    speaking_share: float | None
    pause_count: int  # silences of at least min_pause_s between two stretches of speech
    long_pause_count: int  # of at least long_pause_s
    syllables: int | None
    speech_rate_syll_per_s: float | None
    articulation_rate_syll_per_s: float | None
    language: str | None
    text: str
    segments: list[dict[str, Any]]
    keywords: dict[str, int]
    keywords_not_applicable: list[str]  # not heard, and no form of it is in the answer's language (never "× 0")
    face: dict[str, Any] | None
    asr_s: float
    event_count: int

    def to_dict(self) -> dict[str, Any]:
        return _clean(asdict(self))


def _norm(w: str) -> str:
    return _NORM.sub("", w.lower())


def _shown_units(text: str) -> list[str]:
    """What a reader sees of a transcript word, for the benches' word latency: the word, or for Chinese each
    character. Whisper's word tokens cut Chinese differently from one decode to the next ('我不' + '用' in a
    partial, '我' + '不用' in the final), so by token the three characters a partial showed would count from the final."""
    key = _norm(text)
    return list(key) if key and all("\u3400" <= c <= "\u9fff" for c in key) else ([key] if key else [])


def _cut_loop(words: list, max_period: int = 12) -> list:
    """Cut a decoding loop: keep the first copy of a run of words repeated right after itself, and stop.

    Greedy Whisper on a few seconds of audio sometimes loops ("皇上请三四皇上请三四皇上请三四...", "6 spoons of
    fresh snow peas. 6 spoons of fresh snow peas. 6 spoons"). Real answers repeat short words ("对对对",
    "走吧走吧"), so one word must come four times, two words three times, longer runs twice."""
    keys = [_norm(w.text) for w in words]
    n = len(keys)
    for i in range(n):
        for p in range(1, max_period + 1):
            reps = 4 if p == 1 else 3 if p == 2 else 2
            if i + reps * p > n:
                break
            run = keys[i : i + p]
            if any(run) and all(keys[i + r * p : i + (r + 1) * p] == run for r in range(1, reps)):
                return words[: i + p]
    return words


# ---- the session ----------------------------------------------------------------------------------


class _Segment:
    def __init__(self, seg_id: int, start_s: float):
        self.id = seg_id
        self.start_s = start_s
        self.committed: list[LiveWord] = []
        self.hyp: list[LiveWord] = []
        self.keys: list[tuple[str, float]] = []


class LiveSession:
    """Feed audio/frames from one thread (or one asyncio task); read events from any thread. Always
    ``close()`` it (or use it as a context manager): the transcription thread ends there."""

    def __init__(self, options: LiveOptions | None = None, *, on_event: Callable[[LiveEvent], None] | None = None):
        self.opts = o = options or LiveOptions()
        if o.language not in ("zh", "en", "auto"):
            raise ValueError(f"language must be zh, en or auto, not {o.language!r}")
        from .keywords import parse_keywords

        self.keywords = parse_keywords(o.keywords)
        self._on_event = on_event
        self._events: collections.deque[LiveEvent] = collections.deque()
        self._ev_cond = threading.Condition()
        self._event_count = 0
        self._closed = False
        # audio and VAD (caller's thread)
        self._samples = 0
        self._rest = np.zeros(0, np.float32)
        self._vad_ctx = np.zeros(_CTX, np.float32)
        self._vad_h = self._vad_c = None
        self._vad = None
        self._speaking = False
        self._run = 0  # consecutive windows over the threshold
        self._cand = 0.0
        self._onset = 0.0
        self._last_voiced = None  # end of the last voiced window (media s)
        self._stretches: collections.deque[tuple[float, float]] = collections.deque()
        self._speaking_total = 0.0
        self._pauses: list[float] = []
        self._long_open = None  # start of a long pause being reported
        self._next_rate = o.rate_every_s
        # ASR (worker thread)
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._chunks: collections.deque[tuple[int, np.ndarray]] = collections.deque()
        self._open_start: float | None = None  # ASR segment start (media s)
        self._closed_segs: collections.deque[tuple[float, float]] = collections.deque()
        self._seg: _Segment | None = None
        self._seg_n = 0
        self._finals: list[TranscriptEvent] = []
        self._recent_words: collections.deque[LiveWord] = collections.deque()
        self._transcribed_until: float | None = None
        self._kw_counts = {k: 0 for k in self.keywords}
        self._asr_s = 0.0
        self._last_partial = -1e9
        self._voiced_until = -1.0
        self._busy = False
        self.decode_log: collections.deque[tuple[float, float, float]] = collections.deque(maxlen=10000)
        self.partial_retries = 0  # partials decoded a second time (see _partial): for the bench
        self._partial_cost = 0.0
        self._end: float | None = None  # end of the last finished stretch of speech (refined)
        self._erest = np.zeros(0, np.float32)
        self._energy_n = 0
        self._cut_starts: set[float] = set()
        self._energy: collections.deque[float] = collections.deque(maxlen=30 * 100)  # 10 ms frames, dB
        self._probs: collections.deque[tuple[float, float]] = collections.deque()  # (window end, VAD prob), open segment
        self.language: str | None = o.language if o.language != "auto" else None
        self._model_dir = None
        self._whisper = None
        self._worker = None
        self._asr_error: BaseException | None = None
        if o.transcribe:
            from .transcript import resolve_model_dir

            self._model_dir = resolve_model_dir(o.language, o.whisper_model_dirs)
        if self._model_dir:
            self._worker = threading.Thread(target=self._asr_loop, name="hirelens-live-asr", daemon=True)
            self._worker.start()
        # face (caller's thread)
        self._face = None
        if o.biometric:
            from .face import FaceAnalyser, FaceParams

            self._fp = FaceParams()
            self._face = FaceAnalyser(fps=o.face_fps, pose_every=None, model_path=o.face_model_path)
            self._face_next: float | None = None
            self._face_state: bool | None = None
            self._face_absent_since: float | None = None
            self._face_counts = {"smile": 0, "frown": 0, "look_away": 0, "face_absent": 0}
            self._expr = {k: {"on": False, "since": None, "sent": False, "peak": 0.0} for k in ("smile", "frown", "look_away")}
            self._face_rest = None  # face.Rest, once the first rest_s seconds with a face have been seen
            self._rest_wait: list = []
            self._face_samples = 0
            self._face_present_n = 0

    def prepare(self) -> None:
        """Load the models now (a worker calls this before the interview starts; otherwise the first
        decode pays for it: about a second for Whisper base)."""
        self._vad_probs(np.zeros((1, _WIN), np.float32))
        self._vad_h = np.zeros((1, 1, 128), np.float32)
        self._vad_c = np.zeros((1, 1, 128), np.float32)
        self._vad_ctx = np.zeros(_CTX, np.float32)
        if self._model_dir and self._whisper is None:
            with self._cond:
                self._load_model()
                noise = np.random.default_rng(0).normal(0, 1e-3, SR).astype(np.float32)
                cpu = self._asr_s
                lang = self.language
                if self._multilingual and lang is None:
                    self.language = "en"
                self._decode(noise, 0.0)
                self.language, self._asr_s = lang, cpu
                self.decode_log.clear()

    def __enter__(self) -> LiveSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- events ----

    def _emit(self, ev: LiveEvent) -> None:
        with self._ev_cond:
            self._events.append(ev)
            self._event_count += 1
            self._ev_cond.notify_all()
        if self._on_event is not None:
            self._on_event(ev)

    def poll(self) -> list[LiveEvent]:
        """The events since the last poll (non-blocking)."""
        with self._ev_cond:
            out = list(self._events)
            self._events.clear()
        return out

    def events(self, timeout: float | None = None) -> Iterator[LiveEvent]:
        """Yield events as they come; stops after ``timeout`` s without one, or once closed and drained."""
        while True:
            with self._ev_cond:
                if not self._events and not self._closed:
                    self._ev_cond.wait(timeout)
                if not self._events:
                    return
                ev = self._events.popleft()
            yield ev

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until the transcription worker has nothing due (for tests and offline replays that feed
        faster than real time but want the partials a live feed would get). False on timeout."""
        if self._worker is None:
            return True
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._busy or self._job_due():
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(0.05 if left is None else min(0.05, left))
        return True

    def _job_due(self) -> bool:
        if self._closed_segs:
            return True
        now = self._samples / SR
        # partials at most every partial_every_s of media, and no more often than keeps their decoding under
        # partial_budget of a core (a long window costs more); only when there is new speech
        every = max(self.opts.partial_every_s, self._partial_cost / self.opts.partial_budget)
        if (self.opts.pause_partial_s and not self._speaking and self._end is not None
                and self._end > self._last_partial):
            every = max(self.opts.pause_partial_s, self._partial_cost / self.opts.partial_budget)
        return (self._open_start is not None and now - self._last_partial >= every
                and self._voiced_until > self._last_partial and now - self._open_start >= 0.8)

    @property
    def media_time_s(self) -> float:
        return self._samples / SR

    # ---- audio ----

    def feed_audio(self, pcm, *, dtype: str | None = None) -> None:
        """16 kHz mono samples: a float array in [-1, 1], an int16 array, or bytes (int16 LE unless ``dtype``)."""
        if self._closed:
            raise RuntimeError("the live session is closed")
        if isinstance(pcm, (bytes, bytearray, memoryview)):
            pcm = np.frombuffer(pcm, dtype=dtype or "<i2")
        x = np.asarray(pcm)
        if x.ndim > 1:
            if x.shape[-1] == 1 or x.shape[0] == 1:
                x = x.reshape(-1)
            else:
                raise ValueError("live audio must be mono")
        if x.dtype == np.int16:
            x = x.astype(np.float32) / 32768.0
        else:  # a copy: the caller may reuse its buffer, and the transcript decodes this audio later
            x = x.astype(np.float32, copy=True)
        if not len(x):
            return
        start = self._samples
        with self._cond:
            self._chunks.append((start, x))
        self._samples += len(x)
        self._energies(x)
        buf = np.concatenate([self._rest, x]) if len(self._rest) else x
        n = len(buf) // _WIN
        self._rest = buf[n * _WIN :].copy()
        if n:
            self._vad_windows(buf[: n * _WIN].reshape(n, _WIN), (self._samples - len(self._rest)) / SR - n * _WIN / SR)
        self._rates()
        with self._cond:
            self._prune()
            self._cond.notify()

    def _vad_probs(self, w: np.ndarray) -> np.ndarray:
        if self._vad is None:
            from faster_whisper.vad import get_vad_model

            self._vad = get_vad_model().session
            self._vad_h = np.zeros((1, 1, 128), np.float32)
            self._vad_c = np.zeros((1, 1, 128), np.float32)
        ctx = np.concatenate([self._vad_ctx[None], w[:-1, -_CTX:]], 0)
        x = np.ascontiguousarray(np.concatenate([ctx, w], 1), dtype=np.float32)
        out, self._vad_h, self._vad_c = self._vad.run(None, {"input": x, "h": self._vad_h, "c": self._vad_c})
        self._vad_ctx = w[-1, -_CTX:].copy()
        return np.asarray(out).reshape(-1)

    def _vad_windows(self, w: np.ndarray, t0: float) -> None:
        o = self.opts
        probs = self._vad_probs(w)
        neg = max(o.vad_threshold - 0.15, 0.01)
        need = max(1, int(np.ceil(o.min_speech_s * SR / _WIN)))
        dt = _WIN / SR
        for i, p in enumerate(probs):
            a, b = t0 + i * dt, t0 + (i + 1) * dt
            if p >= o.vad_threshold:
                if self._run == 0:
                    self._cand = a
                self._run += 1
                if self._speaking:
                    self._last_voiced = self._voiced_until = b
                elif self._run >= need:
                    self._speech_on(self._cand, b)
            else:
                if p < neg:
                    self._run = 0
                elif self._speaking:
                    self._last_voiced = b
                if self._last_voiced is not None:
                    self._silence(b)
            if self._open_start is not None:
                self._probs.append((b, float(p)))
                if b - self._open_start >= o.max_segment_s:
                    self._cut_segment(b)

    def _cut_segment(self, now: float) -> None:
        """A segment has run max_segment_s without a pause: close it at its least speech-like 32 ms (lowest
        VAD probability) in its last 40 %, so that no decode window grows without bound."""
        lo = self._open_start + 0.6 * self.opts.max_segment_s
        cands = [(p, t) for t, p in self._probs if lo <= t <= now - 0.3]
        if not cands:
            return
        _, cut = min(cands)
        with self._cond:
            self._closed_segs.append((self._open_start, cut))
            self._open_start = cut
            self._cut_starts.add(cut)
            self._cond.notify()
        while self._probs and self._probs[0][0] <= cut:
            self._probs.popleft()

    def _energies(self, x: np.ndarray) -> None:
        buf = np.concatenate([self._erest, x]) if len(self._erest) else x
        n = len(buf) // 160
        self._erest = buf[n * 160 :].copy()
        if n:
            fr = buf[: n * 160].astype(np.float64).reshape(n, 160)
            self._energy.extend((10 * np.log10((fr * fr).mean(axis=1) + 1e-12)).tolist())
            self._energy_n += n

    def _refine(self, t: float, now: float, rising: bool) -> float:
        """Move a VAD edge to where the 10 ms energy crosses 35 dB under the loudest speech of the last 30 s
        (as the file analysis does, speech.refine_edges: Silero works on 32 ms windows and lags at the ends).
        Only audio up to ``now`` (the VAD window that decided) is used: the result does not depend on how
        the audio was chunked."""
        e = np.fromiter(self._energy, float, len(self._energy))
        base = self._energy_n - len(e)
        e = e[: max(0, int(round(now * 100)) - base)]
        if len(e) < 20:
            return t
        thr = max(float(np.percentile(e, 99)) - 35.0, float(np.percentile(e, 5)) + 6.0)
        lo, hi = max(int(round((t - 0.25) * 100)) - base, 0), min(int(round((t + 0.25) * 100)) - base, len(e))
        act = np.flatnonzero(e[lo:hi] > thr) if hi > lo else []
        if not len(act):
            return t
        return (base + lo + act[0]) / 100 if rising else (base + lo + act[-1] + 1) / 100

    def _speech_on(self, cand: float, now: float) -> None:
        self._speaking = True
        onset = self._refine(cand, now, rising=True)
        if self._end is not None:
            onset = max(onset, self._end + 0.01)
        # (a gap under min_pause_s never gets here: the stretch is still open, see _silence)
        if self._end is not None:
            gap = onset - self._end
            self._pauses.append(gap)
            if self._long_open is not None:
                self._emit(PauseEvent("pause_end", onset, start_s=self._long_open, end_s=onset, duration_s=gap))
        self._long_open = None
        self._onset = onset
        self._emit(SpeechEvent("speech_start", onset))
        self._last_voiced = now
        with self._cond:
            if self._open_start is None and self._worker is not None:  # no transcript: no segments to keep
                self._open_start = onset
                self._probs.clear()
            self._voiced_until = now
            self._cond.notify()

    def _end_stretch(self, now: float) -> None:
        end = max(self._refine(self._last_voiced, now, rising=False), self._onset + 0.01)
        self._speaking = False
        self._end = end
        self._stretches.append((self._onset, end))
        self._speaking_total += end - self._onset
        self._emit(SpeechEvent("speech_end", end))

    def _silence(self, now: float) -> None:
        o = self.opts
        gap = now - self._last_voiced
        if self._speaking and gap >= o.min_pause_s:
            self._end_stretch(now)
        if self._speaking:
            return
        if gap >= o.segment_gap_s:
            with self._cond:
                if self._open_start is not None and (
                    self._end - self._open_start >= o.min_segment_s or gap >= o.long_pause_s
                ):
                    self._closed_segs.append((self._open_start, self._end))
                    self._open_start = None
                    self._cond.notify()
        if now - self._end >= o.long_pause_s and self._long_open is None:
            self._long_open = self._end
            self._emit(PauseEvent("pause", self._end + o.long_pause_s, start_s=self._end))

    def _speaking_in(self, a: float, b: float) -> float:
        tot = 0.0
        spans = list(self._stretches)
        if self._speaking:
            spans.append((self._onset, b))
        for s, e in spans:
            tot += max(0.0, min(e, b) - max(s, a))
        return tot

    def _rates(self) -> None:
        o = self.opts
        now = self.media_time_s
        while now >= self._next_rate:
            t = self._next_rate
            self._next_rate += o.rate_every_s
            a = max(0.0, t - o.window_s)
            while self._stretches and self._stretches[0][1] < t - 2 * o.window_s:
                self._stretches.popleft()
            speaking = self._speaking_in(a, t)
            ev = RateEvent("rate", t, window_s=t - a, speaking_s=speaking, speaking_share=speaking / (t - a) if t > a else 0.0)
            with self._cond:
                until = self._transcribed_until
                words = [w for w in self._recent_words if until is not None and w.end_s > until - o.window_s]
                if self._seg is not None:
                    words += [w for w in self._seg.committed + self._seg.hyp if until is not None and w.end_s > until - o.window_s]
            if until is not None and self._model_dir:
                ua = max(0.0, until - o.window_s)
                n = count_syllables(self._text(words), self.language)
                sp = self._speaking_in(ua, until)
                ev.transcribed_until_s = until
                ev.syllables = n
                ev.speech_rate_syll_per_s = n / (until - ua) if until > ua else None
                ev.articulation_rate_syll_per_s = n / sp if sp > 0.5 else None
            self._emit(ev)

    # ---- ASR (worker thread) ----

    def _prune(self) -> None:
        """Drop audio no decode can need any more (called with the lock held)."""
        keep = self._samples / SR - 1.0
        for s in [self._open_start, self._seg.start_s if self._seg else None] + [a for a, _ in self._closed_segs]:
            if s is not None:
                keep = min(keep, s - 0.5)
        while len(self._chunks) > 1:
            st, x = self._chunks[0]
            if (st + len(x)) / SR < keep:
                self._chunks.popleft()
            else:
                break

    def _audio(self, a: float, b: float) -> np.ndarray:
        i0, i1 = int(a * SR), int(b * SR)
        parts = []
        for st, x in self._chunks:
            lo, hi = max(i0, st), min(i1, st + len(x))
            if hi > lo:
                parts.append(x[lo - st : hi - st])
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)

    def _load_model(self) -> None:
        from faster_whisper import WhisperModel

        from .transcript import _model, is_multilingual

        base = _model(self._model_dir, 1).model  # shared with the file analysis: loaded once per process

        class _CutEncoder(WhisperModel):
            """The process's model, with the encoder's input cut to the window (plus 1 s of padding).

            Whisper pads every window to 30 s; for a few seconds of live speech that is most of the cost.
            Measured on whisper base, one Zen 4 core: an 11.6 s Mandarin clip 1.1 s against 2.5 s, the same text.
            Cut to the bare length it repeated a sentence on one clip; 1 s of padding did not."""

            frames: int | None = None
            inner_encode = None  # the base model's own ``encode`` when the file analysis wrapped it

            def encode(self, features):
                if self.frames is not None and features.shape[-1] > self.frames:
                    features = np.ascontiguousarray(features[..., : self.frames])
                return (self.inner_encode or super().encode)(features)

        m = _CutEncoder.__new__(_CutEncoder)
        m.__dict__.update(base.__dict__)
        # transcript._model sets ``encode`` on the instance (one window at a time); copied over, it hid this class's
        # method and every live decode encoded the full 30 s again (bench: decode CPU 1.24 s against 0.23 s)
        m.inner_encode = m.__dict__.pop("encode", None)
        self._whisper = m
        self._multilingual = is_multilingual(self._model_dir)
        if not self._multilingual:
            self.language = "en"

    def _decode(self, audio: np.ndarray, offset: float, speech_end: float | None = None) -> list[LiveWord]:
        """Words of one window. faster-whisper, after a window decoded without timestamp tokens, seeks to
        the last word's end and decodes the rest as a new window (a second encode and decode: about half
        the cost of a short window; on these windows the rest was mostly silence and came out as "嗯", "3").
        So only the first pass is taken, unless speech the VAD heard (up to ``speech_end``) is left over
        by 0.7 s or more (Whisper stopped early): then the rest is decoded too."""
        from .transcript import Word, _to_simplified

        if self._whisper is None:
            self._load_model()
        m = self._whisper
        m.frames = len(audio) // 160 + 100
        lang = self.language
        # No earlier text as prompt: on these short windows it made Whisper repeat it (both tiny.en and base)
        prompt = _ZH_PROMPT if lang == "zh" else None
        t, cpu = time.perf_counter(), time.process_time()
        secs = len(audio) / SR
        segments, info = m.transcribe(
            audio,
            language=lang,
            beam_size=1,
            best_of=1,
            # greedy only: a sampled retry (faster-whisper's temperature fallback) made results random and
            # cost a second decode; loops are cut by _cut_loop instead
            temperature=0.0,
            without_timestamps=True,
            word_timestamps=True,
            vad_filter=False,
            condition_on_previous_text=False,
            initial_prompt=prompt,
            # speech has at most ~8 syllables a second: a longer output is a loop, never speech
            max_new_tokens=int(9 * secs) + 6,
        )
        words: list[Word] = []
        for seg in segments:  # (decoding happens here: segments is a generator)
            if not (seg.no_speech_prob > 0.6 and seg.avg_logprob < -1.0):
                for w in seg.words or []:
                    words.append(Word(w.word, w.start + offset, w.end + offset, w.probability))
            done = words[-1].end_s if words else offset
            if speech_end is None or speech_end - done < 0.7:
                break
        if self.language is None and len(audio) >= 2 * SR:
            if info.language_probability >= 0.5 or len(audio) >= 5 * SR:
                self.language = info.language
        if (info.language or lang) == "zh" and words:
            _, words = _to_simplified("", words)
        # Whisper ends a short window with filler it did not hear ("嗯", "好我我", "3"): on the bench
        # recordings every such word had a probability <= 0.18, the real last words >= 0.3
        words = _cut_loop([w for w in words if "\ufffd" not in w.text])
        # (or lower, followed by a likelier filler: "3" p 0.02, "嗯" p 0.48): a near-impossible word among the last
        # three ends the window
        for i in range(max(0, len(words) - 3), len(words)):
            if words[i].probability < 0.1:
                del words[i:]
                break
        while words and words[-1].probability < self.opts.min_last_word_p:
            words.pop()
        wall = time.perf_counter() - t
        self._asr_s += wall
        # wall and process CPU time of each decode (CTranslate2 computes in threads of its own, so the
        # process's CPU time is the measure; the feeding thread's share of it is small): for the bench
        self.decode_log.append((secs, wall, time.process_time() - cpu))
        return [LiveWord(w.text, w.start_s, w.end_s, w.probability) for w in words]

    def _asr_loop(self) -> None:
        try:
            while True:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
                    while True:
                        now = self._samples / SR
                        if self._closed_segs:
                            job = ("final", self._closed_segs.popleft())
                            break
                        if self._job_due():
                            job = ("partial", (self._open_start, now))
                            break
                        if self._closed:
                            return
                        self._cond.wait(0.5)
                    self._busy = True
                kind, (a, b) = job
                if self._seg is None or self._seg.start_s != a:
                    if self._seg is not None:  # its final was lost (cannot happen: finals come first); drop it
                        self._seg = None
                    self._seg_n += 1
                    self._seg = _Segment(self._seg_n, a)
                if kind == "partial":
                    self._last_partial = b
                    self._partial(b)
                else:
                    self._final(b)
        except BaseException as exc:  # surfaced by close()
            self._asr_error = exc

    def _partial(self, now: float) -> None:
        """Decode the open segment so far; words two consecutive decodes agree on become stable."""
        seg = self._seg
        a = max(0.0, seg.start_s - (0.0 if seg.start_s in self._cut_starts else self.opts.preroll_s))
        with self._cond:
            audio = self._audio(a, now)
            voiced = min(now, self._voiced_until)
        # speech_end: Whisper often ends a window at a sentence's end ("…呢？" then end-of-text) with more speech
        # after it; that rest is decoded too (bench, Mandarin: the next sentence otherwise waited 2-3 s for a
        # later partial or the final)
        hyp = self._decode(audio, a, speech_end=voiced)
        if not hyp and now - seg.start_s >= 1.5 and seg.start_s not in self._cut_starts and a > 0:
            # Whisper heard nothing (or only the prompt, dropped as improbable) in a window that begins on a weak
            # onset: bench, Mandarin, a segment opening on a soft "会" gave three empty partials in a row and all
            # its words came only with the final (2-6 s); with 0.5 s of silence before, they were heard
            a = max(0.0, seg.start_s - self.opts.retry_preroll_s)
            self.partial_retries += 1
            with self._cond:
                audio = self._audio(a, now)
            hyp = self._decode(audio, a, speech_end=voiced)
        # its CPU time, not wall time: on a busy machine the wall time of a decode grows but its cost does not,
        # and spacing partials out there would only add latency
        self._partial_cost = self.decode_log[-1][2]
        # LocalAgreement-2, on the words after the stable ones (matched by time: the text before is settled)
        if seg.committed:
            hyp = [w for w in hyp if w.start_s >= seg.committed[-1].end_s - 0.1]
        k = 0
        while k < min(len(hyp), len(seg.hyp)) and _norm(hyp[k].text) == _norm(seg.hyp[k].text):
            k += 1
        newly = hyp[:k]
        with self._cond:
            seg.committed += newly
            seg.hyp = hyp[k:]
            self._transcribed_until = now
        self._emit(self._transcript_event("partial", seg, now, seg.committed + seg.hyp))
        self._keywords(seg, seg.committed + seg.hyp, stable=len(seg.committed), now=now)

    def _final(self, end: float) -> None:
        """The closed segment decoded whole: the final text (it may differ a little from the partials' stable
        text, which saw less of the segment)."""
        seg = self._seg
        a = max(0.0, seg.start_s - (0.0 if seg.start_s in self._cut_starts else self.opts.preroll_s))
        b = min(end + 0.25, self._samples / SR)
        with self._cond:
            audio = self._audio(a, b)
        words = [w for w in self._decode(audio, a, speech_end=end) if w.start_s <= end + 0.1]
        # a decode that found nothing where the partials had words (a hard stretch) keeps what was shown
        words = words or seg.committed + seg.hyp
        ev = self._transcript_event("final", seg, b, words)
        ev.stable_text = ev.text
        with self._cond:
            self._finals.append(ev)
            self._recent_words.extend(words)
            while self._recent_words and self._recent_words[0].end_s < end - 2 * self.opts.window_s:
                self._recent_words.popleft()
            self._transcribed_until = max(self._transcribed_until or 0.0, b)
            self._seg = None
        self._emit(ev)
        self._keywords(seg, words, stable=len(words), now=b)

    def _text(self, words: list[LiveWord]) -> str:
        return "".join(w.text for w in words).strip()

    def _transcript_event(self, kind: str, seg: _Segment, t: float, words: list[LiveWord]) -> TranscriptEvent:
        start = words[0].start_s if words else seg.start_s
        end = words[-1].end_s if words else t
        return TranscriptEvent(kind, t, segment=seg.id, start_s=start, end_s=end, language=self.language,
                               text=self._text(words), stable_text=self._text(seg.committed), words=list(words))

    def _keywords(self, seg: _Segment, words: list[LiveWord], *, stable: int, now: float) -> None:
        """Keyword events, never retracted: a mention in stable words (two decodes agreed, or the final), or
        one the latest decode heard confidently (every word's probability >= keyword_min_p) and not at the
        window's ragged end (ended keyword_margin_s before it): waiting for a second decode would make
        keywords 1-2 s later. A mention is sent once (the same keyword within 0.6 s is the same mention)."""
        if not self.keywords or not words:
            return
        from .keywords import count_keywords
        from .transcript import Word

        text = self._text(words)
        tw = [Word(w.text, w.start_s, w.end_s, w.probability) for w in words]
        hits = count_keywords(text, self.keywords, words=tw, synonyms=self.opts.synonyms, language=self.language)
        for k, times in hits.times.items():
            for t0 in times:
                # the same mention seen again (a later partial, the final: times move by a few 10 ms)
                if any(k == k2 and abs(t0 - t2) < 0.6 for k2, t2 in seg.keys):
                    continue
                # the words that spell it (from the first starting at t0), and up to ten words (Chinese:
                # mostly characters) or six English words on either side, as far as they were heard
                i = next((n for n, w in enumerate(words) if w.start_s >= t0 - 0.01), len(words) - 1)
                j, acc = i, ""
                while j < len(words):
                    acc += _norm(words[j].text)
                    if len(acc) >= len(_norm(k)):
                        break
                    j += 1
                j = min(j, len(words) - 1)
                end = words[j].end_s
                if j >= stable and (end > now - self.opts.keyword_margin_s
                                    or min(w.probability for w in words[i : j + 1]) < self.opts.keyword_min_p):
                    continue
                seg.keys.append((k, t0))
                self._kw_counts[k] += 1
                span = 10 if self.language == "zh" else 6
                near = words[max(0, i - span) : j + 1 + span]
                self._emit(KeywordEvent("keyword", end, keyword=k, start_s=t0, count=self._kw_counts[k],
                                        context=self._text(near)))

    # ---- video ----

    def feed_frame(self, rgb: np.ndarray, t_s: float) -> None:
        """One RGB frame (H x W x 3 uint8) at media time ``t_s``. Ignored unless ``biometric``."""
        if self._face is None or self._closed:
            return
        step = 1.0 / self.opts.face_fps
        if self._face_next is not None and t_s + 1e-6 < self._face_next:
            return
        # the next sample is due one step on (or half a step after this frame, if frames came late)
        self._face_next = t_s + step if self._face_next is None else max(self._face_next + step, t_s + step * 0.5)
        self._face.add(t_s, rgb)
        s = self._face.samples.pop()  # the live session keeps its own state: memory stays bounded
        self._face_sample(s, step)

    def _face_sample(self, s, step: float) -> None:
        fp = self._fp
        present = s.faces >= 1
        self._face_samples += 1
        self._face_present_n += int(present)
        # present / absent: absence is reported once it lasts min_event_s (as in the file analysis)
        if present:
            self._face_absent_since = None
            if self._face_state is not True:
                self._face_state = True
                self._emit(FaceEvent("face_present", s.t, detail={"faces": float(s.faces)}))
        else:
            if self._face_absent_since is None:
                self._face_absent_since = s.t
            if self._face_state is not False and s.t - self._face_absent_since + step >= fp.min_event_s:
                self._face_state = False
                self._face_counts["face_absent"] += 1
                self._emit(FaceEvent("face_absent", self._face_absent_since, count=self._face_counts["face_absent"]))
        self._hyst("smile", s.t, s.smile if present else 0.0, fp.smile_on, fp.smile_off, step)
        # frown and looking away are judged against the person's rest face (face.Rest: their first rest_s
        # seconds with a face, as in the file analysis); until it is known the samples wait, then are judged
        if self._face_rest is None:
            self._rest_wait.append(s)
            shown = [x for x in self._rest_wait if x.faces >= 1]
            if len(shown) >= 3 and s.t >= shown[0].t + fp.rest_s:
                from .face import Rest

                w = self._rest_wait
                self._face_rest = Rest.of(np.array([x.t for x in w]), np.array([x.faces >= 1 for x in w]),
                                     np.array([x.frown for x in w]), np.array([x.yaw for x in w]),
                                     np.array([x.pitch for x in w]), fp)
                self._rest_wait = []
                for x in w:
                    self._judge_rest(x, step)
            return
        self._judge_rest(s, step)

    def _judge_rest(self, s, step: float) -> None:
        fp, rest = self._fp, self._face_rest
        present = s.faces >= 1
        on, off = rest.frown_levels(fp)
        self._hyst("frown", s.t, s.frown if present else 0.0, on, off, step)
        dev = float(rest.look_deviation(s.yaw, s.pitch, fp)) if present else 0.0
        detail = {"yaw_deg": s.yaw - rest.yaw, "pitch_deg": s.pitch - rest.pitch} if present else {}
        self._hyst("look_away", s.t, dev, 1.0, fp.look_off, step, detail)

    def _hyst(self, kind: str, t: float, score: float, on: float, off: float, step: float, detail=None) -> None:
        st = self._expr[kind]
        active = score >= on if not st["on"] else score >= off
        if active and not st["on"]:
            st.update(on=True, since=t, sent=False, peak=score)
        elif not active and st["on"]:
            st.update(on=False, since=None, sent=False)
        if st["on"]:
            st["peak"] = max(st["peak"], score)
            if not st["sent"] and t - st["since"] + step >= self._fp.min_event_s:
                st["sent"] = True
                self._face_counts[kind] += 1
                self._emit(FaceEvent(kind, st["since"], count=self._face_counts[kind], strength=st["peak"], detail=detail or {}))

    # ---- end ----

    def close(self, timeout: float | None = 60.0) -> LiveSummary:
        """End of the media: report the last stretch and segment, wait for their transcript, summarise."""
        if not self._closed:
            if self._speaking or (self._last_voiced is not None and self._open_start is not None):
                if self._speaking:
                    self._end_stretch(self.media_time_s)
                with self._cond:
                    if self._open_start is not None:
                        self._closed_segs.append((self._open_start, self._end))
                        self._open_start = None
            with self._cond:
                self._closed = True
                self._cond.notify_all()
            if self._worker is not None:
                self._worker.join(timeout)
            if self._face is not None:
                self._face.close()
            with self._ev_cond:
                self._ev_cond.notify_all()
        if self._asr_error is not None:
            raise self._asr_error
        return self._summary()

    def _summary(self) -> LiveSummary:
        dur = self.media_time_s
        speaking = self._speaking_total
        text_sep = "" if self.language == "zh" else " "
        text = text_sep.join(f.text for f in self._finals).strip()
        n = count_syllables(text, self.language) if self._model_dir else None
        from .keywords import keyword_applicable, parse_keywords

        syn = self.opts.synonyms or {}
        na = [k for k in self.keywords if not self._kw_counts[k]
              and not keyword_applicable(parse_keywords([k, *(syn.get(k) or [])]), self.language)]
        face = None
        if self._face is not None:
            face = {"samples": self._face_samples,
                    "face_present_ratio": self._face_present_n / self._face_samples if self._face_samples else None,
                    "smile_count": self._face_counts["smile"], "frown_count": self._face_counts["frown"],
                    "look_away_count": self._face_counts["look_away"], "face_absent_count": self._face_counts["face_absent"]}
        return LiveSummary(
            duration_s=dur,
            speaking_time_s=speaking,
            speaking_share=speaking / dur if dur else None,
            pause_count=len(self._pauses),
            long_pause_count=sum(1 for p in self._pauses if p >= self.opts.long_pause_s),
            syllables=n,
            speech_rate_syll_per_s=n / dur if n is not None and dur and speaking else None,
            articulation_rate_syll_per_s=n / speaking if n is not None and speaking else None,
            language=self.language,
            text=text,
            segments=[{"start_s": f.start_s, "end_s": f.end_s, "text": f.text} for f in self._finals],
            keywords={k: n for k, n in self._kw_counts.items() if k not in na},
            keywords_not_applicable=na,
            face=face,
            asr_s=self._asr_s,
            event_count=self._event_count,
        )
