"""Per-frame face measurement: landmarks, blendshapes and head pose, run directly with LiteRT.

Why not MediaPipe's Tasks ``FaceLandmarker``: on one core it costs 9-13 ms a frame (its 256x256 landmark
model alone is 6.5 ms, plus a per-frame graph and 478 Python result objects), the largest single cost of an
answer's analysis. This module runs the same kind of pipeline with smaller, already-installed models:

- **landmarks**: MediaPipe's bundled ``face_landmark.tflite`` (468 points, 192x192 input, 1.5 ms) on a
  rotated crop around the face; the crop of the next frame comes from this frame's landmarks (tracking),
  and the detector is asked again only when the face is lost;
- **iris**: the ten iris points the blendshape model takes as input are placed from the eye contour (centre of
  the eye, radius 0.22 eye widths). They mainly drive the eye-gaze blendshapes, which HireLens does not use;
  mouthSmile and browDown change by less than 0.07 on the test face (measured against the Tasks landmarker);
- **blendshapes**: ``face_blendshapes.tflite`` from ``face_landmarker.task`` (52 scores, 0.7 ms), fed the
  146-point subset and pixel coordinates, exactly as MediaPipe's ``FaceBlendshapesGraph`` does;
- **head pose**: a weighted similarity (Procrustes/Umeyama) fit of the landmarks to MediaPipe's canonical face
  model, with the weights of its Procrustes basis, both read from ``geometry_pipeline_metadata_landmarks``
  in the same ``.task`` file.

No emotion is inferred here: the output is geometry and facial-action scores.
"""

from __future__ import annotations

import importlib.util
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# The 146 of the 478 landmarks that the blendshape model takes as input, in its order: the model's input
# specification, as MediaPipe's face_blendshapes_graph.cc (Apache-2.0) defines it. Without it the model
# cannot be fed.
BLENDSHAPE_INPUT_IDS = (
    0, 1, 4, 5, 6, 7, 8, 10, 13, 14, 17, 21, 33, 37, 39, 40, 46, 52, 53, 54, 55, 58, 61, 63, 65, 66, 67, 70,
    78, 80, 81, 82, 84, 87, 88, 91, 93, 95, 103, 105, 107, 109, 127, 132, 133, 136, 144, 145, 146, 148, 149,
    150, 152, 153, 154, 155, 157, 158, 159, 160, 161, 162, 163, 168, 172, 173, 176, 178, 181, 185, 191, 195,
    197, 234, 246, 249, 251, 263, 267, 269, 270, 276, 282, 283, 284, 285, 288, 291, 293, 295, 296, 297, 300,
    308, 310, 311, 312, 314, 317, 318, 321, 323, 324, 332, 334, 336, 338, 356, 361, 362, 365, 373, 374, 375,
    377, 378, 379, 380, 381, 382, 384, 385, 386, 387, 388, 389, 390, 397, 398, 400, 402, 405, 409, 415, 454,
    466, 468, 469, 470, 471, 472, 473, 474, 475, 476, 477,
)  # fmt: skip
#: index of each blendshape score in the model's output
BLENDSHAPE = {"browDownLeft": 1, "browDownRight": 2, "mouthSmileLeft": 44, "mouthSmileRight": 45,
              "mouthFrownLeft": 30, "mouthFrownRight": 31, "jawOpen": 25, "eyeBlinkLeft": 9, "eyeBlinkRight": 10}

# Eye contours of the 468-point mesh (image-left eye first: its iris is 468-472, the other's 473-477), and the
# eye corners that give each eye's axis.
_EYES = (
    ((33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246), (33, 133)),
    ((263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466), (362, 263)),
)
# iris centre, then the ring: along the eye axis, against its normal, back, along the normal
_IRIS_RING = np.array([(0, 0), (1, 0), (0, -1), (-1, 0), (0, 1)], np.float64)
_IRIS_RADIUS = 0.22  # in eye widths (measured on the Tasks landmarker's own iris points)
_CROP_SCALE = 1.5  # the crop is 1.5x the face's landmark box, as MediaPipe's face mesh does
_PRESENCE = 0.5
_REFINE = 2  # extra passes on a newly found face


