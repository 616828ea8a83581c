from __future__ import annotations

from django.http import HttpRequest

from accounts.selectors import nav_items_for


def people(request: HttpRequest) -> dict[str, object]:
    return {"nav_items": nav_items_for(user=request.user, path=request.path)}  # type: ignore[arg-type]
