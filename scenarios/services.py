"""Write-side operations on scenarios: load packs, publish, export, vary."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction

from accounts.models import User
from scenarios.checks import scenario_parse
from scenarios.models import Scenario
from scenarios.schema import ScenarioFileError, SchemaError, dump_scenario
from scenarios.selectors import scenario_casefile
from scenarios.variants import generate_variant
from simulations.engine.casefile import Scenario as Casefile


@dataclass(frozen=True)
class LoadResult:
    slug: str
    action: str  # "created", "updated" or "unchanged"


def _publish(scenario: Scenario, *, user: User | None) -> None:
    scenario.save()
    revision = scenario.save_revision(user=user, log_action=True)
    revision.publish(user=user)


def scenario_save_casefile(
    *,
    casefile: Casefile,
    text: str,
    user: User | None = None,
    template: Scenario | None = None,
    seed: int | None = None,
) -> LoadResult:
    """Create or update the scenario with ``casefile.slug`` and publish it."""
    scenario = Scenario.objects.filter(slug=casefile.slug).first()
    if (
        scenario is not None
        and scenario.live
        and scenario.source == text
        and not scenario.has_unpublished_changes
    ):
        return LoadResult(casefile.slug, "unchanged")
    action = "created" if scenario is None else "updated"
    scenario = scenario or Scenario(slug=casefile.slug)
    scenario.title = casefile.title
    scenario.summary = casefile.summary
    scenario.conference_type = casefile.conference_type.value
    scenario.source = text
    if template is not None:
        scenario.template = template
        scenario.variant_seed = seed
    _publish(scenario, user=user)
    return LoadResult(casefile.slug, action)


def scenarios_load(
    paths: Iterable[Path], *, dry_run: bool = False, user: User | None = None
) -> list[LoadResult]:
    """Validate every file, then write them all in one transaction.

    Raise ``ScenarioFileError`` listing every problem (file, line, field) if
    any file is invalid or two files share a slug; nothing is written then.
    """
    parsed: list[tuple[Casefile, str]] = []
    errors: list[SchemaError] = []
    owners: dict[str, str] = {}
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(SchemaError(str(path), 1, "", f"cannot read the file: {exc}"))
            continue
        casefile, file_errors = scenario_parse(text, file=str(path))
        errors.extend(file_errors)
        if casefile is None:
            continue
        if casefile.slug in owners:
            errors.append(
                SchemaError(
                    str(path),
                    1,
                    "slug",
                    f"slug {casefile.slug!r} is already used by {owners[casefile.slug]}",
                )
            )
            continue
        owners[casefile.slug] = str(path)
        parsed.append((casefile, text))
    if errors:
        raise ScenarioFileError(errors)
    if dry_run:
        return [LoadResult(casefile.slug, "valid") for casefile, _ in parsed]
    with transaction.atomic():
        return [
            scenario_save_casefile(casefile=casefile, text=text, user=user)
            for casefile, text in parsed
        ]


def scenario_export(*, scenario: Scenario) -> str:
    """Return the published scenario as a canonical YAML pack."""
    return dump_scenario(scenario_casefile(scenario=scenario))


def scenario_variant_create(
    *, template: Scenario, seed: int, seminar_date: date, user: User | None = None
) -> Scenario:
    """Generate, validate and publish a variant of ``template``."""
    variant = generate_variant(
        scenario_casefile(scenario=template), seed=seed, seminar_date=seminar_date
    )
    text = dump_scenario(variant)
    casefile, errors = scenario_parse(text, file=f"variant of {template.slug} (seed {seed})")
    if casefile is None:
        raise ScenarioFileError(errors)
    with transaction.atomic():
        scenario_save_casefile(
            casefile=casefile, text=text, user=user, template=template, seed=seed
        )
    return Scenario.objects.get(slug=casefile.slug)
