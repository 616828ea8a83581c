"""Production settings for the benchmark server (kept so old commands still run).

Persistent SQLite connections are now the product's default
(``config.settings.base``), so this module adds nothing to production.
"""

from __future__ import annotations

from config.settings.production import *  # noqa: F403
