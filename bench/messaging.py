"""Benchmark of durable reminders: prints figures, asserts nothing.

    python bench/messaging.py                     # 10,000 interviews, reminders due within ~3 minutes
    python bench/messaging.py --count 2000 --workers 4
    python bench/messaging.py --pg --redis --workers 2 --worker-type process   # PostgreSQL + Redis queue

A fresh SQLite database and Huey queue in a temporary directory (or, with --pg / --redis, a fresh
PostgreSQL database ``hirelens_bench_messaging`` and Redis database 14, flushed first); N candidates and N interviews whose
one reminder (offset 60 min) falls due between lead and lead + spread seconds after planning; a real aiosmtpd
server receives the e-mails; a real `run_huey` consumer (started after planning) does the work through
the periodic tick and the per-reminder timers. Figures: reminders sent, messages per reminder, e-mails
per recipient, and lateness (reminder claimed − due time; e-mail delivered − due time).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def percentile(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--lead", type=float, default=30.0, help="seconds from the end of planning until the first reminder is due")
    parser.add_argument("--spread", type=float, default=120.0, help="seconds over which the reminders fall due")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-type", choices=["thread", "process"], default="thread")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL at 127.0.0.1:5432 instead of SQLite")
    parser.add_argument("--redis", action="store_true", help="Huey on Redis (127.0.0.1:6379/14) instead of SQLite")
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="hirelens-bench-messaging-"))
    from aiosmtpd.controller import Controller

    received = Counter()

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            for rcpt in envelope.rcpt_tos:
                received[rcpt] += 1
            return "250 OK"

    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        smtp_port = s.getsockname()[1]
    smtp = Controller(Sink(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    env = os.environ.copy()
    env.update({"HIRELENS_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "config.settings.local", "HIRELENS_DEBUG": "false",
                "HIRELENS_EMAIL_HOST": "127.0.0.1", "HIRELENS_EMAIL_PORT": str(smtp_port), "HIRELENS_LOG_LEVEL": "WARNING"})
    if args.pg:
        for sql in ("DROP DATABASE IF EXISTS hirelens_bench_messaging", "CREATE DATABASE hirelens_bench_messaging"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True)
        env["HIRELENS_DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/hirelens_bench_messaging"
    if args.redis:
        subprocess.run(["redis-cli", "-n", "14", "flushdb"], check=True, capture_output=True)
        env["HIRELENS_REDIS_URL"] = "redis://127.0.0.1:6379/14"
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)

    import django

    django.setup()
    from datetime import timedelta

    from django.utils import timezone

    from hirelens.candidates.models import Candidate
    from hirelens.core.models import Organization
    from hirelens.messaging.models import Message, Reminder
    from hirelens.messaging.services import reminders_plan

    org = Organization.objects.create(name="Bench", slug="bench")
    started = time.perf_counter()
    candidates = Candidate.objects.bulk_create(
        [Candidate(organization=org, full_name=f"候选人{i}", email=f"c{i}@bench.example") for i in range(args.count)],
        batch_size=500)
    t_candidates = time.perf_counter() - started
    base = timezone.now() + timedelta(minutes=60, seconds=args.lead)
    started = time.perf_counter()
    for i, candidate in enumerate(candidates):
        reminders_plan(organization_id=org.pk, subject_type="bench.interview", subject_id=i, candidate_id=candidate.pk,
                       starts_at=base + timedelta(seconds=args.spread * i / max(1, args.count - 1)), offsets=[60],
                       variables={"position": "销售代表", "link": f"https://bench.example/i/{i}"})
    t_plan = time.perf_counter() - started
    # Planning speed is not what this measures: shift every reminder so that the first falls due --lead
    # seconds from now, keeping the spread (one UPDATE, as if they had been planned with that lead).
    from django.db.models import F

    shift = (timezone.now() + timedelta(seconds=args.lead)) - Reminder.objects.order_by("due_at").first().due_at
    Reminder.objects.update(due_at=F("due_at") + shift, starts_at=F("starts_at") + shift)
    first_due = Reminder.objects.order_by("due_at").first().due_at
    print(f"planned {args.count} reminders in {t_plan:.1f}s ({args.count / t_plan:.0f}/s; candidates {t_candidates:.1f}s); "
          f"first due in {(first_due - timezone.now()).total_seconds():.0f}s", flush=True)

    log = open(var / "bench-worker.log", "w")
    worker = subprocess.Popen([sys.executable, "manage.py", "run_huey", "-w", str(args.workers), "-k", args.worker_type, "-d", "0.1"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + args.timeout
    try:
        while time.time() < deadline:
            sent = Message.objects.filter(status="sent").count()
            if sent >= args.count:
                break
            time.sleep(2)
    finally:
        time.sleep(3)
        worker.send_signal(2)
        worker.wait(timeout=60)
        smtp.stop()

    reminders = list(Reminder.objects.values_list("status", "due_at", "sent_at", "message_id"))
    messages = {m.pk: m for m in Message.objects.only("pk", "status", "sent_at", "idempotency_key")}
    claim_late = [(s - d).total_seconds() for st, d, s, _m in reminders if st == "sent"]
    delivered_late = [(messages[m].sent_at - d).total_seconds() for st, d, _s, m in reminders
                      if m and messages[m].sent_at]
    keys = Counter(m.idempotency_key for m in messages.values())
    print(f"reminders sent: {sum(1 for r in reminders if r[0] == 'sent')}/{args.count}; messages: {len(messages)}; "
          f"messages per reminder max {max(keys.values()) if keys else 0}; e-mails received {sum(received.values())}, "
          f"recipients with more than one e-mail: {sum(1 for v in received.values() if v > 1)}")
    for label, values in (("claimed − due", claim_late), ("e-mail sent − due", delivered_late)):
        if values:
            print(f"{label:18}: median {statistics.median(values):6.2f}s  p95 {percentile(values, 0.95):6.2f}s  "
                  f"max {max(values):6.2f}s  over 60 s: {sum(1 for v in values if v > 60)}")
    print(f"(cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}, workers: {args.workers} {args.worker_type}(s), "
          f"{'PostgreSQL' if args.pg else 'SQLite'} + {'Redis' if args.redis else 'SqliteHuey'}; files in {var})")


if __name__ == "__main__":
    main()