def mediapipe_model(rel: str) -> str:
    """Path of a model bundled in the mediapipe wheel (``modules/...``)."""
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("mediapipe is not installed")
    p = Path(list(spec.submodule_search_locations)[0]) / "modules" / rel
    if not p.is_file():
        raise FileNotFoundError(f"mediapipe model not found: {p}")
    return str(p)


def _interpreter(content: bytes | None = None, path: str | None = None):
    from ai_edge_litert.interpreter import Interpreter

    it = Interpreter(model_content=content, model_path=path, num_threads=1)
    it.allocate_tensors()
    return it


def crop_matrix(cx: float, cy: float, size: float, theta: float, n: int) -> np.ndarray:
    """2x3 affine map from the pixels of an n x n crop to the image: a square of ``size`` px centred on
    (cx, cy), its x axis turned by ``theta`` (radians, image coordinates)."""
    c, s = np.cos(theta) * size / n, np.sin(theta) * size / n
    h = n / 2
    return np.array([[c, -s, cx - c * h + s * h], [s, c, cy - s * h - c * h]])


@dataclass
class Roi:
    cx: float
    cy: float
    size: float
    theta: float


@dataclass
class FaceMeasurement:
    landmarks: np.ndarray  # 478 x 3 pixels (z in the same scale, smaller = nearer the camera)
    blendshapes: np.ndarray  # 52 scores in [0, 1]
    yaw: float  # degrees; positive: the face turned towards the image's right
    pitch: float  # degrees; positive: the face turned up
    roll: float  # degrees
    presence: float

    def score(self, *names: str) -> float:
        return float(np.mean([self.blendshapes[BLENDSHAPE[n]] for n in names]))


class FaceMesh:
    """Track one face through frames given in time order: ``measure(rgb, detect)``.

    ``detect(rgb)`` is called only when there is no face being tracked; it returns detections as
    ``(cx, cy, size, right_eye_xy, left_eye_xy)`` in pixels (largest first).
    """

    def __init__(self, task_path: str):
        with zipfile.ZipFile(task_path) as z:
            blend = z.read("face_blendshapes.tflite")
            geometry = z.read("geometry_pipeline_metadata_landmarks.binarypb")
        self._lm = _interpreter(path=mediapipe_model("face_landmark/face_landmark.tflite"))
        self._lm_in = self._lm.get_input_details()[0]
        self.n = int(self._lm_in["shape"][1])
        outs = self._lm.get_output_details()
        self._lm_pts = next(o["index"] for o in outs if int(np.prod(o["shape"])) == 468 * 3)
        self._lm_flag = next(o["index"] for o in outs if int(np.prod(o["shape"])) == 1)
        self._bs = _interpreter(content=blend)
        self._bs_in = self._bs.get_input_details()[0]["index"]
        self._bs_out = self._bs.get_output_details()[0]["index"]
        canon, weights = _canonical_face(geometry)
        self._basis = np.nonzero(weights)[0]  # the Procrustes fit uses only the weighted landmarks
        self._canon, self._weights = canon[self._basis], weights[self._basis]
        self._ids = np.array(BLENDSHAPE_INPUT_IDS)
        self.roi: Roi | None = None

    def reset(self) -> None:
        self.roi = None

    def measure(self, rgb: np.ndarray, detect) -> FaceMeasurement | None:
        if self.roi is not None:
            m = self._landmarks(rgb, self.roi)
            if m is not None:
                return m
            self.roi = None
        for cx, cy, size, re, le in detect(rgb)[:1]:
            theta = float(np.arctan2(le[1] - re[1], le[0] - re[0]))
            m = self._landmarks(rgb, Roi(cx, cy, size * _CROP_SCALE, theta))
            # the detector's box is rough: measure again on the crops the landmarks give (tracking would
            # converge over the next frames; a newly found face is measured right at once)
            for _ in range(_REFINE):
                if m is None:
                    break
                m = self._landmarks(rgb, self.roi) or m
            return m
        return None

    def _landmarks(self, rgb: np.ndarray, roi: Roi) -> FaceMeasurement | None:
        import cv2

        n = self.n
        m = crop_matrix(roi.cx, roi.cy, roi.size, roi.theta, n)
        crop = cv2.warpAffine(rgb, m, (n, n), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                              borderMode=cv2.BORDER_CONSTANT)
        x = crop.astype(np.float32)
        x *= 1.0 / 255.0
        self._lm.set_tensor(self._lm_in["index"], x[None])
        self._lm.invoke()
        presence = float(1.0 / (1.0 + np.exp(-float(self._lm.get_tensor(self._lm_flag).reshape(-1)[0]))))
        if presence < _PRESENCE:
            return None
        pts = self._lm.get_tensor(self._lm_pts).reshape(468, 3).astype(np.float64)
        lm = np.empty((478, 3))
        lm[:468, :2] = pts[:, :2] @ m[:, :2].T + m[:, 2]
        lm[:468, 2] = pts[:, 2] * (roi.size / n)
        lm[468:] = _iris(lm)
        self.roi = _roi_from_landmarks(lm)
        self._bs.set_tensor(self._bs_in, lm[self._ids, :2][None].astype(np.float32))
        self._bs.invoke()
        blend = np.clip(self._bs.get_tensor(self._bs_out).reshape(-1).astype(np.float64), 0.0, 1.0)
        yaw, pitch, roll = head_pose(lm[self._basis], self._canon, self._weights)
        return FaceMeasurement(lm, blend, yaw, pitch, roll, presence)


