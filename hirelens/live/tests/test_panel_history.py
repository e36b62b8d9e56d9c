"""An interviewer who opens the room late sees what the AI panel said before: the room's analysis keeps its numbered
panel events (not the partials) in the shared cache by chunks, the consumer sends them to a staff page as it joins
(never to the candidate), the page replays them in order before any live event and shows nothing twice; the room's
end removes them."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator

from config.asgi import application
from conftest import in_thread, wait_for_js
from hirelens.live.panel_history import CHUNK, PanelHistory, panel_history, panel_history_clear

from .room_setup import ensure_notices, live_interview
from .test_panel import dispatch, open_room, room_browser  # noqa: F401 (the fixture)
from .test_room_consumer import _headers, candidate_cookie, join, run, staff_cookie


def _events(count: int, run_id: str = "run-a") -> list[dict]:
    kinds = ["speech_start", "partial", "final", "speech_end", "rate"]
    return [{"event": {"type": kinds[i % len(kinds)], "t_s": i / 10, "segment": i, "text": f"w{i}"}, "wall_ms": 1000 + i,
             "run": run_id, "n": i} for i in range(count)]


@pytest.fixture
def clean_history():
    yield
    for room_id in range(1, 50):
        panel_history_clear(room_id)


def test_history_keeps_every_event_but_partials_in_order_across_chunks(clean_history):
    writer = PanelHistory(7, "run-a")
    events = _events(3 * CHUNK + 7)
    for payload in events:
        writer.add(payload)
    got = panel_history(7)
    assert got["run"] == "run-a"
    assert [e["n"] for e in got["events"]] == [e["n"] for e in events if e["event"]["type"] != "partial"]
    assert panel_history(8) == {"run": None, "events": []}
    panel_history_clear(7)
    assert panel_history(7)["events"] == []


@pytest.mark.django_db
def test_erasing_the_candidate_or_withdrawing_ai_consent_removes_the_panel_history(org, hr_admin, interviewer, clean_history):
    from hirelens.core.erasure import erase_candidate, erase_derived

    ensure_notices()
    room, _token = live_interview(org, hr_admin, [interviewer])
    PanelHistory(room.pk, "run-c").add(_events(1, "run-c")[0])
    assert panel_history(room.pk)["events"]

    candidate = room.application.candidate
    erase_derived(candidate=candidate, consent_kind="ai_analysis", actor=hr_admin)
    assert panel_history(room.pk)["events"] == []
    PanelHistory(room.pk, "run-d").add(_events(1, "run-d")[0])
    erase_candidate(candidate=candidate, actor=hr_admin, reason="test")
    assert panel_history(room.pk)["events"] == []


@pytest.mark.realtime
@pytest.mark.django_db(transaction=True)
def test_a_late_interviewer_gets_the_history_the_candidate_never_does(org, hr_admin, interviewer, clean_history):
    from hirelens.live import services

    ensure_notices()
    room, token = live_interview(org, hr_admin, [interviewer])
    writer = PanelHistory(room.pk, "run-b")
    events = _events(12, "run-b")
    for payload in events:
        writer.add(payload)
    url = f"/ws/live/{room.pk}/"
    staff, cand = staff_cookie(interviewer), candidate_cookie(room, token)

    async def scenario():
        late = WebsocketCommunicator(application, url, headers=_headers(staff))
        hello = await late.connect()
        assert hello[0]
        await late.send_json_to({"type": "join", "peer": "staff-late", "media": {"audio": True, "video": True}})
        room_msg = await late.receive_json_from(timeout=3)
        assert room_msg["type"] == "room" and room_msg["history_follows"] is True
        history = await late.receive_json_from(timeout=3)  # right after "room", before anything live
        assert history["type"] == "panel_history" and history["run"] == "run-b"
        assert [e["n"] for e in history["events"]] == [e["n"] for e in events if e["event"]["type"] != "partial"]
        candidate = WebsocketCommunicator(application, url, headers=_headers(cand))
        await join(candidate, "cand-1")
        seen = []
        while not await candidate.receive_nothing(timeout=0.7):
            seen.append((await candidate.receive_json_from(timeout=3))["type"])
        assert "panel_history" not in seen and "panel" not in seen
        await late.disconnect()
        await candidate.disconnect()

    run(scenario)
    services.room_end(actor=interviewer, room=room, end_media=False)
    assert panel_history(room.pk)["events"] == []


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_page_replays_the_history_before_live_events_and_shows_nothing_twice(org, hr_admin, interviewer, asgi_server,
                                                                                  room_browser):  # noqa: F811
    room, _token = in_thread(lambda: live_interview(org, hr_admin, [interviewer]))
    context, page = open_room(room_browser, asgi_server.base_url, interviewer, room)
    try:
        wait_for_js(page, "window.hirelensPanel.replayed !== undefined")  # the page's own (empty) history has come
        stamp = {"wall_ms": 1}

        def ev(n, kind, t, run_id="r1", **extra):
            return {"type": "panel", "run": run_id, "n": n, "event": {"type": kind, "t_s": t, **extra}, **stamp}

        history = [ev(0, "speech_start", 0.5), ev(1, "speech_end", 2.0), ev(2, "speech_start", 3.0),
                   ev(3, "pause", 4.0), ev(4, "pause_end", 6.0, duration_s=2.0)]
        # a reconnection: "room", then a live event overtakes the history, then the history
        dispatch(page, [{"type": "room", "history_follows": True}, ev(5, "speech_end", 7.0), {"type": "panel_history", "run": "r1", "events": history}])
        received = page.evaluate("window.hirelensPanel.received")
        assert [r["media_t"] for r in received] == [0.5, 2.0, 3.0, 4.0, 6.0, 7.0]  # in order, once
        assert [r["replayed"] for r in received] == [True] * 5 + [False]
        assert page.get_attribute("#panel-pauses", "data-count") == "1"
        assert page.get_attribute("#panel-pauses", "data-long") == "1"
        # a live event seen already is dropped; a new analysis run counts from 0 again
        dispatch(page, [ev(4, "pause_end", 6.0, duration_s=2.0), ev(0, "speech_start", 8.0, run_id="r2")])
        received = page.evaluate("window.hirelensPanel.received")
        assert [r["media_t"] for r in received][-2:] == [7.0, 8.0] and len(received) == 7
    finally:
        context.close()
