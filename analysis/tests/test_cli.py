"""The CLI: stable --json summary, typed errors, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from analysis.cli import main

SUMMARY_KEYS = {
    "duration_s",
    "speaking_time_s",
    "pause_count",
    "speech_rate_syll_per_s",
    "articulation_rate_syll_per_s",
    "words_per_min",
    "chars_per_min",
    "pitch_mean_hz",
    "pitch_sd_semitones",
    "language",
    "keywords",
    "face_present_ratio",
    "smile_count",
    "frown_count",
    "look_away_count",
    "speech_rate_source",
    "keywords_not_applicable",
}


def test_json_summary_is_stable(face_video, capsys):
    assert main([str(face_video.path), "--lang", "en", "--keywords", "customer,团队协作", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["schema_version"] == "1.0"
    assert set(d["summary"]) == SUMMARY_KEYS
    s = d["summary"]
    assert s["keywords"] == {"customer": 2}
    assert s["keywords_not_applicable"] == ["团队协作"]  # a Chinese keyword on an English answer: never "× 0"
    assert s["pause_count"] == 2 and s["language"] == "en"
    assert s["face_present_ratio"] > 0.7 and s["smile_count"] >= 1 and s["look_away_count"] == 1
    assert {e["type"] for e in d["events"]} >= {"speech", "pause", "keyword", "face_absent", "look_away", "smile"}
    assert all(e["start_s"] <= e["end_s"] for e in d["events"])


def test_no_face_json_has_null_face_fields(face_video, capsys):
    assert main([str(face_video.path), "--no-face", "--no-transcript", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert set(d["summary"]) == SUMMARY_KEYS
    assert d["summary"]["face_present_ratio"] is None and d["face"] is None
    assert d["media"]["video_frames_decoded"] == 0


def test_errors_are_typed(tmp_path, capsys):
    p = tmp_path / "zero.webm"
    p.write_bytes(b"")
    assert main([str(p), "--json"]) == 3
    assert json.loads(capsys.readouterr().out) == {"error": {"code": "empty", "message": "the file is empty (0 bytes)"}}
    assert main([str(tmp_path / "missing.mp4")]) == 3
    assert "not_found" in capsys.readouterr().err


def test_python_dash_m_text_output(silence_wav):
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(root))
    r = subprocess.run(
        [sys.executable, "-m", "analysis", str(silence_wav), "--no-transcript"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=root,
    )
    assert r.returncode == 0, r.stderr
    assert "speaking_time_s" in r.stdout and "no speech was detected" in r.stdout


def _sample(package: str, relative: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.submodule_search_locations, f"{package} (requirements/sample-media.txt) is not installed"
    return Path(list(spec.submodule_search_locations)[0]) / relative


def test_a_real_mandarin_answer_on_the_default_install(capsys, monkeypatch):
    """No variable set: the bundled multilingual model hears Mandarin; the rate counts the Han characters said;
    a synonym counts for its keyword; an English-only keyword is not applicable, never × 0."""
    for name in ("HIRELENS_WHISPER_MODEL_DIR", "HIRELENS_WHISPER_MODEL_DIR_ZH", "HIRELENS_WHISPER_MODEL_DIR_EN"):
        monkeypatch.delenv(name, raising=False)
    clip = _sample("f5_tts", "infer/examples/basic/basic_ref_zh.wav")  # 对，这就是我，万人敬仰的太乙真人。
    assert main([str(clip), "--lang", "zh", "--no-face", "--json", "--keywords", "真人,teamwork",
                 "--synonym", "这就是我=这是我"]) == 0
    d = json.loads(capsys.readouterr().out)
    s = d["summary"]
    assert s["language"] == "zh"
    assert "这就是我" in d["transcript"]["text"] and "真人" in d["transcript"]["text"]
    assert s["keywords"]["真人"] == 1 and s["keywords"]["这就是我"] == 1
    assert "teamwork" not in s["keywords"] and s["keywords_not_applicable"] == ["teamwork"]
    assert s["speech_rate_source"] == "transcript"
    # 14 syllables said in the clip's 6.8 s (one per Han character of the sentence)
    assert abs(s["speech_rate_syll_per_s"] * s["duration_s"] - 14) <= 1.5


def test_a_bad_synonym_argument_is_refused(capsys):
    import pytest

    with pytest.raises(SystemExit) as e:
        main(["x.wav", "--synonym", "no-equals-sign"])
    assert e.value.code == 2
    assert "KEYWORD=SYNONYM" in capsys.readouterr().err
