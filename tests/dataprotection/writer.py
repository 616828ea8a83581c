"""Write conference events through the real service until told to stop (fault test B11).

    SQLITE_PATH=live.sqlite3 DJANGO_SETTINGS_MODULE=config.settings.test \\
        python -m tests.dataprotection.writer --stop-file STOP [--seconds 120]

Every seated report author (the professionals other than the chair)
submits and resubmits their multi-agency report in every room, round-robin, each
through ``room_command_apply``: room lock, events, sequence numbers and
snapshots exactly as in a live conference. Prints ``writing`` after the
first committed command, stops once ``STOP`` exists (or after
``--seconds``, a bound) and prints ``wrote N``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stop-file", required=True)
    parser.add_argument("--seconds", type=float, default=120.0)
    options = parser.parse_args()

    import django

    django.setup()
    from simulations.engine.vocabulary import REPORT_AUTHORS
    from simulations.models import Seat
    from simulations.services import room_command_apply

    seats = list(
        Seat.objects.filter(role__in=[r.value for r in REPORT_AUTHORS], user__isnull=False)
        .select_related("user")
        .order_by("room_id", "role")
    )
    written = 0
    deadline = time.monotonic() + options.seconds

    def stop() -> bool:
        return time.monotonic() >= deadline or os.path.exists(options.stop_file)

    while not stop():
        for seat in seats:
            result = room_command_apply(
                room_id=seat.room_id,
                user=seat.user,  # type: ignore[arg-type]
                name="SubmitReport",
                args={"sections": {"worries": f"Revision {written} from {seat.role}."}},
                command_id=uuid.uuid4().hex,
            )
            if result.rejection is not None:
                sys.stderr.write(f"rejected: {result.rejection.message}\n")
                sys.exit(1)
            written += 1
            if written == 1:
                sys.stdout.write("writing\n")
                sys.stdout.flush()
            if stop():
                break
    sys.stdout.write(f"wrote {written}\n")


if __name__ == "__main__":
    main()
