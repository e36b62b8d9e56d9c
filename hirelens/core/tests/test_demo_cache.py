"""The demo's cache on disk (core/demo.py): what the demo synthesises is made once per var dir and read back exactly;
the analysis of a recording is kept only for the demo's own recordings, and never when the cache is off."""

from __future__ import annotations

import numpy as np
import pytest

from hirelens.core import demo


@pytest.fixture
def var_dir(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    settings.DEMO_CACHE_DIR = tmp_path / "cache" / "demo"
    monkeypatch.setattr(demo, "_made", {})  # this process has made nothing yet
    return tmp_path


def test_made_once_writes_to_disk_and_a_new_process_reads_it_back_unchanged(var_dir, monkeypatch):
    calls = []

    def make(seconds):
        calls.append(seconds)
        return b"\x00webm\xff" * 3, np.linspace(0, 1, 5, dtype=np.float32), {"summary": {"抗压": 2}}

    first = demo.made_once(("test.media", 1.5), make, 1.5)
    assert calls == [1.5] and len(list((var_dir / "cache" / "demo" / "made").glob("*.npz"))) == 1
    monkeypatch.setattr(demo, "_made", {})  # a second process in the same var dir
    second = demo.made_once(("test.media", 1.5), make, 1.5)
    assert calls == [1.5]
    assert second[0] == first[0] and second[0] == b"\x00webm\xff" * 3 and second[2] == {"summary": {"抗压": 2}}
    assert second[1].dtype == np.float32 and np.array_equal(second[1], first[1])
    demo.made_once(("test.media", 2.0), make, 2.0)  # another key: made
    assert calls == [1.5, 2.0]


def test_made_once_keeps_no_none_and_makes_everything_anew_when_the_cache_is_off(var_dir, settings):
    calls = []

    def make():
        calls.append(1)
        return None if len(calls) == 1 else b"x"

    assert demo.made_once(("test.none",), make) is None
    assert demo.made_once(("test.none",), make) == b"x" and len(calls) == 2  # None was not kept
    settings.DEMO_CACHE = False
    assert demo.made_once(("test.none",), make) == b"x" and len(calls) == 3


class _Report:
    def __init__(self, data):
        self.data = data

    def to_dict(self):
        return dict(self.data)


def _options():
    from analysis.api import AnalysisOptions

    return AnalysisOptions(language="zh", keywords=["抗压"], keyword_synonyms={"抗压": ["压力"]}, face=True, posture=True,
                           time_limit_s=600.0, threads=2)


def test_an_analysis_is_kept_only_for_the_demos_own_recordings(var_dir, settings):
    recording = var_dir / "answer.webm"
    recording.write_bytes(b"a candidate's recording")
    runs = []

    def run():
        runs.append(1)
        return _Report({"summary": {"words": len(runs)}})

    # a recording the demo did not make: analysed every time, nothing written
    assert demo.demo_analysis(recording, _options(), run).to_dict() == {"summary": {"words": 1}}
    assert demo.demo_analysis(recording, _options(), run).to_dict() == {"summary": {"words": 2}}
    assert not (var_dir / "cache" / "demo" / "analysis").exists()

    demo.demo_media_register(b"a candidate's recording")  # the demo made these bytes
    assert demo.demo_analysis(recording, _options(), run).to_dict() == {"summary": {"words": 3}}
    kept = demo.demo_analysis(recording, _options(), run)
    assert kept.to_dict() == {"summary": {"words": 3}} and len(runs) == 3
    other = _options()
    other.threads, other.time_limit_s = 8, 900.0  # how it runs, not what it finds
    assert demo.demo_analysis(recording, other, run).to_dict() == {"summary": {"words": 3}} and len(runs) == 3
    other.keywords = ["团队协作"]  # another question: analysed
    assert demo.demo_analysis(recording, other, run).to_dict() == {"summary": {"words": 4}}

    settings.DEMO_CACHE = False
    assert demo.demo_analysis(recording, _options(), run).to_dict() == {"summary": {"words": 5}}
