"""Group commit for room commands: one transaction per batch, not per command.

Every socket of a worker hands its commands to the process's
``CommandQueue``. The queue writes whatever has gathered in one call to
``services.room_commands_apply`` (one thread hop, one transaction), hands the
committed events to the hub in commit order (one publication per room per
batch), and only then answers each command's caller, which acknowledges it
to its client. Under light load a
batch holds one command and nothing waits; under heavy load the batches grow
and the cost of each commit is shared. Nothing is acknowledged before the
transaction that holds it has committed.
"""

from __future__ import annotations

import asyncio
import logging

from channels.db import database_sync_to_async
from django.db import DatabaseError

from simulations import services
from simulations.engine.events import Event
from simulations.engine.state import ConferenceState
from simulations.hub import hub

logger = logging.getLogger(__name__)

MAX_BATCH = 200


class CommandQueue:
    def __init__(self) -> None:
        self.pending: list[tuple[services.CommandRequest, asyncio.Future[services.CommandResult]]]
        self.pending = []
        self.writer: asyncio.Task[None] | None = None
        self.answering: set[asyncio.Task[None]] = set()
        self.batches = 0
        self.commands = 0

    async def apply(self, request: services.CommandRequest) -> services.CommandResult:
        """Apply ``request`` with whatever else is waiting; return its result once committed."""
        future: asyncio.Future[services.CommandResult] = asyncio.get_running_loop().create_future()
        self.pending.append((request, future))
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self._write())
        return await future

    async def _write(self) -> None:
        while self.pending:
            batch, self.pending = self.pending[:MAX_BATCH], self.pending[MAX_BATCH:]
            try:
                results = await database_sync_to_async(services.room_commands_apply)(
                    [request for request, _ in batch]
                )
            except Exception as error:
                logger.exception("a batch of %s room commands failed", len(batch))
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            self.batches += 1
            self.commands += len(batch)
            # One publication per room per batch: its events in commit order
            # and the state after the last, rendered once for each audience.
            events: dict[int, list[tuple[int, Event]]] = {}
            states: dict[int, ConferenceState] = {}
            for (request, _), result in zip(batch, results, strict=True):
                if isinstance(result, DatabaseError) or not result.events or result.state is None:
                    continue
                events.setdefault(request.room_id, []).extend(result.events)
                states[request.room_id] = result.state
            sent: list[asyncio.Future[None]] = []
            for room_id, state in states.items():
                try:
                    if (done := await hub.publish(room_id, events[room_id], state)) is not None:
                        sent.append(done)
                except Exception:  # the events are committed: clients will resync
                    logger.exception("room %s: publishing failed", room_id)
            answers = [future for _, future in batch]
            if sent:  # answer once the other workers have been sent the events
                task = asyncio.create_task(self._answer_after(sent, answers, results))
                self.answering.add(task)
                task.add_done_callback(self.answering.discard)
            else:
                self._answer(answers, results)

    async def _answer_after(
        self,
        sent: list[asyncio.Future[None]],
        futures: list[asyncio.Future[services.CommandResult]],
        results: list[services.CommandResult | DatabaseError],
    ) -> None:
        await asyncio.gather(*sent)
        self._answer(futures, results)

    @staticmethod
    def _answer(
        futures: list[asyncio.Future[services.CommandResult]],
        results: list[services.CommandResult | DatabaseError],
    ) -> None:
        for future, result in zip(futures, results, strict=True):
            if future.done():
                continue
            if isinstance(result, DatabaseError):
                future.set_exception(result)
            else:
                future.set_result(result)


command_queue = CommandQueue()
