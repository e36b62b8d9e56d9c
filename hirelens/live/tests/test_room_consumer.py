"""The room's signalling consumer through Channels' WebsocketCommunicator on the real ASGI application: who may
connect, the waiting room and admission, signals relayed only between people in the room, notes that never reach
the candidate, questions and answers, the end, and a reconnection that replaces the old socket."""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from hirelens.live.models import LiveRoom, RoomEvent, RoomNote

from .room_setup import ACCEPT_ALL, CANDIDATE, ensure_notices, live_interview

pytestmark = [pytest.mark.backend, pytest.mark.realtime, pytest.mark.django_db(transaction=True)]


def run(scenario):
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, scenario()).result()


def _headers(cookie=None):
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    return headers


def staff_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def candidate_cookie(room, token, *, consent=True):
    client = Client()
    assert client.get(f"/live/join/{token}/").status_code == 200
    if consent:
        response = client.post(f"/live/{room.pk}/consent/", data=json.dumps({"accepted": ACCEPT_ALL}),
                               content_type="application/json")
        assert response.status_code == 200
    return client.cookies["sessionid"].value


async def receive(comm, kind, timeout=3):
    """The next message of type ``kind`` (others, like quality updates, are skipped)."""
    while True:
        msg = await comm.receive_json_from(timeout=timeout)
        if msg["type"] == kind:
            return msg


async def join(comm, peer):
    connected, _ = await comm.connect()
    assert connected
    await comm.send_json_to({"type": "join", "peer": peer, "media": {"audio": True, "video": True}})
    hello = await receive(comm, "room")
    if hello.get("history_follows"):  # a staff page: the AI panel's history comes next (test_panel_history.py)
        assert (await comm.receive_json_from(timeout=3))["type"] == "panel_history"
    return hello


@pytest.fixture
def live(org, hr_admin, interviewer):
    from hirelens.accounts.tests.factories import UserFactory

    ensure_notices()
    second = UserFactory(organization=org, role="interviewer", email="li@example.com", full_name="李强")
    room, token = live_interview(org, hr_admin, [interviewer, second])
    return room, token, second


def test_who_may_connect(live, outsider):
    room, token, _second = live
    url = f"/ws/live/{room.pk}/"
    cookies = {"anonymous": None, "outsider": staff_cookie(outsider), "unconsented": candidate_cookie(room, token, consent=False)}

    async def scenario():
        anonymous = WebsocketCommunicator(application, url, headers=_headers(cookies["anonymous"]))
        assert await anonymous.connect() == (False, 4401)
        foreign = WebsocketCommunicator(application, url, headers=_headers(cookies["outsider"]))
        assert await foreign.connect() == (False, 4404)
        # a candidate who has not consented is connected but cannot join
        candidate = WebsocketCommunicator(application, url, headers=_headers(cookies["unconsented"]))
        assert (await candidate.connect())[0]
        await candidate.send_json_to({"type": "join", "peer": "cand-1"})
        error = await receive(candidate, "error")
        assert error["code"] == "consent" and error["message"]
        await candidate.send_json_to({"type": "ping", "t": 7})
        assert await receive(candidate, "pong") == {"type": "pong", "t": 7}
        await candidate.disconnect()

    run(scenario)


