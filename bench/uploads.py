"""Load test of the resumable upload (issues 7 and 22): N candidates upload an answer at once.

    python -m venv /tmp/locust && /tmp/locust/bin/pip install -r requirements/bench.txt   # or into .venv
    .venv/bin/python bench/uploads.py 100 1000                 # burst: a 20 s answer as fast as possible (SQLite)
    .venv/bin/python bench/uploads.py 100 1000 --pg            # the same on PostgreSQL (the scale-out path)
    .venv/bin/python bench/uploads.py 500 --realtime --pin --pg --workers 3 --redis redis://127.0.0.1:6379/5

``--realtime`` (issue 22): every candidate records without a pause for ``--duration`` seconds, as answers of
``--answer-s`` seconds (a WebM of 160x120 noise video and Opus, about 84 KB per two seconds; the first answer of a
random length, so answers end at every moment), and sends one piece every ``--every`` seconds, in order, one at a
time, as the interview page does with MediaRecorder, then finishes each answer; candidates start spread over the
first ``--every`` seconds, so all N are recording at once throughout. Prints the
piece latency (first send to stored, retries included: p50/p95/p99/max), the lag behind the recording, the HTTP
statuses seen, retries, the CPU seconds the server and the load generator used, and checks every stored answer byte
for byte. ``--pin`` runs the load generator on CPU 0 and the server on CPU 1 (``taskset``). Exits 1 when an answer
is missing or differs.

For each N: a fresh bench database (SQLite in $HIRELENS_VAR_DIR/bench-N or the PostgreSQL database ``--pg-db``),
``--workers`` uvicorn processes, Locust headless with N users.
"""

import argparse
import csv
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
sys.path.insert(0, str(ROOT))


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its living descendants."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def _locust() -> str:
    for candidate in (os.environ.get("BENCH_LOCUST"), str(Path(PY).parent / "locust"), shutil.which("locust")):
        if candidate and Path(candidate).exists():
            return candidate
    sys.exit("Locust is not installed: pip install -r requirements/bench.txt (or set BENCH_LOCUST to its locust)")


