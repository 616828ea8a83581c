"""The statements of the command path, written out in SQL.

Every vote, report and decision a delegate sends runs the same four
statements: lock the rooms, read the seats, append the events, move the
rooms on. Through the ORM, building those queries cost several times what
SQLite takes to run them, and that cost decided how many votes a worker can
take each second (docs/benchmarks.md). So here they are in plain SQL, with
table and column names taken from the models and values adapted by the
connection's own operations, which keeps them correct on SQLite and on
PostgreSQL. Everything else still goes through the ORM.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from simulations.models import Room, RoomEvent, Seat, Seminar


@dataclass
class LockedRoom:
    """What the command path needs of a room; ``seq`` moves on as events are added."""

    id: int
    join_code: str
    seq: int
    snapshot_seq: int
    phase: str
    trainer_id: int | None


def _table(model: type[Any]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model: type[Any], field: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(field).column)


def _placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


def rooms_lock(room_ids: Sequence[int]) -> dict[int, LockedRoom]:
    """Lock ``room_ids`` in id order for the transaction; return them by id.

    On SQLite the transaction's write lock (BEGIN IMMEDIATE) already keeps
    other writers out; PostgreSQL locks the room rows.
    """
    if not room_ids:
        return {}
    room, seminar = _table(Room), _table(Seminar)
    lock = " FOR UPDATE OF r" if connection.features.has_select_for_update_of else ""
    sql = (
        f"SELECT r.{_column(Room, 'id')}, r.{_column(Room, 'join_code')}, "  # names from the models, values as parameters  # nosec B608
        f"r.{_column(Room, 'seq')}, r.{_column(Room, 'snapshot_seq')}, "
        f"r.{_column(Room, 'phase')}, s.{_column(Seminar, 'trainer')} "
        f"FROM {room} r JOIN {seminar} s ON s.{_column(Seminar, 'id')} = r.{_column(Room, 'seminar')} "
        f"WHERE r.{_column(Room, 'id')} IN ({_placeholders(len(room_ids))}) "
        f"ORDER BY r.{_column(Room, 'id')}{lock}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(room_ids))
        return {row[0]: LockedRoom(*row) for row in cursor.fetchall()}


def seat_roles(room_ids: Iterable[int], user_ids: Iterable[int]) -> dict[tuple[int, int], str]:
    """Return the role of each (room, user) pair that has a seat."""
    rooms, users = list(room_ids), list(user_ids)
    if not rooms or not users:
        return {}
    room_column, user_column = _column(Seat, "room"), _column(Seat, "user")
    sql = (
        f"SELECT {room_column}, {user_column}, {_column(Seat, 'role')} FROM {_table(Seat)} "  # names from the models, values as parameters  # nosec B608
        f"WHERE {room_column} IN ({_placeholders(len(rooms))}) "
        f"AND {user_column} IN ({_placeholders(len(users))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*rooms, *users])
        return {(room_id, user_id): role for room_id, user_id, role in cursor.fetchall()}


@dataclass(frozen=True)
class EventRow:
    room_id: int
    seq: int
    kind: str
    data: dict[str, Any]
    command_id: str
    user_id: int | None


def events_append(rows: Sequence[EventRow], *, at: datetime) -> None:
    """Insert the events; the (room, seq) unique constraint refuses a clash."""
    if not rows:
        return
    fields = ("room", "seq", "kind", "data", "command_id", "user", "created_at")
    sql = (
        f"INSERT INTO {_table(RoomEvent)} "  # names from the models, values as parameters  # nosec B608
        f"({', '.join(_column(RoomEvent, f) for f in fields)}) "
        f"VALUES ({_placeholders(len(fields))})"
    )
    ops = connection.ops
    created = ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                (
                    row.room_id,
                    row.seq,
                    row.kind,
                    ops.adapt_json_value(row.data, None),
                    row.command_id,
                    row.user_id,
                    created,
                )
                for row in rows
            ],
        )


def room_move_on(room: LockedRoom, *, at: datetime, snapshot: dict[str, Any] | None = None) -> None:
    """Record the room's new sequence number and phase (and a snapshot, if given)."""
    sets = [_column(Room, "seq"), _column(Room, "phase"), _column(Room, "updated_at")]
    values: list[Any] = [room.seq, room.phase, connection.ops.adapt_datetimefield_value(at)]
    if snapshot is not None:
        sets += [_column(Room, "snapshot"), _column(Room, "snapshot_seq")]
        values += [connection.ops.adapt_json_value(snapshot, None), room.snapshot_seq]
    sql = (
        f"UPDATE {_table(Room)} SET {', '.join(f'{column} = %s' for column in sets)} "  # names from the models, values as parameters  # nosec B608
        f"WHERE {_column(Room, 'id')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, room.id])