def test_waiting_room_admission_signals_notes_questions_and_end(live, interviewer):
    room, token, second = live
    url = f"/ws/live/{room.pk}/"
    first_cookie, second_cookie, cand_cookie = staff_cookie(interviewer), staff_cookie(second), candidate_cookie(room, token)

    async def scenario():
        first = WebsocketCommunicator(application, url, headers=_headers(first_cookie))
        other = WebsocketCommunicator(application, url, headers=_headers(second_cookie))
        cand = WebsocketCommunicator(application, url, headers=_headers(cand_cookie))
        hello = await join(first, "staff-a")
        assert hello["state"] == "waiting" and hello["admitted"] is False and hello["participants"] == []
        assert hello["you"]["name"] == interviewer.full_name and hello["you"]["role"] == "interviewer"
        hello2 = await join(other, "staff-b")
        assert [(p["peer"], p["name"], p["role"]) for p in hello2["participants"]] == [("staff-a", interviewer.full_name, "interviewer")]
        assert hello2["you"]["seq"] > hello2["participants"][0]["seq"]  # the later joiner offers
        joined = await receive(first, "peer_joined")
        assert joined["peer"] == "staff-b" and joined["name"] == "李强"

        # the candidate waits: sees nobody, and nobody may signal across the waiting room's door
        waiting = await join(cand, "cand-1")
        assert waiting["admitted"] is False and waiting["participants"] == [] and waiting["you"]["role"] == "candidate"
        seen = await receive(first, "peer_joined")
        assert seen["peer"] == "cand-1" and seen["name"] == CANDIDATE and seen["admitted"] is False
        await cand.send_json_to({"type": "signal", "to": "staff-a", "data": {"sdp": {"type": "offer", "sdp": "x"}}})
        assert (await receive(cand, "error"))["code"] == "forbidden"
        await first.send_json_to({"type": "signal", "to": "cand-1", "data": {"candidate": {"candidate": "x"}}})
        assert (await receive(first, "error"))["code"] == "forbidden"
        await cand.send_json_to({"type": "admit"})
        assert (await receive(cand, "error"))["code"] == "forbidden"

        # admitted: the candidate is told, gets the interviewers, and offers (its seq is the latest)
        await first.send_json_to({"type": "admit"})
        assert (await receive(cand, "admitted"))["by"] == interviewer.full_name
        inside = await receive(cand, "room")
        assert inside["admitted"] is True and inside["state"] == "open"
        assert sorted(p["name"] for p in inside["participants"]) == sorted([interviewer.full_name, "李强"])
        assert all(inside["you"]["seq"] > p["seq"] for p in inside["participants"])
        for staff in (first, other):
            await receive(staff, "admitted")
            room_msg = await receive(staff, "room")
            assert any(p["role"] == "candidate" and p["admitted"] for p in room_msg["participants"])
        await cand.send_json_to({"type": "signal", "to": "staff-a", "data": {"sdp": {"type": "offer", "sdp": "v=0"}}})
        relayed = await receive(first, "signal")
        assert relayed == {"type": "signal", "from": "cand-1", "data": {"sdp": {"type": "offer", "sdp": "v=0"}}}
        assert await other.receive_nothing(0.2)  # the signal went to staff-a only
        await cand.send_json_to({"type": "state", "muted": True, "camera_off": False, "screen": True})
        state = await receive(first, "peer_state")
        assert state["peer"] == "cand-1" and state["muted"] is True and state["screen"] is False  # no screen share for the candidate

        # a note reaches the other interviewer, never the candidate
        await first.send_json_to({"type": "note", "text": "项目经历具体", "tags": ["clear"]})
        note = await receive(other, "note")
        assert note["author"] == interviewer.full_name and note["text"] == "项目经历具体" and note["tags"] == ["clear"]
        assert note["media_time_s"] is not None
        await cand.send_json_to({"type": "note", "text": "偷看", "tags": []})
        assert (await receive(cand, "error"))["code"] == "forbidden"

        # the candidate's question reaches everyone; the answer too
        await cand.send_json_to({"type": "question", "text": "团队有多少人？"})
        question = await receive(other, "question")
        assert question["text"] == "团队有多少人？"
        assert (await receive(cand, "question"))["id"] == question["id"]
        await other.send_json_to({"type": "answer", "question": question["id"], "text": "八个人", "by_voice": False})
        answer = await receive(cand, "answer")
        assert answer == {"type": "answer", "question": question["id"], "text": "八个人", "by_voice": False, "by": "李强"}

        # nothing of the staff group reached the candidate
        while not await cand.receive_nothing(0.3):
            assert (await cand.receive_json_from())["type"] not in {"note", "panel", "incident", "helpdesk"}

        # the end: everyone hears it and the sockets close; the room refuses a new connection
        await other.send_json_to({"type": "end"})
        for comm in (first, other, cand):
            assert (await receive(comm, "ended"))["by"] == "李强"
            assert (await comm.receive_output(timeout=3))["type"] == "websocket.close"
        again = WebsocketCommunicator(application, url, headers=_headers(first_cookie))
        assert (await again.connect())[0]
        assert (await again.receive_json_from())["type"] == "ended"
        await again.disconnect()

    run(scenario)
    room.refresh_from_db()
    assert room.state == LiveRoom.State.ENDED and room.ended_by == second
    assert RoomNote.objects.filter(room=room).count() == 1
    kinds = list(RoomEvent.objects.filter(room=room).values_list("kind", flat=True))
    assert kinds[:3] == ["joined", "joined", "joined"] and "admitted" in kinds and kinds[-1] == "ended"


