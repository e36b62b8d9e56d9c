import pytest


@pytest.fixture(autouse=True)
def _idle_close_for_silent_test_sockets(request, settings):
    """A WebsocketCommunicator does not ping as a room page does (every 2 s): outside the browser tests the room's
    idle close (LIVE_IDLE_CLOSE_S) is set long enough not to drop a test's socket that waits on the server peer.
    The browser tests keep the product's value; test_room_consumer.py's idle test sets its own."""
    if request.node.get_closest_marker("e2e") is None:
        settings.LIVE_IDLE_CLOSE_S = 600.0


@pytest.fixture(autouse=True)
def _a_fresh_channel_layer_per_test():
    """Each test runs its sockets in an event loop of its own (asyncio.run in a thread). channels_redis keeps one
    asyncio.Lock per receiving channel prefix in the layer object, bound to the loop that first waited on it: a test
    whose loop ended while a receive held that lock left it locked and bound to a dead loop, and every later test's
    receive failed ("bound to a different event loop": 11 failures after one, seen once in the Redis suite). A new
    layer object per test (new locks, new process channel prefix) keeps one test's leftovers out of the next."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
