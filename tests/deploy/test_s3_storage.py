"""S3 storage under ASGI: each request's sync code runs in a new thread, and django-storages makes one boto3
connection per thread. Those connections come from one boto3 Session per process (hirelens/core/storage.py), so a
new thread does not load botocore's service models again (~220 ms of CPU each time: make test-deploy measured 250 ms
of web CPU per upload piece before; the figure is printed there, not asserted here)."""

from __future__ import annotations

import threading
from pathlib import Path

from config.env import Storage


def test_connections_made_in_new_threads_share_one_boto3_session(settings):
    settings.STORAGE_CONFIG = Storage(backend="s3", media_root=Path("/nonexistent"), s3_bucket="hirelens-media",
                                      s3_endpoint_url="http://127.0.0.1:9", s3_region="us-east-1", s3_access_key="key",
                                      s3_secret_key="secret")
    from hirelens.core.storage import EncryptedStorage

    inner = EncryptedStorage().inner
    sessions, connections = [], []

    def request():
        connections.append(inner.connection)
        sessions.append(inner._create_session())

    for _ in range(3):
        thread = threading.Thread(target=request)
        thread.start()
        thread.join()
    assert len({id(session) for session in sessions}) == 1
    assert len({id(connection) for connection in connections}) == 3  # still one resource per thread (not thread-safe)
    assert connections[0].meta.client.meta.endpoint_url == "http://127.0.0.1:9"
