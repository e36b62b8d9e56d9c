"""``hirelens-analyse FILE [--lang zh|en|auto] [--keywords 团队协作,客户] [--synonym 团队协作=合作|teamwork] [--no-face] [--json]``.

Exit codes: 0 analysed, 2 bad arguments, 3 the file cannot be analysed (typed error, printed as JSON
with ``--json``), 4 time limit, 5 a model is missing.
"""

from __future__ import annotations

import argparse
import json
import sys

from .errors import AnalysisError, AnalysisTimeoutError, ModelNotFoundError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hirelens-analyse", description="Analyse one interview recording.")
    p.add_argument("file")
    p.add_argument("--lang", choices=["zh", "en", "auto"], default="auto")
    p.add_argument("--keywords", default="", help="comma-separated keywords, e.g. 团队协作,客户")
    p.add_argument("--synonym", action="append", default=[], metavar="KEYWORD=SYN|SYN",
                   help="synonyms counted for a keyword, e.g. 团队协作=合作|teamwork (repeatable)")
    p.add_argument("--no-face", action="store_true", help="no facial/posture analysis: no video frame is decoded")
    p.add_argument("--no-posture", action="store_true")
    p.add_argument("--no-transcript", action="store_true")
    p.add_argument("--face-fps", type=float, default=5.0)
    p.add_argument("--pose-fps", type=float, default=0.5)
    p.add_argument("--whisper-model-dir", help="Whisper (CTranslate2) model directory for any language")
    p.add_argument("--time-limit", type=float, default=1800.0, help="seconds (default 1800)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json", action="store_true", help="print the whole report as JSON")
    return p


def _synonyms(parser: argparse.ArgumentParser, items: list[str]) -> dict[str, list[str]] | None:
    out: dict[str, list[str]] = {}
    for item in items:
        keyword, sep, rest = item.partition("=")
        forms = [f.strip() for f in rest.split("|") if f.strip()]
        if not sep or not keyword.strip() or not forms:
            parser.error(f"--synonym needs KEYWORD=SYNONYM|SYNONYM, got {item!r}")
        out.setdefault(keyword.strip(), []).extend(forms)
    return out or None


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    from .api import AnalysisOptions, analyse
    from .keywords import parse_keywords

    synonyms = _synonyms(parser, args.synonym)
    keywords = parse_keywords(args.keywords)
    keywords += [k for k in synonyms or {} if k not in keywords]
    opts = AnalysisOptions(
        language=args.lang,
        keywords=keywords,
        keyword_synonyms=synonyms,
        face=not args.no_face,
        posture=not args.no_posture,
        transcript=not args.no_transcript,
        face_fps=args.face_fps,
        pose_fps=args.pose_fps,
        time_limit_s=args.time_limit,
        whisper_model_dirs={"*": args.whisper_model_dir} if args.whisper_model_dir else None,
        threads=args.threads,
    )
    try:
        report = analyse(args.file, opts)
    except AnalysisError as exc:
        if args.json:
            print(json.dumps({"error": exc.to_dict()}, ensure_ascii=False))
        else:
            print(f"error ({exc.code}): {exc.message}", file=sys.stderr)
        if isinstance(exc, AnalysisTimeoutError):
            return 4
        if isinstance(exc, ModelNotFoundError):
            return 5
        return 3
    d = report.to_dict()
    if args.json:
        print(json.dumps(d, ensure_ascii=False, indent=1))
        return 0
    _print_text(d)
    return 0


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.2f}"
    return str(v)


def _print_text(d: dict) -> None:
    s = d["summary"]
    print(f"HireLens analysis {d['analysis_version']} (schema {d['schema_version']})")
    for k, v in s.items():
        if k in ("keywords", "keywords_not_applicable"):
            continue
        print(f"  {k:32s} {_fmt(v)}")
    for k, n in s["keywords"].items():
        times = ", ".join(f"{t:.1f}s" for t in d["keywords"][k]["times_s"])
        print(f"  keyword {k!r}: {n}" + (f" at {times}" if times else ""))
    for k in s.get("keywords_not_applicable") or []:
        print(f"  keyword {k!r}: not applicable (the answer is not in this keyword's language)")
    if d["transcript"]:
        print(f"  transcript: {d['transcript']['text']}")
    counts: dict[str, int] = {}
    for e in d["events"]:
        counts[e["type"]] = counts.get(e["type"], 0) + 1
    print("  events: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    for w in d["warnings"]:
        print(f"  warning ({w['code']}): {w['message']}")
    print("  models: " + "; ".join(f"{m['name']} {m['version']}" for m in d["models"]))
