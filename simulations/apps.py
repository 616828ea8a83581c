from __future__ import annotations

from django.apps import AppConfig


class SimulationsConfig(AppConfig):
    name = "simulations"
    verbose_name = "Seminars and conferences"

    def ready(self) -> None:
        # Browser sockets (?format=html) get server-rendered panels with each
        # batch of events; the hub asks this renderer for them.
        from simulations.hub import hub
        from simulations.panels import render_panels

        hub.panel_renderer = render_panels

        # Sign-ins, sign-outs and access changes: audited, and sockets closed.
        from simulations import receivers

        receivers.connect()
