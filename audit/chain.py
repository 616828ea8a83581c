"""The hash chain: pure functions, no Django.

Each entry's hash covers the previous entry's hash and the entry's own
fields, serialised canonically (sorted keys, no spaces, UTC timestamps), so
changing, removing or reordering any entry breaks every link after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

GENESIS = "0" * 64


def canonical(fields: Mapping[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """Return the hex SHA-256 of ``prev_hash`` and ``fields``."""
    payload = f"{prev_hash}\n{canonical(fields)}".encode()
    return hashlib.sha256(payload).hexdigest()
