"""Run the whole product on one machine: the ASGI web server and the Huey consumer.

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

from hirelens.accounts.demo import USERS
from hirelens.core.demo import DEMO_PASSWORD

RESTART_FIRST_S = 1.0
RESTART_MAX_S = 30.0
STABLE_AFTER_S = 60.0  # a worker up this long has "recovered": the next restart waits RESTART_FIRST_S again


def restart_delay(previous: float | None, uptime: float) -> float:
    if previous is None or uptime >= STABLE_AFTER_S:
        return RESTART_FIRST_S
    return min(RESTART_MAX_S, previous * 2)


class Command(BaseCommand):
    help = "Start uvicorn (web + WebSockets) and the Huey worker; Ctrl-C stops both."

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
        web_cmd = [python, "-m", "uvicorn", "config.asgi:application", "--host", host, "--port", str(port),
                   "--ws", "websockets", "--log-level", "warning", "--lifespan", "off"]
        worker_cmd = [python, "manage.py", "run_huey", "--quiet"]

        def spawn(cmd):
            # Own sessions: Ctrl-C reaches only this process, which stops the children once and in order.
            return subprocess.Popen(cmd, env=env, cwd=settings.BASE_DIR, start_new_session=True)

        web = spawn(web_cmd)
        worker = None if no_worker else spawn(worker_cmd)
        worker_started = time.monotonic()
        url = f"http://{host}:{port}/"
        self.stdout.write(self.style.SUCCESS(f"\nHireLens is running at {url}"))
        self.stdout.write(f"Database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} · Queue: {settings.HUEY['huey_class']} · Channels: {settings.CHANNEL_LAYERS['default']['BACKEND'].rsplit('.', 1)[-1]}")
        if not settings.EMAIL_HOST:
            self.stdout.write(f"E-mails are written to {settings.EMAIL_FILE_PATH}/ (set HIRELENS_EMAIL_HOST to send them by SMTP)")
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for _key, email, name, role in USERS:
            self.stdout.write(f"  {email:36} {role.label} ({name})")
        self.stdout.write(f"Processes: web pid {web.pid}" + (f", worker pid {worker.pid}" if worker else ""))
        self.stdout.write("Press Ctrl-C to stop.\n")
        self.stdout.flush()
        stopping = False
        crashed = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        delay = None  # the last restart's wait
        restart_at = None
        try:
            while not stopping:
                if web.poll() is not None:
                    self.stderr.write(f"The web server exited (status {web.returncode}); stopping the worker.")
                    crashed = True
                    break
                now = time.monotonic()
                if worker is not None and restart_at is None and worker.poll() is not None:
                    try:  # process workers (HIRELENS_HUEY_WORKER_TYPE=process) outlive a killed consumer: end them too
                        os.killpg(worker.pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
                    delay = restart_delay(delay, now - worker_started)
                    restart_at = now + delay
                    self.stderr.write(f"The worker exited (status {worker.returncode}); restarting it in {delay:g} s.")
                    self.stderr.flush()
                if restart_at is not None and now >= restart_at:
                    worker, worker_started, restart_at = spawn(worker_cmd), now, None
                    self.stdout.write(f"Worker restarted: pid {worker.pid}")
                    self.stdout.flush()
                time.sleep(0.2)
        finally:
            children = [child for child in (web, worker) if child is not None]
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
