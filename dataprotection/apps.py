from __future__ import annotations

from django.apps import AppConfig


class DataprotectionConfig(AppConfig):
    name = "dataprotection"
    verbose_name = "Data protection"
