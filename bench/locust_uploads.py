"""Locust users for bench/uploads.py: each is one candidate uploading an answer.

``Candidate`` (burst): the whole pre-recorded answer as fast as the server takes it, in BENCH_CHUNK-sized pieces.
``RealtimeCandidate``: records in real time, as the interview page does with MediaRecorder: one piece becomes
available every BENCH_EVERY seconds (a BENCH_ANSWER_S recording cut into equal pieces), and the page's uploader sends
them one at a time, in order, retrying a 5xx or a dropped connection with back-off (interview.js ``request``), then
finishes the answer and records the next one, for BENCH_DURATION seconds. Each piece's latency (first send to stored,
retries included) and lag (available to stored), and each answer's expected size and digest, are written to
BENCH_RESULTS (JSON).

Environment: BENCH_FILE (the recording), BENCH_USERS, BENCH_CHUNK (burst: bytes a piece), BENCH_EVERY,
BENCH_ANSWER_S, BENCH_DURATION (real time), BENCH_RESULTS (real time: where the JSON goes).
"""

import hashlib
import itertools
import json
import os
import random
import time

import gevent
from locust import FastHttpUser, HttpUser, between, events, task
from locust.exception import StopUser

DATA = open(os.environ["BENCH_FILE"], "rb").read()
CHUNK = int(os.environ.get("BENCH_CHUNK", "65536"))
EVERY = float(os.environ.get("BENCH_EVERY", "2"))
DIGEST = hashlib.sha256(DATA).hexdigest()
USERS = int(os.environ.get("BENCH_USERS", "1"))
NUMBERS = itertools.count()
DONE = itertools.count(1)


def _pieces(size: int) -> list[tuple[int, int, bytes, str]]:
    return [(i, off, DATA[off:off + size], hashlib.sha256(DATA[off:off + size]).hexdigest())
            for i, off in enumerate(range(0, len(DATA), size))]


PIECES = _pieces(CHUNK)
RESULTS = {"latency_s": [], "lag_s": [], "retries": 0, "statuses": {}, "begun": 0, "finished": 0, "finish_s": [], "expected": []}


def _finished(environment):
    if next(DONE) >= USERS:  # every candidate has uploaded: stop the run instead of idling to --run-time
        gevent.spawn_later(0.5, environment.runner.quit)


def _retrying(call, attempts=40, first_delay=0.25, max_delay=4.0):
    """Like the browser's uploader: a 5xx or a dropped connection is retried with back-off."""
    delay = first_delay
    response = None
    for attempt in range(attempts):
        response = call()
        if attempt:
            RESULTS["retries"] += 1
        status = str(response.status_code or "connection error")
        RESULTS["statuses"][status] = RESULTS["statuses"].get(status, 0) + 1
        if response.status_code and response.status_code < 500:
            return response
        gevent.sleep(delay)
        delay = min(delay * 2, max_delay)
    return response


class Candidate(HttpUser):
    wait_time = between(0.0, 0.2)

    def on_start(self):
        self.token = f"bench-{next(NUMBERS)}"

    @task
    def answer(self):
        base = f"/i/{self.token}/"
        response = _retrying(lambda: self.client.post(base + "answers", json={"question": 0, "kind": "video", "mime": "video/webm"},
                                                      name="begin"))
        if response.status_code != 201:
            _finished(self.environment)
            raise StopUser()
        answer = response.json()["answer"]
        for index, offset, piece, checksum in PIECES:
            _retrying(lambda index=index, offset=offset, piece=piece, checksum=checksum: self.client.put(
                f"{base}answers/{answer}/chunks/{index}", data=piece, name="chunk",
                headers={"X-Chunk-Offset": str(offset), "X-Chunk-SHA256": checksum}))
        _retrying(lambda: self.client.post(f"{base}answers/{answer}/finish", json={"size": len(DATA), "sha256": DIGEST}, name="finish"))
        _finished(self.environment)
        raise StopUser()


REALTIME_PIECES: list = []
PREFIX_DIGESTS: list = []  # PREFIX_DIGESTS[k]: (size, SHA-256) of the recording's first k pieces
RANDOM = random.Random(22)


