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
                            env=service_env(), stdout=log, stderr=subprocess.STDOUT)
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
