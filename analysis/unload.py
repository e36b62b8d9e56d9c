"""Free what analysing loaded, for a process that stays up between analyses (a worker idle for a while).

The speech model (CTranslate2), each thread's face and posture models (LiteRT / MediaPipe), jieba's dictionary and
the CMU pronouncing dictionary are kept once loaded, so that the next answer does not pay to load them again. An
idle worker hands them back with ``models_unload()``: the next analysis loads them again (about 1-2 s)."""

from __future__ import annotations

import gc


def models_unload() -> dict[str, int]:
    """Drop every cached model and dictionary of this process; returns what was dropped. Safe while no analysis
    runs in the process (one that runs keeps the objects it holds; only the caches are emptied)."""
    import sys

    from ._cpu import release_free_memory

    freed: dict[str, int] = {}
    transcript = sys.modules.get("analysis.transcript")
    if transcript is not None:
        with transcript._lock:
            freed["speech_models"] = len(transcript._models)
            transcript._models.clear()
    face = sys.modules.get("analysis.face")
    if face is not None:
        freed["face_model_sets"] = face.models_unload()
    keywords = sys.modules.get("analysis.keywords")
    if keywords is not None:
        with keywords._lock:
            freed["jieba"] = int(keywords._tokenizer is not None)
            keywords._tokenizer = None
    syllables = sys.modules.get("analysis.syllables")
    if syllables is not None:
        with syllables._lock:
            freed["cmudict"] = int(syllables._dict is not None)
            syllables._dict = None
    gc.collect()
    release_free_memory()  # glibc keeps freed memory in its arenas otherwise: RSS would not go down
    return freed
