"""Memory of each process by kind (issue 22, "Workers by kind"): the web server, the light worker, the analysis worker.

    .venv/bin/python bench/workers.py [--idle-unload 20] [--page-rounds 2] [--timeout 900]

Starts the product as `make run` does (`manage.py serve`: uvicorn + `run_worker --queue light` + `run_worker --queue
analysis`) on a fresh SQLite database in $HIRELENS_VAR_DIR/bench-workers, then drives a realistic load:

1. start-up: every process idle, nothing loaded (RSS "start");
2. `load_demo`: the demo's AI-interview answers (video, face analysis on) are queued for analysis, its invitations and
   notices for the light worker, and its live room's recording; waits until all are analysed (RSS "after_analysis");
3. a staff member's pages: the pages the demo HR admin's home page links to, `--page-rounds` times each (RSS "after_pages");
4. the analysis worker left idle for `--idle-unload` seconds (HIRELENS_ANALYSIS_IDLE_UNLOAD_S): it frees its models
   (RSS "after_unload");
5. /metrics as Prometheus reads it: the tasks each queue's workers ran, summed across processes.

Prints, per process, RSS at each step (VmRSS), the steady RSS at the end, and the peak (VmHWM, from /proc) as one JSON
line, with the goals: web and light worker < 300 MB each, analysis worker < 1 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOALS_MB = {"web": 300, "light": 300, "analysis": 1000}


def status_mb(pid: int, field: str) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sampler(threading.Thread):
    """Samples each process's RSS every 0.2 s (the peak comes from the kernel's VmHWM, exact)."""

    def __init__(self, pids: dict[str, int]):
        super().__init__(daemon=True)
        self.pids, self.samples, self.running = pids, {name: [] for name in pids}, True

    def run(self):
        while self.running:
            for name, pid in self.pids.items():
                rss = status_mb(pid, "VmRSS")
                if rss is not None:
                    self.samples[name].append((time.monotonic(), rss))
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--idle-unload", type=float, default=20.0, help="HIRELENS_ANALYSIS_IDLE_UNLOAD_S for the run")
    parser.add_argument("--page-rounds", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for the demo's analyses")
    args = parser.parse_args()

    var = Path(os.environ.get("HIRELENS_VAR_DIR") or "/tmp") / "bench-workers"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "HIRELENS_VAR_DIR": str(var),
           "HIRELENS_DEBUG": "false", "HIRELENS_LOG_LEVEL": "WARNING", "HIRELENS_DATABASE_URL": "", "HIRELENS_REDIS_URL": "",
           "HIRELENS_ANALYSIS_IDLE_UNLOAD_S": str(args.idle_unload), "PYTHONUNBUFFERED": "1"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # the bench's own var dir: settings put it there
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)

    log_path = var / "serve.log"
    serve = subprocess.Popen([sys.executable, "manage.py", "serve", "--port", str(port)], cwd=ROOT, env=env,
                             stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while True:
            match = re.search(r"web pid (\d+), worker pid (\d+), analysis worker pid (\d+)", log_path.read_text())
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
                    health = json.load(response)
                queues = health["checks"]["queue"]["queues"]
                if match and all(q["worker_heartbeat_age_s"] is not None for q in queues.values()):
                    break
            except OSError:
                pass
            if time.time() > deadline or serve.poll() is not None:
                raise SystemExit("the product did not start:\n" + log_path.read_text()[-3000:])
            time.sleep(0.5)
        pids = dict(zip(("web", "light", "analysis"), map(int, match.groups())))
        time.sleep(2)
        sampler = Sampler(pids)
        sampler.start()
        steps: dict[str, dict[str, float | None]] = {}

        def step(name: str) -> None:
            steps[name] = {kind: status_mb(pid, "VmRSS") for kind, pid in pids.items()}
            print(f"{name:15} " + "  ".join(f"{kind} {mb} MB" for kind, mb in steps[name].items()), flush=True)

        step("start")

        import django

        django.setup()
        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore
        from django.core.management import call_command

        from hirelens.accounts.models import User
        from hirelens.core.jobs import QUEUES
        from hirelens.interviews.models import Answer
        from hirelens.live.models import LiveRoom

        def analyses_left() -> int:
            waiting = ["queued", "running"]
            return (Answer.objects.filter(analysis_status__in=waiting).count()
                    + LiveRoom.objects.filter(analysis_status__in=waiting).count() + QUEUES["analysis"].pending_count())

        started = time.monotonic()
        call_command("load_demo", stdout=open(os.devnull, "w"))
        demo_s = time.monotonic() - started
        queued = Answer.objects.filter(analysis_status__in=["queued", "running"]).count()
        rooms = LiveRoom.objects.filter(analysis_status__in=["queued", "running"]).count()
        print(f"demo loaded in {demo_s:.1f} s; {queued} answers and {rooms} live recordings to analyse", flush=True)
        started = time.monotonic()
        while analyses_left():
            if time.monotonic() - started > args.timeout:
                raise SystemExit("the demo's answers were not analysed in time:\n" + log_path.read_text()[-3000:])
            time.sleep(0.5)
        analysed_s = time.monotonic() - started
        done = Answer.objects.filter(analysis_status="done").count() + LiveRoom.objects.filter(analysis_status="done").count()
        print(f"{done} answers and recordings analysed in {analysed_s:.1f} s", flush=True)
        time.sleep(1)
        step("after_analysis")

        admin = User.objects.filter(organization__slug="demo", role="hr_admin").order_by("pk").first()
        session = SessionStore()
        session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(admin.pk), settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = admin.get_session_auth_hash()
        session.create()
        cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

        def get(path: str) -> tuple[int, str]:
            request = urllib.request.Request(base + path, headers={"Cookie": cookie, "Accept-Language": "zh-hans"})
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    return response.status, response.read().decode("utf-8", "replace")
            except urllib.error.HTTPError as error:
                return error.code, ""

        status, home = get("/")
        links = sorted({href for href in re.findall(r'href="(/[^"#?]*)"', home)
                        if not href.startswith(("/static/", "/accounts/logout", "/i18n/", "/media/"))})
        statuses: dict[int, int] = {}
        page_times = []
        for _ in range(args.page_rounds):
            for path in links:
                t0 = time.perf_counter()
                code, _body = get(path)
                page_times.append(time.perf_counter() - t0)
                statuses[code] = statuses.get(code, 0) + 1
        print(f"{len(links)} pages × {args.page_rounds}: statuses {statuses}", flush=True)
        step("after_pages")

        wait_until = time.monotonic() + args.idle_unload + 35  # the release is checked every idle/4 s (at most 30 s)
        before = steps["after_pages"]["analysis"] or 0
        while time.monotonic() < wait_until:
            time.sleep(1)
            now = status_mb(pids["analysis"], "VmRSS") or 0
            if now < before - 50:  # released: let the allocator settle a moment
                time.sleep(2)
                break
        step("after_unload")

        with urllib.request.urlopen(base + "/metrics", timeout=30) as response:
            metrics = response.read().decode()
        tasks = {f"{q}/{o}": float(v) for q, o, v in
                 re.findall(r'^hirelens_tasks_total\{outcome="(\w+)",queue="(\w+)"\} (\S+)$', metrics, re.M)}
        tasks = {f"{k.split('/')[1]}/{k.split('/')[0]}": v for k, v in tasks.items()}
        processes = {role: float(v) for role, v in re.findall(r'^hirelens_processes\{role="([\w-]+)"\} (\S+)$', metrics, re.M)}
        sampler.running = False
        sampler.join()
        peaks = {kind: status_mb(pid, "VmHWM") for kind, pid in pids.items()}
        steady = steps["after_unload"]
        result = {
            "figure": "process_rss_mb", "processes": {
                kind: {"pid": pids[kind], **{f"{name}_mb": values[kind] for name, values in steps.items()},
                       "steady_mb": steady[kind], "peak_mb": peaks[kind], "goal_peak_mb": GOALS_MB[kind],
                       "meets_goal": peaks[kind] is not None and peaks[kind] < GOALS_MB[kind]}
                for kind in pids},
            "demo_analyses_done": done, "analysis_s": round(analysed_s, 1), "pages": len(links) * args.page_rounds,
            "page_statuses": statuses, "idle_unload_s": args.idle_unload,
            "metrics_tasks_total": tasks, "metrics_processes": processes,
            "cpus": len(os.sched_getaffinity(0)),
        }
        print(json.dumps(result, ensure_ascii=False), flush=True)
    finally:
        serve.send_signal(2)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()


if __name__ == "__main__":
    main()
