"""Run the whole product on one machine: the ASGI web server and the Huey consumer, stopped together."""

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
        commands = [[python, "-m", "uvicorn", "config.asgi:application", "--host", host, "--port", str(port),
                     "--ws", "websockets", "--log-level", "warning", "--lifespan", "off"]]
        if not no_worker:
            commands.append([python, "manage.py", "run_huey", "--quiet"])
        # Own sessions: Ctrl-C reaches only this process, which stops the children once and in order.
        children = [subprocess.Popen(cmd, env=env, cwd=settings.BASE_DIR, start_new_session=True) for cmd in commands]
        url = f"http://{host}:{port}/"
        self.stdout.write(self.style.SUCCESS(f"\nHireLens is running at {url}"))
        self.stdout.write(f"Database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} · Queue: {settings.HUEY['huey_class']} · Channels: {settings.CHANNEL_LAYERS['default']['BACKEND'].rsplit('.', 1)[-1]}")
        if not settings.EMAIL_HOST:
            self.stdout.write(f"E-mails are written to {settings.EMAIL_FILE_PATH}/ (set HIRELENS_EMAIL_HOST to send them by SMTP)")
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for _key, email, name, role in USERS:
            self.stdout.write(f"  {email:36} {role.label} ({name})")
        self.stdout.write(f"Processes: web pid {children[0].pid}" + (f", worker pid {children[1].pid}" if len(children) > 1 else ""))
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
                if any(child.poll() is not None for child in children):
                    self.stderr.write("A HireLens process exited; stopping the others.")
                    crashed = True
                    break
                time.sleep(0.5)
        finally:
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
