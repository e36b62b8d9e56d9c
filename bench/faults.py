"""Fault drill (issue 15): the worker is killed with SIGKILL at random moments; nothing is lost, nothing happens twice.

    .venv/bin/python bench/faults.py                        # embedded default: SQLite + Huey on SQLite
    .venv/bin/python bench/faults.py --pg --redis           # PostgreSQL (a fresh database) + Huey on Redis
    .venv/bin/python bench/faults.py --answers 8 --messages 40 --kills 20

Starts the product in a temporary var dir (the web server through `manage.py serve --no-worker` on a free port,
a real aiosmtpd server for the e-mails), creates N completed answers (espeak-ng speech as browser-like WebM,
stored through the same services as the upload API) and M e-mail messages (spread over the drill, so that
analyses and deliveries are in flight when kills land), starts a worker of each queue (`run_worker --queue light` and
`--queue analysis`) and kills both with SIGKILL K times at random
moments (0.5-5 s after each worker is up and consuming), starting it again each time; then waits until all work is done and prints one
JSON line:

    {"jobs": N+M, "kills": K, "lost": 0, "duplicated": 0, "max_recovery_s": ...}

lost: answers not analysed plus messages not sent at the end. duplicated: answers whose analysis was stored more
than once (the worker logs "analysis stored" once per stored result) plus messages the SMTP server received more
than once (counted by the X-HireLens-Message header). max_recovery_s: for each kill, the time until every job the
killed worker held (an answer "running", a message "sending") was taken up again by a live worker or finished;
the largest. Short leases make the drill quick: HIRELENS_JOB_LEASE_S (--lease, 4 s) and HIRELENS_JOB_SWEEP_S
(--sweep, 1 s); attempts are not limited here (a job hit by many kills must still finish, not fail).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TEXT = "I enjoy teamwork and I like to talk with customers. Our team delivered the product on time."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=42)
    parser.add_argument("--messages", type=int, default=42)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--lease", type=float, default=4.0, help="HIRELENS_JOB_LEASE_S for the drill")
    parser.add_argument("--sweep", type=int, default=1, help="HIRELENS_JOB_SWEEP_S for the drill")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for all work after the last kill")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL at 127.0.0.1:5432 (a fresh database)")
    parser.add_argument("--redis", action="store_true", help="Huey on Redis (127.0.0.1:6379)")
    parser.add_argument("--redis-db", type=int, default=14)
    parser.add_argument("--keep", action="store_true", help="keep the var dir (and database) for inspection")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    var = Path(tempfile.mkdtemp(prefix="hirelens-faults-"))
    from aiosmtpd.controller import Controller

    received: Counter = Counter()

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            match = re.search(rb"^X-HireLens-Message: (\S+)", envelope.content, re.MULTILINE)
            received[match.group(1).decode() if match else "?"] += 1
            return "250 OK"

    smtp_port = free_port()
    smtp = Controller(Sink(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    env = os.environ.copy()
    env.update({"HIRELENS_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "config.settings.local", "HIRELENS_DEBUG": "false",
                "HIRELENS_EMAIL_HOST": "127.0.0.1", "HIRELENS_EMAIL_PORT": str(smtp_port), "HIRELENS_LOG_LEVEL": "WARNING",
                "HIRELENS_JOB_LEASE_S": str(args.lease), "HIRELENS_JOB_SWEEP_S": str(args.sweep),
                "HIRELENS_JOB_MAX_ATTEMPTS": "1000", "HIRELENS_JOB_RETRY_BASE_DELAY": "1", "PYTHONUNBUFFERED": "1"})
    database = None
    if args.pg:
        database = f"hirelens_faults_{os.getpid()}"
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"CREATE DATABASE {database}"], check=True)
        env["HIRELENS_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    if args.redis:
        subprocess.run(["redis-cli", "-n", str(args.redis_db), "flushdb"], check=True, capture_output=True)
        env["HIRELENS_REDIS_URL"] = f"redis://127.0.0.1:6379/{args.redis_db}"
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)

    import django

    django.setup()
    from django.db import close_old_connections
    from django.utils import timezone

    from hirelens.candidates.models import Application, Candidate
    from hirelens.core.models import Organization
    from hirelens.interviews.models import Answer, InterviewSession
    from hirelens.interviews.sample_media import speech_webm
    from hirelens.interviews.services import _hash, answer_begin, answer_finish, chunk_put
    from hirelens.messaging.models import Message
    from hirelens.messaging.services.messages import message_send
    from hirelens.positions.models import Position

    with tempfile.TemporaryDirectory() as folder:
        recording = speech_webm(Path(folder), TEXT)

    port = free_port()
    logs = var / "drill-logs"
    logs.mkdir()
    web = subprocess.Popen([sys.executable, "manage.py", "serve", "--no-worker", "--port", str(port)], cwd=ROOT, env=env,
                           stdout=open(logs / "web.log", "w"), stderr=subprocess.STDOUT)
    worker_log = open(logs / "worker.log", "a")

    class Workers:
        """One consumer of each queue (light: deliveries; analysis: analyses), killed and started together."""

        def __init__(self):
            # INFO: the worker logs each stored analysis, which the drill counts
            self.procs = [subprocess.Popen([sys.executable, "manage.py", "run_worker", "--queue", queue, "-w", "2", "-k", "thread"],
                                           cwd=ROOT, env={**env, "HIRELENS_LOG_LEVEL": "INFO"},
                                           stdout=worker_log, stderr=subprocess.STDOUT)
                          for queue in ("light", "analysis")]

        def kill(self):
            for proc in self.procs:
                os.kill(proc.pid, signal.SIGKILL)

        def send_signal(self, sig):
            for proc in self.procs:
                proc.send_signal(sig)

        def wait(self, timeout=None):
            for proc in self.procs:
                proc.wait(timeout=timeout)

        def kill_now(self):
            for proc in self.procs:
                proc.kill()

    start_worker = Workers

    def healthz() -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return json.load(response)

    deadline = time.time() + 60
    while True:
        try:
            healthz()
            break
        except OSError:
            if time.time() > deadline or web.poll() is not None:
                raise SystemExit("the web server did not start:\n" + (logs / "web.log").read_text())
            time.sleep(0.3)

    org = Organization.objects.create(slug="faults", name="Fault drill")
    position = Position.objects.create(organization=org, title="Sales", keywords=["teamwork"])
    candidate = Candidate.objects.create(organization=org, full_name="候选人", email="candidate@faults.example")
    application = Application.objects.create(organization=org, candidate=candidate, position=position)
    questions = [{"text": f"Q{i}", "prep_s": 5, "answer_s": 60, "retakes": 1} for i in range(args.answers)]
    session = InterviewSession.objects.create(
        organization=org, application=application, questions=questions, token_hash=_hash("faults"),
        expires_at=timezone.now() + timezone.timedelta(days=1), state="started",
        consents={"recording": {"version": 1, "accepted": True}, "ai_analysis": {"version": 1, "accepted": True}})
    digest = hashlib.sha256(recording).hexdigest()
    uploaded = 0

    def upload_answers(count: int) -> None:
        """Complete answers through the upload services; each completed answer queues its analysis."""
        nonlocal uploaded
        for index in range(uploaded, min(args.answers, uploaded + count)):
            answer = answer_begin(session=session, question_index=index, kind="audio", mime_type="audio/webm")
            piece = 64 * 1024
            for n, offset in enumerate(range(0, len(recording), piece)):
                data = recording[offset:offset + piece]
                chunk_put(answer=answer, index=n, offset=offset, sha256=hashlib.sha256(data).hexdigest(), data=data)
            answer_finish(answer=answer, total_size=len(recording), sha256=digest)
            uploaded += 1

    def send_messages(count: int) -> None:
        for _ in range(count):
            message_send(organization_id=org.pk, kind="survey", candidate=candidate, channels=["email"],
                         variables={"survey_link": f"https://faults.example/s/{rng.randrange(10**9)}"})

    # --- a watcher records when each job was last taken up or finished ---------------------------------------
    progress: dict[tuple, float] = {}  # (kind, pk, state) -> first time seen
    watching = threading.Event()
    watching.set()

    def snapshot() -> dict:
        close_old_connections()
        answers = {("answer", pk): (status, attempts) for pk, status, attempts in
                   Answer.objects.filter(session=session).values_list("pk", "analysis_status", "analysis_attempts")}
        messages = {("message", pk): (status, str(locked)) for pk, status, locked in
                    Message.objects.filter(organization=org).values_list("pk", "status", "locked_until")}
        return {**answers, **messages}

    def watch():
        while watching.is_set():
            now = time.time()
            for key, state in snapshot().items():
                progress.setdefault((*key, state), now)
            time.sleep(0.1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()

    kills: list[tuple[float, dict]] = []  # (time, {job: state held by the killed worker})
    # work arrives during the drill, so that analyses and deliveries are in flight when the kills land
    per_kill = args.messages // (args.kills + 1)
    answers_per_kill = args.answers // (args.kills + 1)
    worker = start_worker()
    started = time.time()
    send_messages(args.messages - per_kill * args.kills)
    upload_answers(args.answers - answers_per_kill * args.kills)
    def wait_until_up(starts: int) -> None:
        """Until the worker has logged its start (Django loaded, consumer running): a kill before that would only
        measure how fast Python starts on this machine."""
        deadline = time.time() + 180
        while (logs / "worker.log").read_text(errors="replace").count("huey.consumer Huey consumer started") < 2 * starts:
            if time.time() > deadline:
                raise SystemExit("the worker did not start:\n" + (logs / "worker.log").read_text(errors="replace")[-3000:])
            time.sleep(0.1)

    for number in range(args.kills):
        wait_until_up(number + 1)
        time.sleep(rng.uniform(0.5, 5.0))
        send_messages(per_kill)
        upload_answers(answers_per_kill)
        worker.kill()
        worker.wait()
        killed_at = time.time()
        held = {key: state for key, state in snapshot().items()
                if (key[0] == "answer" and state[0] == "running") or (key[0] == "message" and state[0] == "sending")}
        kills.append((killed_at, held))
        worker = start_worker()
    last_kill = time.time()

    def unfinished() -> int:
        close_old_connections()
        return (Answer.objects.filter(session=session).exclude(analysis_status__in=["done", "failed"]).count()
                + Message.objects.filter(organization=org).exclude(status__in=["sent", "failed", "undelivered"]).count())

    while unfinished() and time.time() - last_kill < args.timeout:
        time.sleep(0.5)
    time.sleep(2 * args.sweep + 1)  # a late duplicate would show up now
    watching.clear()
    watcher.join()
    health = healthz()
    worker.send_signal(signal.SIGINT)
    web.send_signal(signal.SIGINT)
    for proc in (worker, web):
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill_now() if proc is worker else proc.kill()
    smtp.stop()
    worker_log.close()

    # --- figures ------------------------------------------------------------------------------------------
    close_old_connections()
    answers = list(Answer.objects.filter(session=session).values_list("pk", "analysis_status", "analysis_attempts"))
    messages = list(Message.objects.filter(organization=org).values_list("pk", "status"))
    stored = Counter(int(pk) for pk in re.findall(r"answer (\d+): analysis stored", (logs / "worker.log").read_text(errors="replace")))
    lost_answers = [pk for pk, status, _ in answers if status != "done"]
    lost_messages = [pk for pk, status in messages if status != "sent" or received[f"{org.pk}-{pk}"] == 0]
    duplicated_answers = [pk for pk, count in stored.items() if count > 1]
    duplicated_messages = [pk for pk, _ in messages if received[f"{org.pk}-{pk}"] > 1]

    recoveries = []
    for number, (killed_at, held) in enumerate(kills, 1):
        for key, state in held.items():
            later = [seen for (kind, pk, now_state), seen in progress.items()
                     if (kind, pk) == key and seen > killed_at and _moved(kind, now_state, state)]
            recoveries.append(((min(later) if later else time.time()) - killed_at, number, f"{key[0]} {key[1]}"))
    slowest = [f"{job} after kill {number}: {seconds:.1f} s" for seconds, number, job in sorted(recoveries, reverse=True)[:3]]
    recoveries = [seconds for seconds, _, _ in recoveries]
    figures = {"jobs": len(answers) + len(messages), "kills": len(kills), "lost": len(lost_answers) + len(lost_messages),
               "duplicated": len(duplicated_answers) + len(duplicated_messages),
               "max_recovery_s": round(max(recoveries), 1) if recoveries else 0.0}
    detail = {"database": "postgresql" if args.pg else "sqlite", "queue": "redis" if args.redis else "sqlite",
              "answers": len(answers), "messages": len(messages), "interrupted_jobs": len(recoveries),
              "analysis_attempts": sum(a for _, _, a in answers), "analyses_stored_logged": sum(stored.values()),
              "emails_received": sum(received.values()), "slowest_recoveries": slowest, "drill_s": round(time.time() - started, 1),
              "work_done_s_after_last_kill": round(time.time() - last_kill, 1), "healthz_degraded_at_end": health.get("degraded"),
              "lost_ids": {"answers": lost_answers, "messages": lost_messages},
              "duplicated_ids": {"answers": duplicated_answers, "messages": duplicated_messages}, "var_dir": str(var)}
    print(json.dumps(detail, ensure_ascii=False), file=sys.stderr)
    print(json.dumps(figures))
    if not args.keep:
        import shutil

        from django.db import connections

        connections.close_all()
        shutil.rmtree(var, ignore_errors=True)
        if database:
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"])


def _moved(kind: str, new, held) -> bool:
    """Did the job leave the state the killed worker held it in: taken up again (a new attempt, a new lease) or
    finished?"""
    if kind == "answer":
        return new[0] in ("done", "failed") or (new[0] == "running" and new[1] > held[1])
    return new[0] in ("sent", "failed", "undelivered") or (new[0] == "sending" and new[1] != held[1])


if __name__ == "__main__":
    main()