def test_reconnect_with_the_same_peer_replaces_the_old_socket(live, interviewer):
    room, _token, second = live
    url = f"/ws/live/{room.pk}/"
    first_cookie, second_cookie = staff_cookie(interviewer), staff_cookie(second)

    async def scenario():
        first = WebsocketCommunicator(application, url, headers=_headers(first_cookie))
        other = WebsocketCommunicator(application, url, headers=_headers(second_cookie))
        await join(first, "staff-a")
        await join(other, "staff-b")
        await receive(first, "peer_joined")
        back = WebsocketCommunicator(application, url, headers=_headers(second_cookie))
        connected, _ = await back.connect()
        assert connected
        await back.send_json_to({"type": "join", "peer": "staff-b", "reconnect": True})
        hello = await receive(back, "room")
        assert [p["peer"] for p in hello["participants"]] == ["staff-a"]
        closed = await other.receive_output(timeout=3)
        assert closed == {"type": "websocket.close", "code": 4409}
        rejoined = await receive(first, "peer_joined")
        assert rejoined["peer"] == "staff-b" and rejoined["reconnect"] is True
        # signals now reach the new socket
        await first.send_json_to({"type": "signal", "to": "staff-b", "data": {"candidate": {"candidate": "c"}}})
        assert (await receive(back, "signal"))["from"] == "staff-a"
        # someone else's peer id cannot be taken over
        thief = WebsocketCommunicator(application, url, headers=_headers(first_cookie))
        await thief.connect()
        await thief.send_json_to({"type": "join", "peer": "staff-b"})
        assert (await receive(thief, "error"))["code"] == "peer"
        await thief.disconnect()
        await back.disconnect()
        left = await receive(first, "peer_left")
        assert left["peer"] == "staff-b" and left["leaving"] is True  # closed on purpose: the others drop it at once
        await first.disconnect()

    run(scenario)
    assert "reconnected" in RoomEvent.objects.filter(room=room).values_list("kind", flat=True)


def test_a_page_back_from_a_drop_gets_the_conversation_it_missed(live, interviewer):
    """What went out while a page was away (a question, its answer, a note) comes again with the room state; the
    candidate's copy never holds the interviewers' notes."""
    room, token, second = live
    url = f"/ws/live/{room.pk}/"
    first_cookie, second_cookie, cand_cookie = staff_cookie(interviewer), staff_cookie(second), candidate_cookie(room, token)

    async def scenario():
        first = WebsocketCommunicator(application, url, headers=_headers(first_cookie))
        cand = WebsocketCommunicator(application, url, headers=_headers(cand_cookie))
        hello = await join(first, "staff-a")
        assert hello["questions"] == [] and hello["notes"] == []
        waiting = await join(cand, "cand-1")
        assert "questions" not in waiting and "notes" not in waiting  # nothing of the room before admission
        await first.send_json_to({"type": "admit"})
        await receive(cand, "room")
        await cand.send_json_to({"type": "question", "text": "团队有多少人？"})
        question = await receive(first, "question")
        await cand.disconnect()  # the candidate's network drops here ...
        await first.send_json_to({"type": "answer", "question": question["id"], "text": "八个人", "by_voice": False})
        await first.send_json_to({"type": "note", "text": "回答简洁", "tags": []})
        await receive(first, "note")
        # ... and the second interviewer was not even there yet
        other = WebsocketCommunicator(application, url, headers=_headers(second_cookie))
        late = await join(other, "staff-b")
        assert [n["text"] for n in late["notes"]] == ["回答简洁"] and late["notes"][0]["author"] == interviewer.full_name
        assert late["questions"][0]["answer"]["text"] == "八个人"
        back = WebsocketCommunicator(application, url, headers=_headers(cand_cookie))
        connected, _ = await back.connect()
        assert connected
        await back.send_json_to({"type": "join", "peer": "cand-1", "reconnect": True})
        again = await receive(back, "room")
        assert "notes" not in again
        [missed] = again["questions"]
        assert missed["id"] == question["id"] and missed["text"] == "团队有多少人？"
        assert missed["answer"] == {"question": question["id"], "text": "八个人", "by_voice": False, "by": interviewer.full_name}
        for comm in (back, other, first):
            await comm.disconnect()

    run(scenario)


