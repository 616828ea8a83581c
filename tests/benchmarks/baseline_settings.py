"""Settings of the stock-Channels baseline (tests/benchmarks/baseline_app.py).

Nothing but Channels and its stock in-memory channel layer: the baseline
measures the fan-out pattern the Channels docs teach, not our platform.
"""

from __future__ import annotations

SECRET_KEY = "baseline-benchmark-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["channels"]
DATABASES: dict[str, dict[str, str]] = {}
ROOT_URLCONF = "tests.benchmarks.baseline_app"
urlpatterns: list[object] = []
ASGI_APPLICATION = "tests.benchmarks.baseline_app.application"
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
USE_TZ = True
LOGGING_CONFIG = None