_CONTOURS = np.array([c for c, _ in _EYES])  # 2 x 16
_CORNERS = np.array([ab for _, ab in _EYES])  # 2 x 2


def _iris(lm: np.ndarray) -> np.ndarray:
    """The ten iris points (centre and ring of each eye) placed from the eye contours."""
    centre = lm[_CONTOURS].mean(axis=1)  # 2 x 3
    u = lm[_CORNERS[:, 1], :2] - lm[_CORNERS[:, 0], :2]  # each eye's axis, 2 x 2
    width = np.maximum(np.hypot(u[:, 0], u[:, 1]), 1e-6)
    u = u / width[:, None]
    v = np.column_stack([-u[:, 1], u[:, 0]])
    r = (_IRIS_RADIUS * width)[:, None, None]
    ring = centre[:, None, :2] + r * (_IRIS_RING[None, :, :1] * u[:, None, :] + _IRIS_RING[None, :, 1:] * v[:, None, :])
    out = np.empty((2, 5, 3))
    out[..., :2] = ring
    out[..., 2] = centre[:, None, 2]
    return out.reshape(10, 3)


def _roi_from_landmarks(lm: np.ndarray) -> Roi:
    (x0, y0), (x1, y1) = lm[:468, :2].min(0), lm[:468, :2].max(0)
    a, b = lm[33], lm[263]
    theta = float(np.arctan2(b[1] - a[1], b[0] - a[0]))
    return Roi(float(x0 + x1) / 2, float(y0 + y1) / 2, float(max(x1 - x0, y1 - y0)) * _CROP_SCALE, theta)


def _canonical_face(binarypb: bytes) -> tuple[np.ndarray, np.ndarray]:
    """The canonical face (468 x 3, centimetres, y up, z towards the camera) and the Procrustes weights."""
    from mediapipe.modules.face_geometry.protos import geometry_pipeline_metadata_pb2 as pb

    meta = pb.GeometryPipelineMetadata()
    meta.ParseFromString(binarypb)
    vb = np.array(meta.canonical_mesh.vertex_buffer, np.float64).reshape(-1, 5)  # x y z u v
    weights = np.zeros(len(vb))
    for w in meta.procrustes_landmark_basis:
        weights[w.landmark_id] = w.weight
    return vb[:, :3], weights


