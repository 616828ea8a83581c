"""How scenario packs are checked before anything is written.

Citation keys name guidance paragraphs and workbook blocks, which live in the
content app. Scenarios may not import it (the import contract keeps content
and scenarios independent), so the resolver is named in settings
(``THRESHOLD_CITATION_CHECKER``) and looked up at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from scenarios.schema import SchemaError, parse_scenario
from simulations.engine.casefile import Scenario as Casefile


@cache
def citation_checker() -> Callable[[str], bool]:
    return import_string(settings.THRESHOLD_CITATION_CHECKER)


def scenario_parse(text: str, *, file: str) -> tuple[Casefile | None, list[SchemaError]]:
    """Parse and fully validate a pack, resolving its citation keys."""
    return parse_scenario(text, file=file, citation_exists=citation_checker())
