"""Read-side queries on scenarios, and the conversion into engine types.

Everything that turns stored scenarios into ``simulations.engine`` values
lives here, so the engine never sees a model instance.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from scenarios.models import Scenario
from scenarios.schema import load_scenario
from simulations.engine.casefile import (
    PackItem,
    RolePack,
    date_of_birth,
    format_date,
    map_texts,
    render_scenario,
    render_text,
    resolve_offset,
)
from simulations.engine.casefile import Scenario as Casefile
from simulations.engine.vocabulary import Role

_CASEFILE_CACHE: dict[tuple[int, str], Casefile] = {}


def scenario_list(*, live_only: bool = True) -> QuerySet[Scenario]:
    scenarios = Scenario.objects.all()
    return scenarios.filter(live=True) if live_only else scenarios


def scenario_get(*, slug: str, live_only: bool = True) -> Scenario:
    return scenario_list(live_only=live_only).get(slug=slug)


def scenario_casefile(*, scenario: Scenario) -> Casefile:
    """Return the published pack of ``scenario`` as engine types (cached by text)."""
    key = (scenario.pk, scenario.source)
    casefile = _CASEFILE_CACHE.get(key)
    if casefile is None:
        # The stored text was validated on publish; citations are not looked
        # up again on every read.
        casefile = load_scenario(scenario.source, file=f"scenario:{scenario.slug}")
        if len(_CASEFILE_CACHE) > 256:
            _CASEFILE_CACHE.clear()
        _CASEFILE_CACHE[key] = casefile
    return casefile


@dataclass(frozen=True)
class PackView:
    role: Role
    label: str
    briefing: str
    items: tuple[PackItem, ...]


def _pack_view(pack: RolePack) -> PackView:
    return PackView(role=pack.role, label=pack.role.label, briefing=pack.briefing, items=pack.items)


def _people(case: Casefile, seminar_date: date) -> list[dict[str, Any]]:
    rows = []
    for person in case.household.people():
        born = date_of_birth(person, seminar_date)
        rows.append({"person": person, "born": format_date(born) if born else ""})
    return rows


def scenario_render_for_trainer(
    *, scenario: Scenario, seminar_date: date | None = None
) -> dict[str, Any]:
    """Return the whole case for a trainer: household, chronology, every pack, answer keys."""
    on = seminar_date or timezone.localdate()
    case = render_scenario(scenario_casefile(scenario=scenario), seminar_date=on)
    return {
        "scenario": scenario,
        "case": case,
        "seminar_date": on,
        "people": _people(case, on),
        "key_dates": [
            (k, format_date(resolve_offset(case, k.offset, seminar_date=on)))
            for k in case.key_dates
        ],
        "chronology": [
            (format_date(resolve_offset(case, e.offset, seminar_date=on)), e.text)
            for e in case.chronology
        ],
        "packs": [_pack_view(pack) for pack in case.role_packs],
        "answer_keys": [
            {"key": key, "child": case.person(key.child_id)} for key in case.answer_keys
        ],
    }


def scenario_role_pack(
    *, scenario: Scenario, role: Role, seminar_date: date | None = None
) -> dict[str, Any]:
    """Return only what one role holds, rendered for the seminar date."""
    on = seminar_date or timezone.localdate()
    raw = scenario_casefile(scenario=scenario)

    def fill(text: str) -> str:
        return render_text(raw, text, seminar_date=on)

    # Render only what the page shows: the household and this role's pack.
    case = replace(raw, title=fill(raw.title), household=map_texts(raw.household, fill))
    pack = raw.pack(role)
    pack = map_texts(pack, fill) if pack is not None else None
    return {
        "scenario": scenario,
        "case": case,
        "seminar_date": on,
        "people": _people(case, on),
        "pack": _pack_view(pack) if pack else None,
        "role": role,
    }
