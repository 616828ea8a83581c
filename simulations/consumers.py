"""WebSocket consumers: thin adapters between frames and services."""

from __future__ import annotations

import logging

from channels.generic.websocket import AsyncWebsocketConsumer

from simulations import protocol

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401


class EchoConsumer(AsyncWebsocketConsumer):
    """Answer pings and echo text for signed-in people: the connection check."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.accept()
        await self.send(text_data=protocol.render_welcome(user_name=user.get_username()))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            command = protocol.parse_frame(text_data)
        except protocol.ProtocolError as error:
            logger.info("rejected frame from %s: %s", self.scope["user"], error.code)
            await self.send(text_data=protocol.render_error(error))
            return
        if isinstance(command, protocol.Ping):
            await self.send(text_data=protocol.render_pong(command))
        else:
            await self.send(
                text_data=protocol.render_echo(command, user_name=self.scope["user"].get_username())
            )
