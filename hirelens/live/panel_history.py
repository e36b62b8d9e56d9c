"""What the live AI panel has said so far in a room, so that an interviewer who opens the room late (or whose page
reloads) sees the same counts, rate, keywords and transcript as the others.

The room's analysis (``media.RoomAnalysis``, also behind the Janus path) numbers its panel events (``n``, from 0, and
``run``, one per analysis) and keeps every event except transcript partials (a final replaces them) in the shared cache
in chunks of ``CHUNK`` events, so one write costs at most a chunk however long the interview. The room's consumer sends
the history to an interviewer's page when it joins (``panel_history``); the page replays it in order before any live
event, skipping what it has already seen by ``n``. Redis is the cache when configured (every web process sees it); on
the embedded default the one web process's memory is. Entries expire after ``TTL_S``; the room's end deletes them.
Candidates never receive the panel: this is sent to staff only."""

from __future__ import annotations

import threading

from django.core.cache import cache

CHUNK = 100
MAX_EVENTS = 5000  # about 90 minutes of speech: beyond it the oldest are not replayed (the page says so by n)
TTL_S = 6 * 3600
SKIP = {"partial"}


def _key(room_id: int, part: str) -> str:
    return f"live:panel:{room_id}:{part}"


class PanelHistory:
    """The writer (one per room analysis; thread-safe: events come from the analysis threads)."""

    def __init__(self, room_id: int, run: str):
        self.room_id = room_id
        self.run = run
        self._lock = threading.Lock()
        self._chunk: list[dict] = []
        self._chunk_no = 0
        self._kept = 0

    def add(self, payload: dict) -> None:
        event = payload.get("event") or {}
        if event.get("type") in SKIP:
            return
        with self._lock:
            if self._kept >= MAX_EVENTS:
                return
            self._chunk.append(payload)
            self._kept += 1
            try:
                cache.set_many({_key(self.room_id, f"chunk:{self._chunk_no}"): list(self._chunk),
                                _key(self.room_id, "head"): {"run": self.run, "chunks": self._chunk_no + 1}}, TTL_S)
            except Exception:  # the panel goes on live without a history (a cache outage must not stop the analysis)
                pass
            if len(self._chunk) >= CHUNK:
                self._chunk, self._chunk_no = [], self._chunk_no + 1


def panel_history(room_id: int) -> dict:
    """``{"run": ..., "events": [...]}`` in order (empty when the room has had no analysis yet)."""
    try:
        head = cache.get(_key(room_id, "head"))
        if not head:
            return {"run": None, "events": []}
        keys = [_key(room_id, f"chunk:{i}") for i in range(int(head.get("chunks", 0)))]
        found = cache.get_many(keys)
    except Exception:
        return {"run": None, "events": []}
    events = [event for key in keys for event in found.get(key, [])]
    return {"run": head.get("run"), "events": events}


def panel_history_clear(room_id: int) -> None:
    try:
        head = cache.get(_key(room_id, "head"))
        chunks = int(head.get("chunks", 0)) if head else 0
        cache.delete_many([_key(room_id, "head")] + [_key(room_id, f"chunk:{i}") for i in range(chunks)])
    except Exception:
        pass
