"""Process-wide tuning the library does at import: glibc's malloc arenas (a worker's memory stays flat)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

PROBE = "import analysis._cpu as c; print(c.limit_malloc_arenas())"


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the arena cap is glibc's")
def test_the_arena_cap_is_set_unless_the_operator_chose_one():
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
    out = subprocess.run([sys.executable, "-c", PROBE], env={**env, "MALLOC_ARENA_MAX": "8"},
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


TRIM = """
import ctypes, analysis._cpu as c
libc = ctypes.CDLL("libc.so.6"); libc.malloc.restype = ctypes.c_void_p; libc.free.argtypes = [ctypes.c_void_p]
def rss(): return int(open("/proc/self/statm").read().split()[1]) * 4096 // 2**20
blocks = [libc.malloc(1024) for _ in range(200_000)]
for b in blocks: ctypes.memset(b, 1, 1024)
for b in blocks[:-1]: libc.free(b)   # the last block keeps the heap from shrinking by itself
before = rss(); c.release_free_memory(); print(before, rss())
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_memory_freed_by_an_analysis_goes_back_to_the_system():
    out = subprocess.run([sys.executable, "-c", TRIM], capture_output=True, text=True, check=True)
    before, after = map(int, out.stdout.split())
    assert before - after >= 150, (before, after)  # of the ~200 MB freed