def head_pose(lm: np.ndarray, canon: np.ndarray, weights: np.ndarray) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees of the rotation that best maps the canonical face onto the landmarks
    (weighted Umeyama fit, weak perspective: the image plane with y turned up, depth towards the camera)."""
    q = np.column_stack([lm[:, 0], -lm[:, 1], -lm[:, 2]])
    w = weights / weights.sum()
    mq, mc = w @ q, w @ canon
    a, b = canon - mc, q - mq
    cov = (b * w[:, None]).T @ a
    u, _, vt = np.linalg.svd(cov)
    d = np.sign(np.linalg.det(u @ vt)) or 1.0
    r = u @ np.diag([1.0, 1.0, d]) @ vt
    fwd = r[:, 2]  # where the face's own "towards the camera" axis points
    yaw = float(np.degrees(np.arctan2(fwd[0], fwd[2])))
    pitch = float(np.degrees(np.arctan2(fwd[1], np.hypot(fwd[0], fwd[2]))))
    roll = float(np.degrees(np.arctan2(r[1, 0], r[0, 0])))
    return yaw, pitch, roll


class FaceDetector:
    """MediaPipe's full-range face detector (BlazeFace, 192x192, finds small and distant faces too), run with
    LiteRT: ``detect(rgb)`` gives ``(cx, cy, size, right_eye_xy, left_eye_xy)`` per face in pixels, largest
    first. Anchors: one per cell of a 48x48 grid (stride 4), as the model was trained."""

    def __init__(self, min_score: float = 0.6, iou: float = 0.3):
        self._it = _interpreter(path=mediapipe_model("face_detection/face_detection_full_range_sparse.tflite"))
        self._in = self._it.get_input_details()[0]
        self.n = int(self._in["shape"][1])
        outs = self._it.get_output_details()
        self._reg = next(o["index"] for o in outs if o["shape"][-1] == 16)
        self._cls = next(o["index"] for o in outs if o["shape"][-1] == 1)
        g = self.n // 4
        ys, xs = np.mgrid[0:g, 0:g]
        self._anchors = np.column_stack([(xs.ravel() + 0.5) / g, (ys.ravel() + 0.5) / g])
        self.min_logit = float(np.log(min_score / (1 - min_score)))
        self.iou = iou

    def detect(self, rgb: np.ndarray) -> list[tuple]:
        import cv2

        h, w = rgb.shape[:2]
        n = self.n
        s = n / max(w, h)  # letterbox: the whole frame fits the square input
        ox, oy = (n - w * s) / 2, (n - h * s) / 2
        m = np.array([[s, 0, ox], [0, s, oy]])
        x = cv2.warpAffine(rgb, m, (n, n), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT).astype(np.float32)
        x *= 1.0 / 127.5
        x -= 1.0
        self._it.set_tensor(self._in["index"], x[None])
        self._it.invoke()
        logits = self._it.get_tensor(self._cls).reshape(-1)
        keep = np.nonzero(logits >= self.min_logit)[0]
        if not len(keep):
            return []
        raw = self._it.get_tensor(self._reg).reshape(-1, 16)[keep].astype(np.float64) / n
        anchor = self._anchors[keep]
        c = raw[:, :2] + anchor
        size = raw[:, 2:4]
        kps = raw[:, 4:16].reshape(-1, 6, 2) + anchor[:, None, :]
        order = np.argsort(-logits[keep])
        chosen: list[int] = []
        for i in order:  # non-maximum suppression
            if all(_iou(c[i], size[i], c[j], size[j]) < self.iou for j in chosen):
                chosen.append(int(i))

        def px(p):  # model square -> image pixels
            return ((p[0] * n - ox) / s, (p[1] * n - oy) / s)

        out = []
        for i in chosen:
            cx, cy = px(c[i])
            out.append((cx, cy, float(max(size[i]) * n / s), px(kps[i, 0]), px(kps[i, 1])))
        return sorted(out, key=lambda f: -f[2])


def _iou(c1, s1, c2, s2) -> float:
    lo = np.maximum(c1 - s1 / 2, c2 - s2 / 2)
    hi = np.minimum(c1 + s1 / 2, c2 + s2 / 2)
    inter = float(np.prod(np.clip(hi - lo, 0, None)))
    union = float(np.prod(s1) + np.prod(s2)) - inter
    return inter / union if union > 0 else 0.0