def test_server_offer_after_admission_gets_the_server_peers_answer(live, interviewer):
    from aiortc import RTCConfiguration, RTCPeerConnection
    from aiortc.mediastreams import AudioStreamTrack

    room, token, _second = live
    url = f"/ws/live/{room.pk}/"
    staff, cand_cookie = staff_cookie(interviewer), candidate_cookie(room, token)

    async def scenario():
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pc.addTrack(AudioStreamTrack())
        await pc.setLocalDescription(await pc.createOffer())  # aiortc gathers before it returns: non-trickle
        first = WebsocketCommunicator(application, url, headers=_headers(staff))
        cand = WebsocketCommunicator(application, url, headers=_headers(cand_cookie))
        await join(first, "staff-a")
        await join(cand, "cand-1")
        await cand.send_json_to({"type": "server_offer", "sdp": pc.localDescription.sdp})
        assert (await receive(cand, "error"))["code"] == "forbidden"  # still in the waiting room
        await first.send_json_to({"type": "admit"})
        await receive(cand, "room")
        await cand.send_json_to({"type": "server_offer", "sdp": pc.localDescription.sdp})
        answer = await receive(cand, "server_answer", timeout=60)
        assert answer["sdp_type"] == "answer" and "a=fingerprint:" in answer["sdp"] and "m=audio" in answer["sdp"]
        await first.send_json_to({"type": "end"})
        await receive(cand, "ended")
        await pc.close()
        await first.disconnect()

    run(scenario)
    room.refresh_from_db()
    assert room.state == LiveRoom.State.ENDED


def test_a_second_candidate_tab_takes_over(live, interviewer):
    room, token, _second = live
    url = f"/ws/live/{room.pk}/"
    staff, cand_cookie = staff_cookie(interviewer), candidate_cookie(room, token)

    async def scenario():
        first = WebsocketCommunicator(application, url, headers=_headers(staff))
        phone = WebsocketCommunicator(application, url, headers=_headers(cand_cookie))
        laptop = WebsocketCommunicator(application, url, headers=_headers(cand_cookie))
        await join(first, "staff-a")
        await join(phone, "cand-phone")
        assert (await receive(first, "peer_joined"))["peer"] == "cand-phone"
        await join(laptop, "cand-laptop")
        assert await phone.receive_output(timeout=3) == {"type": "websocket.close", "code": 4409}
        left = await receive(first, "peer_left")
        assert left["peer"] == "cand-phone" and left["leaving"] is True
        assert (await receive(first, "peer_joined"))["peer"] == "cand-laptop"
        await first.send_json_to({"type": "admit"})
        inside = await receive(first, "room")
        assert [p["peer"] for p in inside["participants"] if p["role"] == "candidate"] == ["cand-laptop"]
        await laptop.disconnect()
        await first.disconnect()

    run(scenario)


def test_a_silent_socket_is_dropped_and_the_others_told(live, interviewer, settings):
    """A page whose network died sends no close frame: the room drops a joined socket silent for LIVE_IDLE_CLOSE_S
    (pages ping every 2 s) and tells the others at once, as a drop (not a leave), so their tile waits for a return;
    a page that keeps pinging stays."""
    settings.LIVE_IDLE_CLOSE_S = 1.5
    room, token, second = live
    url = f"/ws/live/{room.pk}/"
    first_cookie, second_cookie = staff_cookie(interviewer), staff_cookie(second)

    async def scenario():
        talker = WebsocketCommunicator(application, url, headers=_headers(first_cookie))
        silent = WebsocketCommunicator(application, url, headers=_headers(second_cookie))
        await join(talker, "staff-a")
        await join(silent, "staff-b")
        assert (await receive(talker, "peer_joined"))["peer"] == "staff-b"
        loop = asyncio.get_running_loop()
        started = loop.time()
        left = None
        while left is None and loop.time() - started < 10:
            await talker.send_json_to({"type": "ping", "t": 1})
            try:
                msg = await talker.receive_json_from(timeout=0.5)
            except TimeoutError:
                continue
            if msg["type"] == "peer_left":
                left = msg
        assert left is not None, "the silent page was never dropped"
        assert left["peer"] == "staff-b" and left["name"] == "李强" and left["leaving"] is False
        closed = await silent.receive_output(timeout=3)
        while closed["type"] != "websocket.close":
            closed = await silent.receive_output(timeout=3)
        assert closed["code"] == 4408
        # the talker, pinging all along, is still in the room: a third page sees it there
        again = WebsocketCommunicator(application, url, headers=_headers(second_cookie))
        hello = await join(again, "staff-b")
        assert [p["peer"] for p in hello["participants"]] == ["staff-a"]
        await again.disconnect()
        await talker.disconnect()

    run(scenario)
