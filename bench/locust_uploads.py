"""Locust users: each is one candidate uploading a pre-recorded answer in 2-second-sized chunks.

Environment: BENCH_HOST, BENCH_FILE (the recording), BENCH_CHUNK (bytes), BENCH_USERS.
"""

import hashlib
import itertools
import os

import gevent
from locust import HttpUser, between, task
from locust.exception import StopUser

DATA = open(os.environ["BENCH_FILE"], "rb").read()
CHUNK = int(os.environ.get("BENCH_CHUNK", "65536"))
DIGEST = hashlib.sha256(DATA).hexdigest()
PIECES = [(i, off, DATA[off:off + CHUNK], hashlib.sha256(DATA[off:off + CHUNK]).hexdigest())
          for i, off in enumerate(range(0, len(DATA), CHUNK))]
NUMBERS = itertools.count()
USERS = int(os.environ.get("BENCH_USERS", "1"))
DONE = itertools.count(1)


def _finished(environment):
    if next(DONE) >= USERS:  # every candidate has uploaded: stop the run instead of idling to --run-time
        gevent.spawn_later(0.5, environment.runner.quit)


def _retrying(call, attempts=40):
    """Like the browser's uploader: a 5xx or a dropped connection is retried with back-off."""
    delay = 0.25
    response = None
    for _attempt in range(attempts):
        response = call()
        if response.status_code and response.status_code < 500:
            return response
        gevent.sleep(delay)
        delay = min(delay * 2, 4.0)
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
