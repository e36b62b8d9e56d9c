"""Issue 22: the multi-machine topology, run on this machine as real processes (tests/deploy/conftest.py), goes through
the whole interview loop THROUGH NGINX while one web process and one worker are killed with SIGKILL, and nothing is
lost.

The loop: HR's integration (an API key) imports a candidate, adds the application, starts the process and sends the
AI interview; the light worker e-mails the invitation (a real SMTP server); the candidate opens the link, consents
and records two answers with the resumable upload protocol the browser uses (pieces with offsets and SHA-256) —
web-1 is killed in the middle of the first answer's pieces; the analysis worker is killed in the middle of the
first analysis and comes back (as systemd's Restart=always brings it back); HR watches the live events over a
WebSocket, reads the report, scores and decides; then every page HR reaches still answers through nginx with the
one web process left.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from urllib.parse import urlsplit

import httpx
import pytest

from .conftest import PASSWORD

# the whole topology's start (a fresh database migrated) and the loop: 4-5 minutes on two busy cores
pytestmark = [pytest.mark.deploy, pytest.mark.timeout(900)]

SPEECH = ("I beat my sales target by working closely with every customer. Teamwork with the support group "
          "helped us keep our biggest customer for three years. ")
PIECE = 8 * 1024  # the test's pieces are small, so that the first answer's upload spans the web process's death
SKIP = re.compile(r"/(export|pdf|media|resume|file|download|i18n|api|static|jsi18n|logout|admin|recording)\b"
                  r"|\.(pdf|ics|xlsx|csv|zip|json)\b|calendar|^/i/|^/portal/")
MAX_PAGES = 40


def _ok(response: httpx.Response, status: int = 200):
    assert response.status_code == status, (response.request.method, str(response.request.url), response.status_code,
                                            response.text[:1500])
    if response.headers.get("content-type", "").startswith("application/"):
        return response.json()
    return None


class Candidate:
    """What interview.js does on the candidate's phone: JSON calls, and pieces PUT with their offset and checksum,
    each retried after a failure (the browser's back-off), here counted."""

    def __init__(self, base_url: str, token: str):
        self.http = httpx.Client(base_url=base_url, timeout=30, headers={"Accept-Language": "en"})
        self.base = f"/i/{token}"
        self.retries = 0

    def post(self, path: str, body: dict, status: int = 200):
        return _ok(self.http.post(f"{self.base}{path}", json=body), status)

    def put_piece(self, answer_id: int, index: int, offset: int, piece: bytes) -> None:
        for attempt in range(5):
            try:
                response = self.http.put(f"{self.base}/answers/{answer_id}/chunks/{index}", content=piece, headers={
                    "Content-Type": "application/octet-stream", "X-Chunk-Offset": str(offset),
                    "X-Chunk-SHA256": hashlib.sha256(piece).hexdigest()})
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code == 200:
                return
            if response is not None and response.status_code < 500:
                _ok(response)
            self.retries += 1
            time.sleep(0.5 * 2**attempt)
        raise AssertionError(f"piece {index} of answer {answer_id} was never accepted")

    def answer(self, question: int, recording: bytes, *, halfway=None, size: int = PIECE, around_pieces=None) -> int:
        answer_id = self.post("/answers", {"question": question, "kind": "audio", "mime": "audio/webm"}, 201)["answer"]
        pieces = [(i, offset, recording[offset:offset + size]) for i, offset in enumerate(range(0, len(recording), size))]
        if around_pieces is not None:
            around_pieces("before")
        for position, (index, offset, piece) in enumerate(pieces):
            if halfway is not None and position == len(pieces) // 2:
                halfway()
            self.put_piece(answer_id, index, offset, piece)
        if around_pieces is not None:
            around_pieces("after")
        self.post(f"/answers/{answer_id}/finish", {"size": len(recording), "sha256": hashlib.sha256(recording).hexdigest()})
        return answer_id


class Events:
    """HR's live-events WebSocket through nginx, read in a thread."""

    def __init__(self, url: str, cookie: str, origin: str):
        from websockets.sync.client import connect

        self.socket = connect(url, additional_headers={"Cookie": cookie, "Origin": origin}, open_timeout=15)
        self.received: list[dict] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        while not self._stop.is_set():
            try:
                self.received.append(json.loads(self.socket.recv(timeout=0.5)))
            except TimeoutError:
                continue
            except Exception:  # closed
                return

    def close(self):
        self._stop.set()
        self.socket.close()
        self._thread.join(timeout=5)


def _cpu_s(pid: int) -> float:
    """CPU time (user + system, all threads) a process has used: what a request costs whatever else the machine runs."""
    import os

    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait(predicate, timeout: float, what: str, deployment):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{deployment.logs()}")
        time.sleep(0.25)


def _answers(deployment, session_id: int) -> dict[int, dict]:
    import psycopg

    with psycopg.connect(deployment.database_url) as conn:
        rows = conn.execute("SELECT id, recording, analysis_status, analysis_attempts, status FROM interviews_answer "
                            "WHERE session_id = %s", [session_id]).fetchall()
    return {row[0]: {"recording": row[1], "analysis_status": row[2], "attempts": row[3], "status": row[4]} for row in rows}


def _login(base_url: str, email: str) -> httpx.Client:
    hr = httpx.Client(base_url=base_url, timeout=30, headers={"Accept-Language": "zh-hans"})
    _ok(hr.get("/accounts/login/"))
    response = hr.post("/accounts/login/", data={"csrfmiddlewaretoken": hr.cookies["csrftoken"], "username": email,
                                                 "password": PASSWORD})
    assert response.status_code == 302 and "sessionid" in hr.cookies, response.text[:500]
    return hr


def _crawl(hr: httpx.Client, start: list[str]) -> dict[str, int]:
    """GET every page HR reaches by links from ``start`` (one per URL shape, at most MAX_PAGES): path -> status."""
    seen_shapes, statuses, queue = set(), {}, list(start)
    while queue and len(statuses) < MAX_PAGES:
        path = queue.pop(0)
        shape = re.sub(r"\d+", "N", urlsplit(path).path)
        if shape in seen_shapes or SKIP.search(path):
            continue
        seen_shapes.add(shape)
        response = hr.get(path)
        statuses[path] = response.status_code
        if response.status_code == 200 and response.headers.get("content-type", "").startswith("text/html"):
            for link in re.findall(r'href="(/[^"#]*)"', response.text):
                queue.append(link.replace("&amp;", "&"))
    return statuses


def test_the_interview_loop_through_nginx_survives_a_killed_web_process_and_worker(deployment, tmp_path):
    from hirelens.interviews.sample_media import speech_webm

    loop_started = time.monotonic()
    base = deployment.base_url
    web_1, web_2 = deployment.web
    api = httpx.Client(base_url=base, timeout=30,
                       headers={"Authorization": f"Bearer {deployment.seed['api_token']}", "Accept-Language": "en"})
    health = _ok(api.get("/healthz"))
    assert health["ok"] is True and health["checks"]["storage"]["ok"] is True, health
    assert health["checks"]["database"]["vendor"] == "postgresql"

    # 1. HR's integration: candidate, application, the process's AI interview sent by e-mail
    candidate = _ok(api.post("/api/v1/candidates/", json={"full_name": "李明", "email": "li.ming@example.com",
                                                         "phone": "13900139000"}), 201)
    application = _ok(api.post(f"/api/v1/candidates/{candidate['id']}/applications",
                               json={"position_id": deployment.seed["position_id"]}), 201)
    started = _ok(api.post(f"/api/v1/applications/{application['id']}/start", json={}))
    sent = _ok(api.post(f"/api/v1/interviews/applications/{application['id']}/sessions",
                        json={"use_stage": True, "language": "en", "answer_language": "en"}), 201)
    session_id = sent["session"]["id"]
    mail = deployment.smtp.wait_for(1, timeout=60)[0]  # sent by the light worker
    assert mail["To"] == "li.ming@example.com"
    body = deployment.smtp.text_of(mail)
    assert base in body, body  # the link points at the public address (HIRELENS_SITE_URL), nginx
    token = re.search(r"/i/([\w-]+)/", body).group(1)

    # 2. the candidate records two answers; web-1 dies in the middle of the first one's pieces, and HR signs in and
    #    opens the live-events WebSocket right after it (both on web-2 then)
    person = Candidate(base, token)
    assert person.http.get(f"/i/{token}/").status_code == 200
    person.post("/consent", {"recording": True, "ai_analysis": True, "biometric": False})
    person.post("/start", {})
    first = speech_webm(tmp_path, SPEECH * 2)
    second = speech_webm(tmp_path, SPEECH)
    hr, events, killed = None, None, {}

    def kill_web_1():
        nonlocal hr, events
        web_1.kill()
        killed["web_at"] = time.time()
        hr = _login(base, deployment.seed["hr_email"])  # the session lives in PostgreSQL, not in a web process
        events = Events(base.replace("http", "ws") + "/ws/events/",
                        "; ".join(f"{k}={v}" for k, v in hr.cookies.items()), base)

    first_id = person.answer(0, first, halfway=kill_web_1)
    try:
        assert _wait(lambda: events.received, 15, "the WebSocket's hello", deployment)[0]["event"] == "hello"

        # 3. a finished answer is analysed at once: the analysis worker dies in the middle of it and comes back after
        #    1 s, as Restart=always brings it back
        _wait(lambda: _answers(deployment, session_id)[first_id]["analysis_status"] == "running", 120,
              "the first analysis to start", deployment)
        time.sleep(0.3)
        worker = deployment.workers["analysis"]
        worker.kill()
        assert _answers(deployment, session_id)[first_id]["analysis_status"] == "running"  # what the crash left
        time.sleep(1)
        worker.start()

        # the second answer goes to web-2 alone: what its pieces cost each process, in CPU time (a figure, not a goal)
        procs = {"web": web_2.proc.pid, "nginx": deployment.nginx.proc.pid, "seaweedfs": deployment.weed.proc.pid}
        cpu = {}

        def measure(moment):
            cpu[moment] = ({name: _cpu_s(pid) for name, pid in procs.items()}, len(deployment.access_log()), time.monotonic())

        person.answer(1, second, size=2048, around_pieces=measure)  # small pieces: a piece costs its request, not its bytes
        pieces = cpu["after"][1] - cpu["before"][1]
        piece_ms = {name: round(1000 * (cpu["after"][0][name] - cpu["before"][0][name]) / pieces, 1) for name in procs}
        piece_ms["wall"] = round(1000 * (cpu["after"][2] - cpu["before"][2]) / pieces, 1)
        assert person.post("/submit", {})["state"] in ("submitted", "analysed")

        status = _wait(lambda: (s := _ok(api.get(f"/api/v1/interviews/sessions/{session_id}")))["status"] == "analysed" and s,
                       240, "the session to be analysed", deployment)
        _wait(lambda: any(e["event"] == "interview.updated" and e["payload"].get("answer") == first_id
                          and e["payload"].get("analysis") == "done" for e in events.received),
              15, "the analysis event on HR's WebSocket", deployment)
    finally:
        if events is not None:
            events.close()
    analysed_s = time.monotonic() - loop_started

    # nothing lost: both answers analysed, the first on its second attempt, by the worker that came back
    answers = _answers(deployment, session_id)
    assert sorted((a["status"], a["analysis_status"]) for a in answers.values()) == [("complete", "done")] * 2, answers
    assert answers[first_id]["attempts"] == 2, answers
    # the sweep (any worker's) found the dead worker's expired lease; the worker that came back stored the analysis
    # on the second attempt
    sweeps = "".join(w.output(50000) for w in deployment.workers.values())
    assert f"answer {first_id}: analysis lease expired (attempt 1); queued again" in sweeps
    assert f"answer {first_id}: analysis stored (attempt 2)" in worker.output(50000).rsplit("--- start", 1)[-1]
    assert status["candidate_name"] == "李明"
    report = _ok(api.get(f"/api/v1/interviews/sessions/{session_id}/report"))
    assert "teamwork" in json.dumps(report).lower()

    # the recordings are in S3, encrypted; the pieces are gone; no process kept media on its own disk
    for answer in answers.values():
        head = deployment.s3.get_object(Bucket=deployment.bucket, Key=answer["recording"], Range="bytes=0-3")["Body"].read()
        assert head == b"HLEF", answer  # HireLens's encrypted-file header, not the WebM
    anonymous = httpx.get(f"{deployment.app_env['HIRELENS_S3_ENDPOINT_URL']}/{deployment.bucket}/{answer['recording']}")
    assert anonymous.status_code == 403  # the bucket is private: only HireLens's key reads it
    left = deployment.s3.list_objects_v2(Bucket=deployment.bucket, Prefix="chunks/").get("KeyCount", 0)
    assert left == 0
    local = [str(p) for p in deployment.root.glob("*/media/**/*") if p.is_file()]
    assert local == []
    recording = api.get(f"/api/v1/interviews/answers/{first_id}/recording")
    assert recording.status_code == 200 and hashlib.sha256(recording.content).digest() == hashlib.sha256(first).digest()

    # 4. HR scores and decides
    position = _ok(api.get(f"/api/v1/positions/{deployment.seed['position_id']}"))
    ratings = [{"dimension": name, "score": 4, "reason": "Clear examples in both answers."}
               for name in position["scorecard_dimensions"]]
    stage_id = started["stage"]["id"]
    _ok(api.post(f"/api/v1/evaluations/applications/{application['id']}/stages/{stage_id}/scorecard",
                 json={"ratings": ratings, "recommendation": "no", "summary": "Good teamwork, little sales depth."}), 201)
    decision = _ok(api.post(f"/api/v1/evaluations/applications/{application['id']}/decisions",
                            json={"outcome": "reject", "rationale": "Both answers lacked concrete sales figures."}), 201)
    assert decision["candidate_name"] == "李明"
    assert _ok(api.get(f"/api/v1/applications/{application['id']}"))["status"] == "rejected"

    # 5. every page HR reaches still answers through nginx, with web-2 alone
    statuses = _crawl(hr, ["/", f"/candidates/{candidate['id']}/", f"/interviews/{session_id}/"])
    failed = {path: code for path, code in statuses.items() if code != 200}
    assert failed == {} and len(statuses) >= 15, (failed, len(statuses))
    page = hr.get(f"/interviews/{session_id}/").text
    assert "李明" in page
    media = hr.get(f"/interviews/answers/{first_id}/media")
    assert media.status_code == 200 and hashlib.sha256(media.content).digest() == hashlib.sha256(first).digest()
    assert api.get("/metrics").status_code == 401
    metrics = api.get("/metrics", headers={"Authorization": f"Bearer {deployment.app_env['HIRELENS_METRICS_TOKEN']}"})
    assert metrics.status_code == 200 and "hirelens_" in metrics.text

    # nginx: both web processes served before the kill, only web-2 after it, and no request failed
    log = deployment.access_log()
    port_1, port_2 = f"127.0.0.1:{web_1.port}", f"127.0.0.1:{web_2.port}"
    before = {row["upstreams"][-1] for row in log if row["at"] < killed["web_at"]}
    after = [row for row in log if row["at"] > killed["web_at"] + 0.5]
    assert {port_1, port_2} <= before
    assert after and {row["upstreams"][-1] for row in after if row["upstreams"] != ["-"]} == {port_2}
    assert [row for row in log if row["status"] >= 500] == []
    print(f"\nmigrated in {deployment.migrated_s:.1f} s, topology up in {deployment.started_s:.1f} s; invite -> analysed in {analysed_s:.1f} s; "
          f"{len(statuses)} pages crawled through nginx; piece retries by the candidate: {person.retries}; "
          f"per piece of the second answer ({pieces} pieces of 2 KB, one at a time): CPU {piece_ms} ms")
