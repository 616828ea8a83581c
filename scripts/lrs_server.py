"""Serve a ralph learning record store (LRS) from a folder, for tests and demos.

Run it with the LRS virtualenv's Python (``make lrs`` builds it)::

    .venv-lrs/bin/ralph auth -u threshold -p SECRET -s statements/write \
        -s statements/read -A threshold http://127.0.0.1:8000 -w   # with RALPH_AUTH_FILE set
    .venv-lrs/bin/python scripts/lrs_server.py --dir var/lrs --port 8100

``--dir`` holds ``auth.json`` (the bcrypt hashes ``ralph auth`` writes) and
the statements, one JSON line each in ``fs_lrs.jsonl``. Threshold then sends
to ``THRESHOLD_XAPI_ENDPOINT=http://127.0.0.1:8100/xAPI``.

ralph's file-system backend creates its statements file on the first write
and refuses every later one ("already exists and overwrite is not allowed"),
so this server has it append each accepted batch instead. Everything else
(authentication, validation, duplicate ids, queries) is ralph's own.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, required=True, help="folder with auth.json")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args()
    folder = args.dir.resolve()
    if not (folder / "auth.json").is_file():
        parser.error(f"{folder / 'auth.json'} is missing: write it with `ralph auth ... -w`.")
    # ralph reads its settings from the environment (and a .env file in the
    # working directory) when it is imported: set them first, and work in
    # the folder so that no other .env is read.
    os.environ.update(
        RALPH_RUNSERVER_BACKEND="fs",
        RALPH_APP_DIR=str(folder),
        RALPH_AUTH_FILE=str(folder / "auth.json"),
        RALPH_HISTORY_FILE=str(folder / "history.json"),
        RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH=str(folder),
    )
    os.chdir(folder)

    import uvicorn
    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.lrs.fs import FSLRSBackend

    FSLRSBackend.default_operation_type = BaseOperationType.APPEND
    uvicorn.run("ralph.api:app", host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
