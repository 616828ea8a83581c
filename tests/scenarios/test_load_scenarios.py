"""Loading, publishing and exporting scenario packs through the database."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from scenarios.models import Scenario
from scenarios.schema import library_paths
from scenarios.selectors import scenario_casefile

LIBRARY = library_paths()


@pytest.mark.django_db
def test_the_whole_library_loads_and_publishes(citations_resolve: None) -> None:
    out = StringIO()
    call_command("load_scenarios", stdout=out)
    assert Scenario.objects.filter(live=True).count() == len(LIBRARY) >= 6
    assert f"{len(LIBRARY)} scenario(s) loaded" in out.getvalue()
    for scenario in Scenario.objects.all():
        assert scenario.revisions.count() == 1
        assert scenario.live_revision is not None
        assert scenario_casefile(scenario=scenario).slug == scenario.slug


@pytest.mark.django_db
def test_loading_twice_changes_nothing(citations_resolve: None) -> None:
    call_command("load_scenarios", stdout=StringIO())
    out = StringIO()
    call_command("load_scenarios", stdout=out)
    assert out.getvalue().count("unchanged") == len(LIBRARY)
    assert all(s.revisions.count() == 1 for s in Scenario.objects.all())


@pytest.mark.django_db
@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_export_round_trips_exactly(citations_resolve: None, path: Path) -> None:
    call_command("load_scenarios", str(path), stdout=StringIO())
    slug = Scenario.objects.get().slug
    out = StringIO()
    call_command("export_scenario", slug, stdout=out)
    assert out.getvalue() == path.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_dry_run_writes_nothing(citations_resolve: None) -> None:
    out = StringIO()
    call_command("load_scenarios", "--dry-run", stdout=out)
    assert Scenario.objects.count() == 0
    assert "checked" in out.getvalue()


@pytest.mark.django_db
def test_one_bad_file_means_nothing_is_written(citations_resolve: None, tmp_path: Path) -> None:
    good = LIBRARY[0]
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        good.read_text(encoding="utf-8")
        .replace("slug: ", "slug: other-", 1)
        .replace("threshold_met: true", "threshold_met: maybe", 1),
        encoding="utf-8",
    )
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("load_scenarios", str(good), str(bad), stdout=StringIO(), stderr=err)
    assert Scenario.objects.count() == 0
    assert str(bad) in err.getvalue()
    assert "threshold_met" in err.getvalue()


@pytest.mark.django_db
def test_duplicate_slug_across_files_is_refused(citations_resolve: None, tmp_path: Path) -> None:
    copy = tmp_path / "copy.yaml"
    copy.write_text(LIBRARY[0].read_text(encoding="utf-8"), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_scenarios", str(LIBRARY[0]), str(copy), stdout=StringIO(), stderr=err)
    assert "already used" in err.getvalue()
    assert Scenario.objects.count() == 0


@pytest.mark.django_db
def test_missing_file_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("load_scenarios", "/nonexistent/scenario.yaml", stdout=StringIO())


@pytest.mark.django_db
def test_unresolvable_citation_is_refused(tmp_path: Path) -> None:
    """Without a guidance resolver registered for the key, the pack is refused."""
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_scenarios", str(LIBRARY[0]), stdout=StringIO(), stderr=err)
    assert "citation" in err.getvalue().lower() or "resolve" in err.getvalue().lower()
    assert Scenario.objects.count() == 0


@pytest.mark.django_db
def test_generate_variant_publishes_a_fresh_case_with_the_same_answer_key(
    citations_resolve: None,
) -> None:
    call_command("load_scenarios", stdout=StringIO())
    template = Scenario.objects.get(slug="jayden-physical-abuse")
    out = StringIO()
    call_command(
        "generate_scenario",
        template.slug,
        "--seed",
        "5",
        "--seminar-date",
        "2026-12-01",
        stdout=out,
    )
    variant = Scenario.objects.exclude(pk=template.pk).get(template=template)
    assert variant.variant_seed == 5
    original, fresh = scenario_casefile(scenario=template), scenario_casefile(scenario=variant)
    assert fresh.answer_keys == original.answer_keys
    assert fresh.household.children[0].given_name != original.household.children[0].given_name
