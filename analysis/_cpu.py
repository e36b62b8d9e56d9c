"""Process tuning done when ``analysis`` is imported: CTranslate2's instruction set (before faster-whisper is
loaded) and glibc's malloc arenas (before the analysis threads exist)."""

from __future__ import annotations

import functools
import os

_AVX512 = {"avx512f", "avx512bw", "avx512dq", "avx512vl"}


def cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def has_avx512() -> bool:
    return _AVX512 <= cpu_flags()


def tune_ctranslate2() -> None:
    """Let CTranslate2 use AVX-512 wherever the CPU has it.

    CTranslate2 picks AVX-512 on its own only on Intel CPUs; on this AMD EPYC (Zen 4, with AVX-512) it falls back
    to AVX2, and forcing AVX-512 made tiny.en ~10 % faster on one core (median 2.44-2.58 s against 2.78-2.84 s
    for the one-minute benchmark answer, interleaved runs), with the same words. An operator's own
    ``CT2_FORCE_CPU_ISA`` is left alone; a CPU without AVX-512 is left to CTranslate2's choice.
    """
    if "CT2_FORCE_CPU_ISA" not in os.environ and has_avx512():
        os.environ["CT2_FORCE_CPU_ISA"] = "AVX512"


# --- memory: glibc's allocator --------------------------------------------------------------------------
# Every analysis runs its ASR (and, with two cores, its video) in threads of its own. glibc gives threads
# their own malloc arenas (up to 8 per core) and keeps what was freed in them, so a worker process grew with
# every answer: peak RSS 832, 932, 942, 957, 978, 969, 989 MB over seven one-minute answers on one core.
# With two arenas and the free memory handed back after each analysis it stays at 805-852 MB, flat, at a cost
# within the VM's noise (at most ~0.15 s a minute: the trimmed pages are faulted in again by the next answer).
_M_ARENA_MAX = -8  # from glibc's malloc.h
_ARENAS = 2


@functools.cache
def _glibc():
    """glibc, or None where the C library has no mallopt / malloc_trim (musl, macOS)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    lib = ctypes.CDLL(name) if name else None
    return lib if lib is not None and hasattr(lib, "mallopt") and hasattr(lib, "malloc_trim") else None


def limit_malloc_arenas() -> bool:
    """Cap glibc's malloc arenas for the threads created from now on; an operator's ``MALLOC_ARENA_MAX`` is
    left alone (glibc read it at start). False where the C library is not glibc."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    lib = _glibc()
    return bool(lib and lib.mallopt(_M_ARENA_MAX, _ARENAS))


def release_free_memory() -> None:
    """Hand the memory freed by an analysis back to the system (glibc keeps it otherwise)."""
    lib = _glibc()
    if lib:
        lib.malloc_trim(0)
