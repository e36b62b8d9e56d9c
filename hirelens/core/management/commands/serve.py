"""Run the whole product on one machine: the ASGI web server and one Huey consumer of each queue (light, analysis).

A worker that dies (a crash, `kill -9`, the kernel's OOM killer) is started again after 1 s, 2 s, 4 s ... (at most
30 s; back to 1 s once a worker has stayed up for a minute); the web server keeps serving meanwhile. If the web
server dies, everything stops (exit status 1) so that a supervisor notices. Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from hirelens.core.demo import DEMO_PASSWORD, DEMO_STAFF
from hirelens.core.metrics import multiprocess_dir_reset, process_dead

RESTART_FIRST_S = 1.0
RESTART_MAX_S = 30.0
STABLE_AFTER_S = 60.0  # a worker up this long has "recovered": the next restart waits RESTART_FIRST_S again


def restart_delay(previous: float | None, uptime: float) -> float:
    if previous is None or uptime >= STABLE_AFTER_S:
        return RESTART_FIRST_S
    return min(RESTART_MAX_S, previous * 2)


class Worker:
    """One worker process of a queue, started again after it dies (with back-off)."""

    def __init__(self, queue: str, cmd: list[str], spawn, label: str):
        self.queue, self.cmd, self.spawn, self.label = queue, cmd, spawn, label
        self.proc = spawn(cmd)
        self.started = time.monotonic()
        self.delay: float | None = None  # the last restart's wait
        self.restart_at: float | None = None

    def tick(self, now: float, out, err) -> None:
        if self.restart_at is None and self.proc.poll() is not None:
            try:  # process workers (HIRELENS_HUEY_WORKER_TYPE=process) outlive a killed consumer: end them too
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            process_dead(self.proc.pid)
            self.delay = restart_delay(self.delay, now - self.started)
            self.restart_at = now + self.delay
            err.write(f"The {self.label} exited (status {self.proc.returncode}); restarting it in {self.delay:g} s.")
            err.flush()
        if self.restart_at is not None and now >= self.restart_at:
            self.proc, self.started, self.restart_at = self.spawn(self.cmd), now, None
            out.write(f"{self.label[0].upper()}{self.label[1:]} restarted: pid {self.proc.pid}")
            out.flush()


class Command(BaseCommand):
    help = "Start uvicorn (web + WebSockets) and one worker of each queue (light, analysis); Ctrl-C stops them all."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HIRELENS_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("HIRELENS_PORT", "8000")))
        parser.add_argument("--no-worker", action="store_true")

    def handle(self, *args, host, port, no_worker, **options):
        python = sys.executable
        env = os.environ.copy()
        # Without HIRELENS_SITE_URL, links built outside a request (the worker's e-mails, .ics files) point at the
        # address served here, and the web process takes the host and port of each request (hirelens/core/links.py).
        env.update(HIRELENS_HOST=host, HIRELENS_PORT=str(port))
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            # metrics of an earlier run's processes would be summed forever: every process starts from zero
            multiprocess_dir_reset(os.environ["PROMETHEUS_MULTIPROC_DIR"])
        web_cmd = [python, "-m", "uvicorn", "config.asgi:application", "--host", host, "--port", str(port),
                   "--ws", "websockets", "--log-level", "warning", "--lifespan", "off"]

        def spawn(cmd):
            # Own sessions: Ctrl-C reaches only this process, which stops the children once and in order.
            return subprocess.Popen(cmd, env=env, cwd=settings.BASE_DIR, start_new_session=True)

        web = spawn(web_cmd)
        workers = [] if no_worker else [
            Worker("light", [python, "manage.py", "run_worker", "--queue", "light", "--quiet"], spawn, "worker"),
            Worker("analysis", [python, "manage.py", "run_worker", "--queue", "analysis", "--quiet"], spawn, "analysis worker"),
        ]
        url = f"http://{host}:{port}/"
        self.stdout.write(self.style.SUCCESS(f"\nHireLens is running at {url}"))
        self.stdout.write(f"Database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} · Queues: light, analysis ({settings.HUEY['huey_class']}) · Channels: {settings.CHANNEL_LAYERS['default']['BACKEND'].rsplit('.', 1)[-1]}")
        if not settings.EMAIL_HOST:
            self.stdout.write(f"E-mails are written to {settings.EMAIL_FILE_PATH}/ (set HIRELENS_EMAIL_HOST to send them by SMTP)")
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for _key, email, name, role in DEMO_STAFF:
            self.stdout.write(f"  {email:36} {role.label} ({name})")
        self.stdout.write(f"Processes: web pid {web.pid}" + "".join(f", {w.label} pid {w.proc.pid}" for w in workers))
        self.stdout.write("Press Ctrl-C to stop.\n")
        self.stdout.flush()
        stopping = False
        crashed = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                if web.poll() is not None:
                    self.stderr.write(f"The web server exited (status {web.returncode}); stopping the worker.")
                    crashed = True
                    break
                now = time.monotonic()
                for worker in workers:
                    worker.tick(now, self.stdout, self.stderr)
                time.sleep(0.2)
        finally:
            children = [web, *(worker.proc for worker in workers)]
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGINT)
            deadline = time.time() + 15
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    child.kill()
            self.stdout.write("HireLens stopped.")
        if crashed:
            raise SystemExit(1)