def _realtime_pieces() -> None:
    count = max(1, round(float(os.environ["BENCH_ANSWER_S"]) / EVERY))
    REALTIME_PIECES.extend(_pieces(-(-len(DATA) // count)))
    for k in range(len(REALTIME_PIECES) + 1):
        size = sum(len(p[2]) for p in REALTIME_PIECES[:k])
        PREFIX_DIGESTS.append((size, hashlib.sha256(DATA[:size]).hexdigest()))


class RealtimeCandidate(FastHttpUser):
    """One candidate recording for BENCH_DURATION seconds without a pause, as answers of BENCH_ANSWER_S seconds (the
    first one of a random length, so that answers end at every moment as they do when candidates started at different
    times). Each answer is the recording's first pieces (a whole recording: the first answer a prefix of it)."""

    wait_time = between(0.0, 0.0)
    connection_timeout = 60.0
    network_timeout = 120.0

    def on_start(self):
        self.token = f"bench-{next(NUMBERS)}"
        if not REALTIME_PIECES:
            _realtime_pieces()

    def _send(self, method, path, name, **kwargs):
        # FastHttpUser marks every status >= 400 as a failure; a 409/422 is an answer here, reported as such
        with self.client.request(method, path, name=name, catch_response=True, **kwargs) as response:
            if response.status_code and response.status_code < 500:
                response.success()
            return response

    def _answer(self, base: str, question: int, started: float, first_piece: int, count: int) -> None:
        """One answer of ``count`` pieces; piece j of the recording is handed over at started + (j + 1) * EVERY."""
        response = _retrying(lambda: self._send("POST", base + "answers", "begin",
                                                json={"question": question, "kind": "video", "mime": "video/webm"}),
                             first_delay=1.0, max_delay=8.0)
        if response.status_code != 201:
            return
        RESULTS["begun"] += 1
        answer = response.json()["answer"]
        for index, offset, piece, checksum in REALTIME_PIECES[:count]:
            available = started + (first_piece + index + 1) * EVERY
            gevent.sleep(max(0.0, available - time.monotonic()))
            sent = time.monotonic()
            response = _retrying(lambda index=index, offset=offset, piece=piece, checksum=checksum: self._send(
                "PUT", f"{base}answers/{answer}/chunks/{index}", "chunk", data=piece,
                headers={"X-Chunk-Offset": str(offset), "X-Chunk-SHA256": checksum}), first_delay=1.0, max_delay=8.0)
            if response.status_code == 200:
                now = time.monotonic()
                RESULTS["latency_s"].append(now - sent)
                RESULTS["lag_s"].append(now - available)
        size, digest = PREFIX_DIGESTS[count]
        RESULTS["expected"].append([answer, size, digest])
        sent = time.monotonic()
        response = _retrying(lambda: self._send("POST", f"{base}answers/{answer}/finish", "finish",
                                                json={"size": size, "sha256": digest}), first_delay=1.0, max_delay=8.0)
        if response.status_code == 200:
            RESULTS["finished"] += 1
            RESULTS["finish_s"].append(time.monotonic() - sent)

    @task
    def record(self):
        base = f"/i/{self.token}/"
        per_answer = len(REALTIME_PIECES)
        total = max(1, round(float(os.environ.get("BENCH_DURATION", os.environ["BENCH_ANSWER_S"])) / EVERY))
        started = time.monotonic()  # MediaRecorder.start(2000)
        done = 0
        count = RANDOM.randint(1, per_answer) if total > per_answer else per_answer
        for question in itertools.count():  # the session has ten questions (bench/upload_setup.py)
            if done >= total:
                break
            count = min(count, total - done)
            self._answer(base, question, started, done, count)
            done += count
            count = per_answer
        _finished(self.environment)
        raise StopUser()


@events.quitting.add_listener
def _write_results(environment, **_kwargs):
    if os.environ.get("BENCH_RESULTS"):
        with open(os.environ["BENCH_RESULTS"], "w") as handle:
            json.dump(RESULTS, handle)