def run(count: int, recording: Path, args) -> bool:
    var = Path(os.environ.get("HIRELENS_VAR_DIR", ROOT / "var")) / f"bench-{count}"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local"),
           "HIRELENS_VAR_DIR": str(var), "HIRELENS_DEBUG": "false", "HIRELENS_LOG_LEVEL": "ERROR",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "HIRELENS_DATABASE_URL": "", "HIRELENS_REDIS_URL": args.redis or ""}
    if args.pg:
        for sql in (f"DROP DATABASE IF EXISTS {args.pg_db}", f"CREATE DATABASE {args.pg_db}"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True)
        env["HIRELENS_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.pg_db}"
        env.setdefault("HIRELENS_DATABASE_POOL_SIZE", str(args.pool))
    if args.redis:
        subprocess.run(["redis-cli", "-u", args.redis, "flushdb"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "bench/upload_setup.py", "setup", str(count)], cwd=ROOT, env=env, check=True)
    port = args.port
    pin = (lambda cpu: ["taskset", "-c", cpu]) if args.pin else (lambda cpu: [])
    server = subprocess.Popen([*pin("1"), PY, "-m", "uvicorn", "config.asgi:application", "--port", str(port),
                               "--workers", str(args.workers), "--log-level", "warning", "--lifespan", "off",
                               "--backlog", "4096"], cwd=ROOT, env=env,
                              stdout=open(var / "server.log", "w"), stderr=subprocess.STDOUT)
    results = var / "results.json"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        started = time.time()
        stats = var / "locust"
        rate = count / args.every if args.realtime else count
        user_class = "RealtimeCandidate" if args.realtime else "Candidate"
        run_time = f"{int(args.duration * 4 + 300)}s" if args.realtime else "15m"
        cpu_server_start, cpu_locust_start = _tree_cpu(server.pid), _cpu_children()
        subprocess.run([*pin("0"), _locust(), "-f", "bench/locust_uploads.py", "--headless", "-u", str(count), "-r", str(rate),
                        "--host", f"http://127.0.0.1:{port}", "--run-time", run_time, "--stop-timeout", "5", "--csv", str(stats),
                        "--only-summary", "--exit-code-on-error", "0", user_class],
                       cwd=ROOT, env={**env, "BENCH_FILE": str(recording), "BENCH_USERS": str(count), "BENCH_CHUNK": str(256 * 1024),
                                      "BENCH_EVERY": str(args.every), "BENCH_ANSWER_S": str(args.answer_s), "BENCH_DURATION": str(args.duration),
                                      "BENCH_RESULTS": str(results)},
                       check=True, stdout=subprocess.DEVNULL, stderr=open(var / "locust.log", "w"), timeout=args.duration * 5 + 1000)
        elapsed = time.time() - started
        cpu_locust = _cpu_children() - cpu_locust_start
        cpu_server = _tree_cpu(server.pid) - cpu_server_start  # the load only, not the start-up
    finally:
        server.terminate()
        server.wait()
    rows = {row["Name"]: row for row in csv.DictReader(open(f"{stats}_stats.csv"))}
    database = "PostgreSQL" + (" + Redis" if args.redis else "") if args.pg else "SQLite"
    print(f"\n== {count} {'real-time' if args.realtime else 'simultaneous'} candidates, {args.workers} uvicorn worker(s), "
          f"{database}{', pinned: load generator CPU 0, server CPU 1' if args.pin else ''} ==")
    print(f"wall time {elapsed:.1f} s; requests {rows['Aggregated']['Request Count']}; "
          f"CPU used: server {cpu_server:.0f} s ({100 * cpu_server / elapsed:.0f} % of one core), "
          f"load generator {cpu_locust:.0f} s ({100 * cpu_locust / elapsed:.0f} % of one core)")
    if args.realtime:
        data = json.loads(results.read_text())
        lat, lag = data["latency_s"], data["lag_s"]
        ms = lambda v: f"{1000 * v:.0f}"  # noqa: E731
        print(f"pieces stored {len(lat)} (one every {args.every:g} s, {args.duration:g} s of recording each, answers of "
              f"{args.answer_s:g} s); answers begun {data['begun']}, finished {data['finished']}; retries {data['retries']}; "
              f"HTTP statuses {data['statuses']}")
        print(f"piece latency ms: p50 {ms(_pct(lat, 50))}, p95 {ms(_pct(lat, 95))}, p99 {ms(_pct(lat, 99))}, max {ms(max(lat, default=0))}, "
              f"mean {ms(statistics.fmean(lat) if lat else 0)}")
        print(f"lag behind the recording ms: p95 {ms(_pct(lag, 95))}, max {ms(max(lag, default=0))}; "
              f"finish ms: p50 {ms(_pct(data['finish_s'], 50))}, p95 {ms(_pct(data['finish_s'], 95))}")
    else:
        chunk = rows["chunk"]
        failures = sum(int(r["Failure Count"]) for name, r in rows.items() if name != "Aggregated")
        print(f"failed requests {failures} (each a 503 'busy' or error that the client then retried)")
        print(f"chunk upload latency: p50 {chunk['50%']} ms, p95 {chunk['95%']} ms, p99 {chunk['99%']} ms, "
              f"max {float(chunk['Max Response Time']):.0f} ms")
        print(f"finish (assemble + verify + probe): p50 {rows['finish']['50%']} ms, p95 {rows['finish']['95%']} ms")
    check = (["verify-expected", str(results)] if args.realtime
             else ["verify", str(count), hashlib.sha256(recording.read_bytes()).hexdigest()])
    verified = subprocess.run([PY, "bench/upload_setup.py", *check], cwd=ROOT, env=env, check=False)
    return verified.returncode == 0


def recording_interleaved(seconds: float, *, fps: int = 15, size=(160, 120)) -> bytes:
    """A WebM as MediaRecorder writes it: video (noise, hard to compress: about 84 KB per 2 s at 160x120) and Opus
    audio interleaved in time, so that any first pieces of it are a whole, shorter recording (the real-time bench's
    answers of other lengths). ``sample_media.webm_bytes`` writes all video first, then all audio."""
    from hirelens.interviews.sample_media import interleaved_recording

    return interleaved_recording(seconds, fps=fps, size=size, noise=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("counts", nargs="*", type=int, default=[100])
    parser.add_argument("--pg", action="store_true", help="PostgreSQL (database --pg-db, dropped and created)")
    parser.add_argument("--pg-db", default="hirelens_bench")
    parser.add_argument("--pool", type=int, default=10, help="PostgreSQL connection pool of each web process")
    parser.add_argument("--redis", default="", help="a Redis URL (its database is emptied): cache, channels and queues there")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "2")), help="uvicorn processes")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--realtime", action="store_true", help="record in real time: one piece every --every seconds")
    parser.add_argument("--every", type=float, default=2.0)
    parser.add_argument("--answer-s", type=float, default=60.0, help="length of an answer (the first one is shorter)")
    parser.add_argument("--duration", type=float, default=0.0, help="seconds each candidate records (default: 2 answers)")
    parser.add_argument("--pin", action="store_true", help="load generator on CPU 0, server on CPU 1 (taskset)")
    args = parser.parse_args()
    args.duration = args.duration or 2 * args.answer_s

    from hirelens.interviews.sample_media import webm_bytes

    cache = Path(os.environ.get("HIRELENS_VAR_DIR", ROOT / "var"))
    cache.mkdir(parents=True, exist_ok=True)
    if args.realtime:  # ~84 KB per 2 s: the 60–120 KB pieces of issue 22 (generating a minute takes about a minute)
        recording = cache / f"bench-answer-{args.answer_s:g}s-160x120-interleaved.webm"
        if not recording.exists():
            recording.write_bytes(recording_interleaved(args.answer_s))
        pieces = max(1, round(args.answer_s / args.every))
        print(f"recording: {recording.stat().st_size} bytes, {args.answer_s:g} s WebM VP8+Opus, "
              f"{pieces} pieces of {recording.stat().st_size // pieces // 1000} KB, one every {args.every:g} s")
    else:
        recording = cache / "bench-answer.webm"
        recording.write_bytes(webm_bytes(20.0, fps=15, size=(480, 360), noise=True))
        print(f"recording: {recording.stat().st_size} bytes, 20 s WebM VP8+Opus, uploaded in 256 KiB chunks")
    ok = all([run(count, recording, args) for count in args.counts])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
