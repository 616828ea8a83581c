"""Production settings with persistent database connections: a proposed change.

``config.settings.base`` leaves ``CONN_MAX_AGE`` at Django's default of 0,
so Channels' ``database_sync_to_async`` closes the connection after every
command and opens a new one for the next. With SQLite in WAL mode, closing
the last connection checkpoints and deletes the WAL file, so each command
pays a checkpoint and a reconnect. The benchmarks can run the server with
this module (``BENCH_SERVER_SETTINGS=tests.benchmarks.settings_persistent_db``)
to measure the fix before it is made in the product's settings.
"""

from __future__ import annotations

from config.settings.production import *  # noqa: F403

DATABASES["default"]["CONN_MAX_AGE"] = None  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
