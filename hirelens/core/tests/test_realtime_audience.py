"""Live events reach only the staff allowed to see their object, and never a session that owes its second factor.

Real WebSocket clients (Channels' communicator over ``config.asgi``, with a real session cookie) for each role;
the events are published by the real services."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.asgi import application
from hirelens.accounts.tests.factories import PASSWORD
from hirelens.candidates.services.records import publish_candidate_change
from hirelens.core import events
from hirelens.interviews import services as interviews
from hirelens.interviews.tests.factories import InterviewSessionFactory
from hirelens.messaging.services.helpdesk import ticket_open_web
from hirelens.positions.models import PositionAssignment
from hirelens.workflows.tests.factories import assign, make_application, make_position, published_process

pytestmark = [pytest.mark.backend, pytest.mark.realtime, pytest.mark.django_db(transaction=True)]


def run(coroutine_function):
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine_function()).result()


def cookie_headers(client: Client):
    return [(b"origin", b"http://localhost"), (b"host", b"localhost"),
            (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


def logged_in(user):
    client = Client()
    client.force_login(user)
    return cookie_headers(client)


@pytest.fixture
def world(org, hr_admin, recruiter, interviewer, hiring_manager, outsider):
    """Position 1 (nobody on its panel) and position 2 (the interviewer and the hiring manager), a session on
    each, a second session on position 2 in a stage only hiring managers may see."""
    p1, p2 = make_position(org, title="销售代表"), make_position(org, title="后端工程师")
    assign(p2, interviewer, "interviewer")
    assign(p2, hiring_manager, "hiring_manager")
    a1, a2 = make_application(p1, "张一"), make_application(p2, "李二")
    _process, version = published_process(hr_admin, p2, "technical")
    restricted = version.stages.order_by("order").first()
    restricted.view_roles = ["hiring_manager"]
    restricted.save(update_fields=["view_roles"])
    consents = {"recording": True}
    return {
        "a1": a1, "a2": a2,
        "s1": InterviewSessionFactory(application=a1, consents=consents),
        "s2": InterviewSessionFactory(application=a2, consents=consents),
        "s2_restricted": InterviewSessionFactory(application=a2, consents=consents, stage=restricted),
    }


def publish_everything(world, org):
    """One event of each kind, each through the service that publishes it; returns their names in order."""
    interviews.session_start(session=world["s1"], audio_only=True)
    interviews.session_start(session=world["s2"], audio_only=True)
    interviews.session_start(session=world["s2_restricted"], audio_only=True)
    ticket_open_web(organization_id=org.pk, body="无法打开摄像头", contact="cand@example.com")
    publish_candidate_change(candidate=world["a1"].candidate, parts=["profile"], by_candidate=True)
    publish_candidate_change(candidate=world["a2"].candidate, parts=["profile"], by_candidate=True)
    events.emit(events.ApplicationMoved(organization_id=org.pk, application_id=world["a1"].pk,
                                        position_id=world["a1"].position_id, action="advance", state="active"))
    events.emit(events.ApplicationMoved(organization_id=org.pk, application_id=world["a2"].pk,
                                        position_id=world["a2"].position_id, action="advance", state="active"))


def label(message, world) -> str:
    payload = message["payload"]
    names = {world["s1"].pk: "s1", world["s2"].pk: "s2", world["s2_restricted"].pk: "s2_restricted"}
    if message["event"] == "interview.updated":
        return f"session:{names[payload['session']]}"
    if message["event"] == "candidate.updated":
        return "candidate:" + ("a1" if payload["candidate_id"] == world["a1"].candidate_id else "a2")
    if message["event"] == "application.moved":
        return "pipeline:" + ("a1" if payload["application_id"] == world["a1"].pk else "a2")
    return message["event"]


EVERYTHING = ["session:s1", "session:s2", "session:s2_restricted", "helpdesk.message", "candidate:a1", "candidate:a2",
              "pipeline:a1", "pipeline:a2"]
EXPECTED = {
    "hr_admin": EVERYTHING,
    "recruiter": EVERYTHING,
    # assigned to position 2 only: nothing of position 1, no help desk, not the stage reserved to hiring managers
    "interviewer": ["session:s2", "candidate:a2", "pipeline:a2"],
    "hiring_manager": ["session:s2", "session:s2_restricted", "candidate:a2", "pipeline:a2"],
    "outsider": [],
}


def test_each_role_receives_only_the_events_it_may_see(world, org, request):
    users = {role: request.getfixturevalue(role) for role in EXPECTED}
    headers = {role: logged_in(user) for role, user in users.items()}

    async def scenario():
        sockets = {}
        for role in EXPECTED:
            sockets[role] = WebsocketCommunicator(application, "/ws/events/", headers=headers[role])
            connected, _ = await sockets[role].connect()
            assert connected, role
            assert (await sockets[role].receive_json_from())["event"] == "hello"
        await sync_to_async(publish_everything)(world, org)
        received = {}
        for role, socket in sockets.items():
            received[role] = []
            while not await socket.receive_nothing(timeout=0.3):
                received[role].append(label(await socket.receive_json_from(), world))
            await socket.disconnect()
        return received

    assert run(scenario) == EXPECTED


def test_the_audience_is_checked_when_the_event_is_sent(world, org, interviewer):
    """An interviewer removed from the position stops receiving its events on the socket already open."""
    headers = logged_in(interviewer)

    async def scenario():
        socket = WebsocketCommunicator(application, "/ws/events/", headers=headers)
        assert (await socket.connect())[0]
        await socket.receive_json_from()
        await sync_to_async(interviews.session_start)(session=world["s2"], audio_only=True)
        first = await socket.receive_json_from()
        await sync_to_async(lambda: PositionAssignment.objects.filter(user=interviewer).delete())()
        await sync_to_async(interviews.session_start)(session=world["s2"], audio_only=True)
        silent = await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()
        return first, silent

    first, silent = run(scenario)
    assert first["event"] == "interview.updated" and first["payload"]["session"] == world["s2"].pk
    assert silent


def test_a_session_that_owes_its_second_factor_is_refused(hr_admin):
    device = TOTPDevice.objects.create(user=hr_admin, name="phone", confirmed=True)
    client = Client()
    response = client.post("/accounts/login/", {"username": hr_admin.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/verify/")
    password_only = cookie_headers(client)

    async def connect(headers):
        socket = WebsocketCommunicator(application, "/ws/events/", headers=headers)
        connected, code = await socket.connect()
        if connected:
            hello = await socket.receive_json_from()
            await socket.disconnect()
            return connected, hello["event"]
        return connected, code

    assert run(lambda: connect(password_only)) == (False, 4403)

    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    assert client.post("/accounts/2fa/verify/", {"token": code}).status_code == 302
    assert run(lambda: connect(cookie_headers(client))) == (True, "hello")


def test_an_organization_event_without_an_audience_reaches_nobody(hr_admin):
    from channels.layers import get_channel_layer

    from hirelens.core.realtime import organization_group

    headers = logged_in(hr_admin)

    async def scenario():
        socket = WebsocketCommunicator(application, "/ws/events/", headers=headers)
        assert (await socket.connect())[0]
        await socket.receive_json_from()
        await get_channel_layer().group_send(organization_group(hr_admin.organization_id),
                                             {"type": "relay.event", "event": "leak", "payload": {}})
        silent = await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()
        return silent

    assert run(scenario)
