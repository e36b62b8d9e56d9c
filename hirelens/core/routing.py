from django.urls import path

from .consumers import EventsConsumer

# core's own sockets; config/asgi.py joins every app's websocket_urlpatterns (core imports no app)
websocket_urlpatterns = [path("ws/events/", EventsConsumer.as_asgi())]
