import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from hirelens.core.realtime import organization_group, publish, user_group

pytestmark = [pytest.mark.backend, pytest.mark.realtime, pytest.mark.django_db(transaction=True)]


def async_to_sync(coroutine_function):
    """Run the scenario on its own event loop in a worker thread, whatever loop this thread may hold."""

    def run():
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, coroutine_function()).result()

    return run


def _headers(user=None):
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    if user is not None:
        client = Client()
        client.force_login(user)
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    return headers


def test_anonymous_socket_is_closed():
    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/events/", headers=_headers())
        connected, code = await communicator.connect()
        assert not connected and code == 4401

    async_to_sync(scenario)()


def test_foreign_origin_is_refused(hr_admin):
    headers = [h for h in _headers(hr_admin) if h[0] != b"origin"] + [(b"origin", b"http://evil.example")]

    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/events/", headers=headers)
        connected, _ = await communicator.connect()
        assert not connected

    async_to_sync(scenario)()


def test_user_receives_own_and_organization_events_only(hr_admin, outsider):
    mine_headers, their_headers, org_id = _headers(hr_admin), _headers(outsider), hr_admin.organization_id

    async def scenario():
        mine = WebsocketCommunicator(application, "/ws/events/", headers=mine_headers)
        theirs = WebsocketCommunicator(application, "/ws/events/", headers=their_headers)
        assert (await mine.connect())[0] and (await theirs.connect())[0]
        assert (await mine.receive_json_from())["event"] == "hello"
        assert (await theirs.receive_json_from())["event"] == "hello"
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        await layer.group_send(user_group(hr_admin.pk), {"type": "relay.event", "event": "note", "payload": {"n": 1},
                                                         "audience": {"user": hr_admin.pk}})
        await layer.group_send(organization_group(org_id), {"type": "relay.event", "event": "org", "payload": {},
                                                                "audience": {"perm": "positions.manage"}})
        assert await mine.receive_json_from() == {"event": "note", "payload": {"n": 1}}
        assert (await mine.receive_json_from())["event"] == "org"
        assert await theirs.receive_nothing(timeout=0.3)
        await mine.send_json_to({"type": "ping"})
        assert (await mine.receive_json_from())["event"] == "pong"
        await mine.disconnect()
        await theirs.disconnect()

    async_to_sync(scenario)()


def test_publish_without_listeners_is_harmless(hr_admin):
    publish(user_group(hr_admin.pk), "nobody.listens", {})
