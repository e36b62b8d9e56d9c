"""Voice activity, pauses, syllable nuclei, pitch and loudness.

VAD is Silero (the ONNX model faster-whisper ships, so no extra download) with a small padding, so that
pause lengths are measured, not padded away. Prosody uses praat-parselmouth. Speech rate is counted by
syllable nuclei (de Jong & Wempe 2009): intensity peaks that stand out from the dips around them and are
voiced — language-independent, no transcript needed. When there is a usable transcript, the rates count the
syllables of what was said instead (``transcript_rates``, ``analysis.syllables``); the nuclei estimate stays in
the report for comparison and is the fallback.

Audio is processed in blocks (``SpeechAccumulator.add``) so a two-hour file never sits in memory whole;
only per-frame pitch/intensity values and segment times are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SR = 16000


@dataclass
class SpeechParams:
    min_pause_s: float = 0.3  # a silence shorter than this inside speech is not a pause
    vad_threshold: float = 0.5
    vad_pad_s: float = 0.03
    min_speech_s: float = 0.12
    pitch_floor_hz: float = 75.0
    pitch_ceiling_hz: float = 500.0
    nuclei_silence_db: float = -25.0  # peaks below (max intensity + this) are not syllables
    nuclei_min_dip_db: float = 2.0
    # A transcript is usable for the rates when its language is known and it is long and sure enough, and does
    # not loop (see transcript_rates).
    rate_min_syllables: int = 8
    rate_min_word_probability: float = 0.5
    rate_max_compression: float = 2.4  # Whisper's own threshold for a decoding that repeats itself
    rate_min_articulation: float = 1.5  # syllables per second of speech: below, words were lost
    rate_max_articulation: float = 9.0  # above, words were invented


def vad_segments(audio: np.ndarray, p: SpeechParams) -> list[tuple[float, float]]:
    """Speech stretches (seconds, relative to ``audio``), gaps shorter than ``min_pause_s`` merged."""
    if len(audio) < SR // 10 or float(np.abs(audio).max(initial=0.0)) < 1e-4:
        return []
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    opts = VadOptions(
        threshold=p.vad_threshold,
        min_speech_duration_ms=int(p.min_speech_s * 1000),
        min_silence_duration_ms=100,  # split generously; pauses shorter than min_pause_s are merged below
        speech_pad_ms=int(p.vad_pad_s * 1000),
    )
    ts = get_speech_timestamps(audio, opts, sampling_rate=SR)
    segs = [(d["start"] / SR, d["end"] / SR) for d in ts]
    return merge_segments(refine_edges(audio, segs), p.min_pause_s)


def refine_edges(audio: np.ndarray, segs: list[tuple[float, float]], search_s: float = 0.25) -> list[tuple[float, float]]:
    """Move each VAD edge to where the signal's energy actually rises or falls.

    Silero decides *whether* there is speech on 32 ms windows and lags at the ends; pause lengths need
    the edges to within a frame, which a 10 ms energy envelope gives (threshold: 35 dB under the loudest
    speech frames, and above the file's own noise floor).
    """
    if not segs:
        return segs
    hop = SR // 100
    n = len(audio) // hop
    if n < 3:
        return segs
    e = 10 * np.log10((audio[: n * hop].astype(np.float64).reshape(n, hop) ** 2).mean(axis=1) + 1e-12)
    loud = np.percentile(e, 99)
    floor = np.percentile(e, 5)
    thr = max(loud - 35.0, floor + 6.0)
    active = e > thr
    out = []
    for s, t in segs:
        a, b = int(s * 100), min(int(np.ceil(t * 100)), n)
        lo, hi = max(0, a - int(search_s * 100)), min(n, a + int(search_s * 100))
        on = np.flatnonzero(active[lo:hi])
        start = (lo + on[0]) / 100 if len(on) else s
        lo2, hi2 = max(0, b - int(search_s * 100)), min(n, b + int(search_s * 100))
        off = np.flatnonzero(active[lo2:hi2])
        end = (lo2 + off[-1] + 1) / 100 if len(off) else t
        if end > start:
            out.append((start, end))
    return out


def merge_segments(segs: list[tuple[float, float]], min_gap: float) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for s, e in sorted(segs):
        if out and s - out[-1][1] < min_gap:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _in_segments(times: np.ndarray, segs: list[tuple[float, float]]) -> np.ndarray:
    mask = np.zeros(len(times), bool)
    for s, e in segs:
        mask |= (times >= s) & (times <= e)
    return mask


def syllable_nuclei(
    intensity_db: np.ndarray, times: np.ndarray, voiced: np.ndarray, p: SpeechParams, max_db: float
) -> np.ndarray:
    """Times of syllable nuclei. ``voiced``: pitch defined at each intensity frame."""
    if len(intensity_db) < 3:
        return np.zeros(0)
    x = intensity_db
    threshold = max_db + p.nuclei_silence_db
    peaks = np.flatnonzero((x[1:-1] > x[:-2]) & (x[1:-1] >= x[2:])) + 1
    peaks = peaks[x[peaks] > threshold]
    kept: list[int] = []
    for pk in peaks:
        if not kept:
            kept.append(pk)
            continue
        prev = kept[-1]
        dip = float(x[prev : pk + 1].min())
        if x[pk] - dip >= p.nuclei_min_dip_db and x[prev] - dip >= p.nuclei_min_dip_db:
            kept.append(pk)
        elif x[pk] > x[prev]:
            kept[-1] = pk  # same syllable, higher peak
    kept_arr = np.array(kept, dtype=int)
    if len(kept_arr) == 0:
        return np.zeros(0)
    kept_arr = kept_arr[voiced[kept_arr]]
    return times[kept_arr]


@dataclass
class SpeechAccumulator:
    params: SpeechParams = field(default_factory=SpeechParams)
    segments: list[tuple[float, float]] = field(default_factory=list)
    nuclei: list[float] = field(default_factory=list)
    pitch_hz: list[np.ndarray] = field(default_factory=list)
    intensity_db: list[np.ndarray] = field(default_factory=list)
    duration_s: float = 0.0

    def add(self, audio: np.ndarray, offset_s: float) -> list[tuple[float, float]]:
        """Analyse one block of 16 kHz mono audio starting at ``offset_s``; returns its speech segments."""
        p = self.params
        self.duration_s = max(self.duration_s, offset_s + len(audio) / SR)
        segs = vad_segments(audio, p)
        self.segments.extend((s + offset_s, e + offset_s) for s, e in segs)
        if not segs:
            return []
        import parselmouth

        snd = parselmouth.Sound(audio.astype(np.float64), sampling_frequency=SR)
        pitch = snd.to_pitch_ac(time_step=0.01, pitch_floor=p.pitch_floor_hz, pitch_ceiling=p.pitch_ceiling_hz)
        f0 = pitch.selected_array["frequency"]
        f0_t = pitch.xs()
        inten = snd.to_intensity(minimum_pitch=100.0, time_step=0.01, subtract_mean=False)
        db = inten.values[0]
        db_t = inten.xs()
        in_speech_f0 = _in_segments(f0_t, segs)
        self.pitch_hz.append(f0[in_speech_f0 & (f0 > 0)])
        in_speech_db = _in_segments(db_t, segs)
        self.intensity_db.append(db[in_speech_db])
        # voiced at each intensity frame: nearest pitch frame has f0 > 0
        idx = np.clip(np.searchsorted(f0_t, db_t), 0, len(f0_t) - 1) if len(f0_t) else np.zeros(0, int)
        voiced = (f0[idx] > 0) if len(f0_t) else np.zeros(len(db_t), bool)
        max_db = float(np.percentile(db[in_speech_db], 99)) if in_speech_db.any() else float(db.max())
        nuc = syllable_nuclei(db, db_t, voiced & in_speech_db, p, max_db)
        self.nuclei.extend((nuc + offset_s).tolist())
        return [(s + offset_s, e + offset_s) for s, e in segs]

    def result(self) -> dict:
        p = self.params
        segs = merge_segments(self.segments, p.min_pause_s)
        self.segments = segs
        speaking = float(sum(e - s for s, e in segs))
        pauses = [(a[1], b[0]) for a, b in zip(segs, segs[1:])]
        plens = [e - s for s, e in pauses]
        f0 = np.concatenate(self.pitch_hz) if self.pitch_hz else np.zeros(0)
        db = np.concatenate(self.intensity_db) if self.intensity_db else np.zeros(0)
        n_syll = len(self.nuclei)
        dur = self.duration_s
        out: dict = {
            "duration_s": dur,
            "speaking_time_s": speaking,
            "speaking_ratio": speaking / dur if dur else 0.0,
            "segment_count": len(segs),
            "pause_count": len(pauses),
            "pause_mean_s": float(np.mean(plens)) if plens else None,
            "pause_longest_s": float(max(plens)) if plens else None,
            "pause_total_s": float(sum(plens)),
            "syllable_count": n_syll,
            "speech_rate_syll_per_s": n_syll / dur if dur and speaking else None,
            "articulation_rate_syll_per_s": n_syll / speaking if speaking else None,
            "pitch_mean_hz": None,
            "pitch_median_hz": None,
            "pitch_min_hz": None,
            "pitch_max_hz": None,
            "pitch_range_semitones": None,
            "pitch_sd_semitones": None,
            "loudness_sd_db": None,
            "loudness_range_db": None,
            "segments": [[s, e] for s, e in segs],
            "pauses": [[s, e] for s, e in pauses],
        }
        if len(f0) >= 10:
            st = 12 * np.log2(f0 / np.median(f0))
            lo, hi = np.percentile(f0, [5, 95])
            out.update(
                pitch_mean_hz=float(f0.mean()),
                pitch_median_hz=float(np.median(f0)),
                pitch_min_hz=float(lo),
                pitch_max_hz=float(hi),
                pitch_range_semitones=float(12 * np.log2(hi / lo)),
                pitch_sd_semitones=float(st.std()),
            )
        if len(db) >= 10:
            lo, hi = np.percentile(db, [5, 95])
            out.update(loudness_sd_db=float(db.std()), loudness_range_db=float(hi - lo))
        return out


def transcript_rates(speech: dict, transcript: dict | None, p: SpeechParams) -> str:
    """Use the transcript's syllables for ``speech_rate_syll_per_s``, ``articulation_rate_syll_per_s`` and
    ``syllable_count`` of ``speech`` (the dict ``SpeechAccumulator.result`` made) when the transcript is usable;
    the syllable-nuclei figures stay under ``acoustic_*``. Returns the source: "transcript" or "acoustic".

    Usable: the language is known (zh or en); at least ``rate_min_syllables`` syllables; mean word probability
    at least ``rate_min_word_probability``; the text does not repeat itself (zlib compression ratio of its
    400-byte windows at most ``rate_max_compression`` in at least four of five: Whisper's loops); and the
    syllables per second of speech are plausible. Otherwise
    ``speech["transcript_rate_rejected"]`` says why ("no_transcript", "language_unknown", "too_short",
    "low_confidence", "repetitive", "implausible_rate")."""
    speech["acoustic_syllable_count"] = speech["syllable_count"]
    speech["acoustic_speech_rate_syll_per_s"] = speech["speech_rate_syll_per_s"]
    speech["acoustic_articulation_rate_syll_per_s"] = speech["articulation_rate_syll_per_s"]
    speech["transcript_syllable_count"] = None
    reason = _transcript_unusable(speech, transcript, p)
    speech["transcript_rate_rejected"] = reason
    if transcript is not None and reason not in ("no_transcript", "language_unknown"):
        from .syllables import count_syllables

        speech["transcript_syllable_count"] = count_syllables(transcript["text"], transcript["language"])
        if reason is None:
            reason = _implausible(speech, p)
            speech["transcript_rate_rejected"] = reason
    source = "acoustic"
    if reason is None:
        n = speech["transcript_syllable_count"]
        dur, speaking = speech["duration_s"], speech["speaking_time_s"]
        speech["syllable_count"] = n
        speech["speech_rate_syll_per_s"] = n / dur if dur and speaking else None
        speech["articulation_rate_syll_per_s"] = n / speaking if speaking else None
        source = "transcript"
    speech["speech_rate_source"] = source
    return source


def _transcript_unusable(speech: dict, transcript: dict | None, p: SpeechParams) -> str | None:
    if transcript is None or not transcript.get("text", "").strip():
        return "no_transcript"
    if transcript.get("language") not in ("zh", "en"):
        return "language_unknown"
    probs = [w["p"] for w in transcript.get("words") or [] if w.get("p") is not None]
    if probs and sum(probs) / len(probs) < p.rate_min_word_probability:
        return "low_confidence"
    import zlib

    # Whisper's loop test, on windows of about its own segment's length (a long answer compresses better as a
    # whole however natural it is); a fifth of the windows looping spoils the count
    raw = transcript["text"].encode("utf-8")
    windows = [w for w in (raw[i : i + 400] for i in range(0, len(raw), 400)) if len(w) >= 60]
    looping = sum(len(w) / len(zlib.compress(w)) > p.rate_max_compression for w in windows)
    if windows and looping >= 0.2 * len(windows):
        return "repetitive"
    return None


def _implausible(speech: dict, p: SpeechParams) -> str | None:
    n = speech["transcript_syllable_count"] or 0
    if n < p.rate_min_syllables:
        return "too_short"
    speaking = speech["speaking_time_s"]
    if not speaking or not (p.rate_min_articulation <= n / speaking <= p.rate_max_articulation):
        return "implausible_rate"
    return None
