"""Copy Wagtail's admin log entries into the chained audit log.

Wagtail records every admin action (create, edit, publish, delete, workflow
steps, user changes) as a ``PageLogEntry`` or ``ModelLogEntry`` through
``wagtail.log_actions``. Each new entry is copied here as ``cms.<action>``
with the ids it refers to; its label (a page title, a person's name) stays
in Wagtail's own table. Django's ``post_save`` is the one place every log
entry model passes through, whichever registry or manager created it.
"""

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.db.models.signals import post_save

_UNSAFE = re.compile(r"[^a-z0-9_.]")


def _copy(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not created or raw:
        return
    from audit.services import audit_record

    if hasattr(instance, "page_id"):
        object_type, object_id = "wagtailcore.page", instance.page_id
    else:
        object_type = ".".join(instance.content_type.natural_key())
        object_id = instance.object_id
    audit_record(
        action=("cms." + _UNSAFE.sub("_", instance.action.lower()))[:64],
        actor=instance.user if instance.user_id else None,
        object_type=object_type,
        object_id=object_id,
        details={
            "log_entry": instance.pk,
            "log_model": sender._meta.label_lower,
            "revision": instance.revision_id,
            "content_changed": instance.content_changed,
            "deleted": instance.deleted,
        },
    )


def connect() -> None:
    from wagtail.models.audit_log import BaseLogEntry

    for model in apps.get_models():
        if issubclass(model, BaseLogEntry):
            post_save.connect(_copy, sender=model, dispatch_uid=f"audit-copy-{model._meta.label}")
