import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from hirelens.core.routing import websocket_urlpatterns as core_websockets  # noqa: E402
from hirelens.live.routing import websocket_urlpatterns as live_websockets  # noqa: E402

# each app with sockets has its routing.py; they are joined here, at the top (core imports no app)
websocket_urlpatterns = [*core_websockets, *live_websockets]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

# what is loaded now lives as long as the process: out of the full garbage collections (hirelens.core.process)
from hirelens.core.process import freeze_loaded  # noqa: E402

freeze_loaded()
