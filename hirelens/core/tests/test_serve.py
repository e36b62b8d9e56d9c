"""`manage.py serve` (what `make run` starts): web + worker together, one Ctrl-C stops both."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ROOT, free_port, service_env

pytestmark = pytest.mark.backend  # also in the SQLite run: the queue/channel backend matters (Makefile)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie awaiting its parent counts as gone
    with open(f"/proc/{pid}/stat") as handle:
        return handle.read().split()[2] != "Z"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_serve_starts_web_and_worker_and_ctrl_c_stops_both(tmp_path):
    port = free_port()
    log = open(tmp_path / "serve.log", "w+")
    proc = subprocess.Popen([sys.executable, "manage.py", "serve", "--port", str(port)], cwd=ROOT,
                            env=service_env(PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics")), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 40
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert time.time() < deadline and proc.poll() is None, (tmp_path / "serve.log").read_text()
                time.sleep(0.3)
        output = (tmp_path / "serve.log").read_text()
        assert f"HireLens is running at http://127.0.0.1:{port}/" in output
        assert "admin@demo.hirelens.local" in output and "HireLens-demo-2026" in output
        web_pid, worker_pid = map(int, re.search(r"web pid (\d+), worker pid (\d+)", output).groups())
        assert _alive(web_pid) and _alive(worker_pid), output
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        assert not _alive(web_pid) and not _alive(worker_pid)
        assert "HireLens stopped." in (tmp_path / "serve.log").read_text()
    finally:
        if proc.poll() is None:
            proc.kill()


def _wait_for(predicate, timeout, log_path):
    deadline = time.time() + timeout
    while not predicate():
        assert time.time() < deadline, log_path.read_text()
        time.sleep(0.1)


def test_restart_back_off_doubles_to_thirty_seconds_and_resets_after_a_stable_minute():
    from hirelens.core.management.commands.serve import restart_delay

    delays, delay = [], None
    for _ in range(8):
        delay = restart_delay(delay, uptime=2.0)
        delays.append(delay)
    assert delays == [1, 2, 4, 8, 16, 30, 30, 30]
    assert restart_delay(30.0, uptime=61.0) == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_serve_restarts_a_killed_worker_with_back_off_and_stops_when_the_web_server_dies(tmp_path):
    port = free_port()
    log_path = tmp_path / "serve.log"
    log = open(log_path, "w+")
    proc = subprocess.Popen([sys.executable, "manage.py", "serve", "--port", str(port)], cwd=ROOT,
                            env=service_env(PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics")), stdout=log, stderr=subprocess.STDOUT)

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        _wait_for(healthy, 40, log_path)
        web_pid, worker_pid = map(int, re.search(r"web pid (\d+), worker pid (\d+)", log_path.read_text()).groups())
        os.kill(worker_pid, signal.SIGKILL)
        _wait_for(lambda: "Worker restarted: pid" in log_path.read_text(), 15, log_path)
        output = log_path.read_text()
        assert "The worker exited (status -9); restarting it in 1 s." in output
        second = int(re.search(r"Worker restarted: pid (\d+)", output).group(1))
        assert second != worker_pid and _alive(second) and _alive(web_pid) and proc.poll() is None
        assert healthy()  # the web server kept serving
        os.kill(second, signal.SIGKILL)  # dies again at once: the next wait doubles
        _wait_for(lambda: len(re.findall(r"Worker restarted: pid", log_path.read_text())) == 2, 15, log_path)
        output = log_path.read_text()
        assert "restarting it in 2 s." in output
        third = int(re.findall(r"Worker restarted: pid (\d+)", output)[-1])
        assert _alive(third)
        os.kill(web_pid, signal.SIGKILL)  # the web server is what users reach: everything stops, visibly
        assert proc.wait(timeout=30) == 1
        assert not _alive(third)
        assert "The web server exited (status -9); stopping the worker." in log_path.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(child) for child in handle.read().split()]
    except FileNotFoundError:
        return []


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_killed_consumer_does_not_leave_its_process_workers_behind(tmp_path):
    port = free_port()
    log_path = tmp_path / "serve.log"
    proc = subprocess.Popen([sys.executable, "manage.py", "serve", "--port", str(port)], cwd=ROOT,
                            env=service_env(HIRELENS_HUEY_WORKER_TYPE="process", HIRELENS_HUEY_WORKERS=1,
                                            PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics")),
                            stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    try:
        _wait_for(lambda: re.search(r"worker pid (\d+)", log_path.read_text()), 40, log_path)
        consumer = int(re.search(r"worker pid (\d+)", log_path.read_text()).group(1))
        _wait_for(lambda: _children(consumer), 40, log_path)
        workers = _children(consumer)
        os.kill(consumer, signal.SIGKILL)
        _wait_for(lambda: "Worker restarted: pid" in log_path.read_text(), 15, log_path)
        assert not any(_alive(pid) for pid in workers), log_path.read_text()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
