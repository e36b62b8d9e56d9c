"""What finishing an answer costs in the request (``interviews.services.uploads.answer_finish``), for a 60 s and a
10-minute recording: the pieces are stored as the upload does (``chunk_put``, 84 KB each), then the finish is timed
(assemble the encrypted pieces into one encrypted file, check the SHA-256, read the media facts, commit). Also timed
on the stored file alone: the full probe (``media.probe``: every packet demuxed, every audio packet decoded) against
the bounded probe the finish uses (``media.probe_quick``: the header, the first packets, the last clusters). The
finish is timed both ways in the same run, one after the other: as it is, and with the full probe in its place (the
code before issue 22's change), so both figures come from the same machine load.

    .venv/bin/python bench/answer_finish.py                 # 60 s and 600 s, 3 finishes each
    .venv/bin/python bench/answer_finish.py --seconds 60 --repeat 5

The recordings are WebM as MediaRecorder writes them (no duration, no cues, clusters of unknown size): 160x120 noise
video at 15 fps and Opus, about 84 KB per 2 s (the real-time upload bench's recording); the 10-minute one is the
minute's packets copied ten times one after the other. A fresh SQLite database under $HIRELENS_VAR_DIR/bench-finish.
Safari's recordings (fragmented MP4, H.264 + AAC, 160x120 at 15 fps) of the same lengths: both probes on the stored
file. Prints one line per figure and a JSON line at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
PIECE = 84 * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, nargs="*", default=[60, 600], help="recording lengths (multiples of 60)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    var = Path(os.environ.get("HIRELENS_VAR_DIR", ROOT / "var")) / "bench-finish"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    os.environ.update({"DJANGO_SETTINGS_MODULE": "config.settings.local", "HIRELENS_VAR_DIR": str(var),
                       "HIRELENS_DEBUG": "false", "HIRELENS_LOG_LEVEL": "ERROR", "HIRELENS_DATABASE_URL": "",
                       "HIRELENS_REDIS_URL": ""})
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from uploads import recording_interleaved

    from hirelens.candidates.models import Application, Candidate
    from hirelens.core.models import Organization
    from hirelens.interviews import media
    from hirelens.interviews.models import InterviewSession
    from hirelens.interviews.sample_media import live_webm
    from hirelens.interviews.services import _hash
    from hirelens.interviews.services import uploads as upload_service
    from hirelens.interviews.services.answers import answer_begin
    from hirelens.interviews.services.uploads import answer_finish, chunk_put
    from hirelens.positions.models import Position

    cache = var.parent / "bench-finish-minute.webm"  # kept between runs: generating the minute takes a while
    if not cache.exists():
        cache.write_bytes(recording_interleaved(60.0))
    minute = cache.read_bytes()
    org = Organization.objects.create(slug="bench-finish", name="Bench")
    position = Position.objects.create(organization=org, title="Bench")
    figures = {}
    quick = upload_service.probe_quick
    for seconds in args.seconds:
        data = live_webm(minute, max(1, seconds // 60))
        digest = hashlib.sha256(data).hexdigest()
        finish_ms, before_ms, full_ms, quick_ms = [], [], [], []
        for i in range(2 * args.repeat):
            before = i % 2 == 1  # every other finish with the full probe, as before
            candidate = Candidate.objects.create(organization=org, full_name=f"候选人{seconds}-{i}")
            session = InterviewSession.objects.create(
                organization=org, application=Application.objects.create(organization=org, candidate=candidate, position=position),
                questions=[{"text": "bench", "prep_s": 5, "answer_s": seconds + 60, "retakes": 9}],
                token_hash=_hash(f"finish-{seconds}-{i}"), expires_at=timezone.now() + timezone.timedelta(days=1), state="started",
                consents={"recording": {"version": 1, "accepted": True}, "ai_analysis": {"version": 1, "accepted": False}})
            answer = answer_begin(session=session, question_index=0, kind="video")
            for index, offset in enumerate(range(0, len(data), PIECE)):
                piece = data[offset:offset + PIECE]
                chunk_put(answer=answer, index=index, offset=offset, sha256=hashlib.sha256(piece).hexdigest(), data=piece)
            upload_service.probe_quick = media.probe if before else quick
            started = time.perf_counter()
            answer = answer_finish(answer=answer, total_size=len(data), sha256=digest)
            (before_ms if before else finish_ms).append((time.perf_counter() - started) * 1000)
            upload_service.probe_quick = quick
            assert answer.status == "complete", answer.failure
            if before:
                continue
            for probe, into in ((media.probe, full_ms), (media.probe_quick, quick_ms)):
                with answer.recording.storage.open(answer.recording.name, "rb") as handle:
                    started = time.perf_counter()
                    facts = probe(handle)
                    into.append((time.perf_counter() - started) * 1000)
                assert abs(facts["duration_s"] - answer.duration_s) < 0.1, (facts, answer.duration_s)
        row = {"bytes": len(data), "duration_s": answer.duration_s, "finish_ms": round(statistics.median(finish_ms), 1),
               "finish_full_probe_ms": round(statistics.median(before_ms), 1),
               "full_probe_ms": round(statistics.median(full_ms), 1), "quick_probe_ms": round(statistics.median(quick_ms), 1)}
        figures[f"{seconds}s"] = row
        print(f"{seconds:>4} s recording ({len(data) / 1e6:.1f} MB, {answer.duration_s:g} s): answer_finish "
              f"{row['finish_ms']} ms (median of {args.repeat}: {[round(v) for v in finish_ms]}), with the full probe "
              f"as before {row['finish_full_probe_ms']} ms ({[round(v) for v in before_ms]}); on the stored file: "
              f"full probe {row['full_probe_ms']} ms, bounded probe {row['quick_probe_ms']} ms")
    figures["safari_mp4"] = safari(args, media)
    print(json.dumps({"figure": "answer_finish", **figures}))


def safari(args, media) -> dict:
    """Safari's recordings (fragmented MP4, H.264 + AAC): both probes on the stored (encrypted) file."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from hirelens.interviews.sample_media import safari_mp4_bytes

    rows = {}
    for seconds in args.seconds:
        data = safari_mp4_bytes(float(seconds), fps=15)
        name = default_storage.save(f"answers/bench-safari-{seconds}.mp4", ContentFile(data))
        timings = {"full": [], "quick": []}
        for _ in range(args.repeat):
            for kind, probe in (("full", media.probe), ("quick", media.probe_quick)):
                with default_storage.open(name, "rb") as handle:
                    started = time.perf_counter()
                    facts = probe(handle)
                    timings[kind].append((time.perf_counter() - started) * 1000)
                assert abs(facts["duration_s"] - seconds) < 0.6, facts
        rows[f"{seconds}s"] = row = {"bytes": len(data), "full_probe_ms": round(statistics.median(timings["full"]), 1),
                                     "quick_probe_ms": round(statistics.median(timings["quick"]), 1)}
        print(f"{seconds:>4} s Safari recording (fragmented MP4, {len(data) / 1e6:.1f} MB) on the stored file: full probe "
              f"{row['full_probe_ms']} ms, bounded probe {row['quick_probe_ms']} ms")
    return rows


if __name__ == "__main__":
    main()
