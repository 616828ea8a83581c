"""The "Scenarios" menu in the Wagtail admin."""

from __future__ import annotations

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from scenarios.models import Scenario


class ScenarioViewSet(SnippetViewSet):
    model = Scenario
    icon = "clipboard-list"
    menu_label = "Scenarios"
    list_display = ["title", "slug", "conference_type", "live", "updated_at"]
    list_filter = ["conference_type", "live"]
    search_fields = ["title", "summary"]
    ordering = ["title"]


class ScenariosMenuGroup(SnippetViewSetGroup):
    menu_label = "Scenarios"
    menu_icon = "clipboard-list"
    menu_order = 300
    items = (ScenarioViewSet,)


register_snippet(ScenariosMenuGroup)
