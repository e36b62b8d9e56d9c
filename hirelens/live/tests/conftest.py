import pytest


@pytest.fixture(autouse=True)
def _idle_close_for_silent_test_sockets(request, settings):
    """A WebsocketCommunicator does not ping as a room page does (every 2 s): outside the browser tests the room's
    idle close (LIVE_IDLE_CLOSE_S) is set long enough not to drop a test's socket that waits on the server peer.
    The browser tests keep the product's value; test_room_consumer.py's idle test sets its own."""
    if request.node.get_closest_marker("e2e") is None:
        settings.LIVE_IDLE_CLOSE_S = 600.0
