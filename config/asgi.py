"""ASGI entry point: HTTP through Django, WebSockets through Channels.

Order follows the Channels tutorial: ``get_asgi_application()`` first so the
app registry is ready before consumers (and their models) are imported.
"""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator

from content.search_views import GuidancePageCache
from simulations.limits import ConnectionCap
from simulations.routing import websocket_urlpatterns

application = ProtocolTypeRouter(
    {
        # Cache hits for anonymous guidance readers are answered on the event
        # loop; everything else goes to Django (see docs/benchmarks.md).
        "http": GuidancePageCache(django_asgi_app),
        # Outermost, the cap on sockets per client address (simulations/limits.py);
        # then the Origin check, which refuses foreign and missing origins.
        "websocket": ConnectionCap(
            AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
