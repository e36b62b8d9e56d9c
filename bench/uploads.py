"""Load test of the resumable upload (issue 7): N simultaneous candidates upload a pre-recorded answer.

    .venv/bin/pip install -r requirements/bench.txt
    .venv/bin/python bench/uploads.py 100 1000          # SQLite (the embedded default)
    .venv/bin/python bench/uploads.py 100 1000 --pg     # PostgreSQL (the scale-out path)

For each N: a fresh SQLite bench database in var/bench-N, one uvicorn process, Locust headless with N
users spawned at once; prints errors, p50/p95 chunk latency, and checks every stored answer byte for byte.
"""

import csv
import hashlib
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
sys.path.insert(0, str(ROOT))


def run(count: int, recording: Path, workers: int, postgres: bool) -> None:
    var = ROOT / "var" / f"bench-{count}"
    shutil.rmtree(var, ignore_errors=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "HIRELENS_VAR_DIR": str(var),
           "HIRELENS_DEBUG": "false", "HIRELENS_LOG_LEVEL": "ERROR", "PYTHONPATH": str(ROOT)}
    if postgres:
        for sql in ("DROP DATABASE IF EXISTS hirelens_bench", "CREATE DATABASE hirelens_bench"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True)
        env["HIRELENS_DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/hirelens_bench"
    subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "bench/upload_setup.py", "setup", str(count)], cwd=ROOT, env=env, check=True)
    port = 8765
    server = subprocess.Popen([PY, "-m", "uvicorn", "config.asgi:application", "--port", str(port), "--workers", str(workers),
                               "--log-level", "warning", "--lifespan", "off"], cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        started = time.time()
        stats = var / "locust"
        subprocess.run([str(Path(PY).parent / "locust"), "-f", "bench/locust_uploads.py", "--headless", "-u", str(count), "-r", str(count),
                        "--host", f"http://127.0.0.1:{port}", "--run-time", "15m", "--stop-timeout", "5", "--csv", str(stats),
                        "--only-summary", "--exit-code-on-error", "0"],
                       cwd=ROOT, env={**env, "BENCH_FILE": str(recording), "BENCH_USERS": str(count), "BENCH_CHUNK": str(256 * 1024)},
                       check=True, stdout=subprocess.DEVNULL, stderr=open(var / "locust.log", "w"), timeout=1000)
        elapsed = time.time() - started
    finally:
        server.terminate()
        server.wait()
    rows = {row["Name"]: row for row in csv.DictReader(open(f"{stats}_stats.csv"))}
    chunk = rows["chunk"]
    failures = sum(int(r["Failure Count"]) for name, r in rows.items() if name != "Aggregated")
    print(f"\n== {count} simultaneous candidates, {workers} uvicorn worker(s), {'PostgreSQL' if postgres else 'SQLite'} ==")
    print(f"wall time {elapsed:.1f} s; requests {rows['Aggregated']['Request Count']}; failed requests {failures} "
          "(each a 503 'busy' or error that the client then retried)")
    print(f"chunk upload latency: p50 {chunk['50%']} ms, p95 {chunk['95%']} ms, p99 {chunk['99%']} ms, max {float(chunk['Max Response Time']):.0f} ms")
    print(f"finish (assemble + verify + probe): p50 {rows['finish']['50%']} ms, p95 {rows['finish']['95%']} ms")
    subprocess.run([PY, "bench/upload_setup.py", "verify", str(count), hashlib.sha256(recording.read_bytes()).hexdigest()],
                   cwd=ROOT, env=env, check=True)


def main() -> None:
    postgres = "--pg" in sys.argv
    counts = [int(a) for a in sys.argv[1:] if a.isdigit()] or [100]
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from hirelens.interviews.sample_media import webm_bytes

    recording = ROOT / "var" / "bench-answer.webm"
    recording.parent.mkdir(exist_ok=True)
    recording.write_bytes(webm_bytes(20.0, fps=15, size=(480, 360), noise=True))
    print(f"recording: {recording.stat().st_size} bytes, 20 s WebM VP8+Opus, uploaded in 256 KiB chunks")
    del django
    for count in counts:
        run(count, recording, workers=int(os.environ.get("BENCH_WORKERS", "2")), postgres=postgres)


if __name__ == "__main__":
    main()
