"""A real webhook receiver: a threaded HTTP server on 127.0.0.1 that records every request and answers what the test
asks (200 unless told otherwise), and an endpoint of the test organization pointing at it."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict
    body: str

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    def signatures(self) -> list[str]:
        return [part.removeprefix("v1=") for part in self.headers["hirelens-signature"].split() if part.startswith("v1=")]

    def signed_by(self, secret: str) -> bool:
        """Verify as a receiver does (docs/webhooks.md): HMAC-SHA256 of "<timestamp>.<body>", compared in constant time."""
        expected = hmac.new(secret.encode(), f"{self.headers['hirelens-webhook-timestamp']}.{self.body}".encode(),
                            hashlib.sha256).hexdigest()
        return any(hmac.compare_digest(expected, sig) for sig in self.signatures())


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[int, str]] = field(default_factory=list)  # answered in order, then 200 "ok"
    delay_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, *answers: tuple[int, str]) -> None:
        with self.lock:
            self.answers.extend(answers)

    def types(self) -> list[str]:
        return [r.json["type"] for r in self.requests]


@pytest.fixture
def receiver():
    state: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            rec: Receiver = state["receiver"]
            with rec.lock:
                rec.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                status, text = rec.answers.pop(0) if rec.answers else (200, "ok")
            if rec.delay_s:
                time.sleep(rec.delay_s)
            payload = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["receiver"] = Receiver(url=f"http://127.0.0.1:{server.server_port}/hooks")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["receiver"]
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint_and_secret(hr_admin, receiver):
    from hirelens.webhooks.models import EVENT_LABELS
    from hirelens.webhooks.services import endpoint_create

    return endpoint_create(actor=hr_admin, url=receiver.url, event_types=list(EVENT_LABELS), description="测试接收方")
