"""A web process that hosted live rooms hands their models back once no room has been analysed in it for
ANALYSIS_IDLE_UNLOAD_S (issue 22: web processes < 300 MB; before, the live models stayed loaded for good)."""

from __future__ import annotations

import asyncio
import time

import pytest

from analysis import transcript
from hirelens.live import media


@pytest.fixture
def cached_model(settings):
    """A stand-in entry in the speech-model cache (the cache models_unload empties; loading Whisper here would only
    cost time), and a short idle time."""
    settings.ANALYSIS_IDLE_UNLOAD_S = 0.3
    key = "/nonexistent/live-idle-test-model"
    with transcript._lock:
        transcript._models[key] = object()
    media._warmed.add("zh")
    yield key
    with transcript._lock:
        transcript._models.pop(key, None)
    media._warmed.discard("zh")


def _wait_for(condition, timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_models_are_released_after_the_last_room_has_been_idle(cached_model):
    before = media.live_models.unloads
    media.live_models.hold()
    media.live_models.release()
    time.sleep(0.1)
    assert cached_model in transcript._models  # not before the idle time
    assert _wait_for(lambda: media.live_models.unloads > before)
    assert cached_model not in transcript._models
    assert media.live_models.unloads == before + 1 and "zh" not in media._warmed  # the next room warms up again


def test_a_room_that_starts_within_the_idle_time_keeps_them(cached_model):
    before = media.live_models.unloads
    media.live_models.hold()
    media.live_models.release()
    time.sleep(0.1)
    media.live_models.hold()  # the next room
    time.sleep(0.6)
    assert cached_model in transcript._models and media.live_models.unloads == before
    media.live_models.release()
    assert _wait_for(lambda: media.live_models.unloads > before) and cached_model not in transcript._models


def test_a_room_holds_them_from_its_start_to_its_close(cached_model, db):
    before = media.live_models.unloads
    loop = asyncio.new_event_loop()
    try:
        room = media.RoomAnalysis(987654, options={"analysis": False, "recording": False}, loop=loop)
        assert media.live_models.active >= 1
        time.sleep(0.6)
        assert cached_model in transcript._models  # in use: never released under a running room
        room.close()
    finally:
        loop.close()
    assert media.live_models.active == 0
    assert _wait_for(lambda: media.live_models.unloads > before) and cached_model not in transcript._models


def test_zero_means_never(cached_model, settings):
    settings.ANALYSIS_IDLE_UNLOAD_S = 0
    media.live_models.hold()
    media.live_models.release()
    time.sleep(0.5)
    assert cached_model in transcript._models
