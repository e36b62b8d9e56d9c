from django.urls import path

from hirelens.live.routing import websocket_urlpatterns as live_websocket_urlpatterns

from .consumers import EventsConsumer

websocket_urlpatterns = [path("ws/events/", EventsConsumer.as_asgi()), *live_websocket_urlpatterns]
