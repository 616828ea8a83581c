"""The "Scenarios" menu in the Wagtail admin."""

from __future__ import annotations

from typing import Any

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from scenarios import admin_views
from scenarios.models import Scenario


class ScenarioViewSet(SnippetViewSet):
    model = Scenario
    icon = "clipboard-list"
    menu_label = "Scenarios"
    list_display = ["title", "slug", "conference_type", "live", "updated_at"]
    list_filter = ["conference_type", "live"]
    search_fields = ["title", "summary"]
    ordering = ["title"]

    def get_urlpatterns(self) -> list[Any]:
        return [
            *super().get_urlpatterns(),
            path("variant/<int:pk>/", admin_views.scenario_variant, name="variant"),
        ]


class ScenariosMenuGroup(SnippetViewSetGroup):
    menu_label = "Scenarios"
    menu_icon = "clipboard-list"
    menu_order = 300
    items = (ScenarioViewSet,)


register_snippet(ScenariosMenuGroup)


@hooks.register("register_snippet_listing_buttons")
def scenario_variant_button(snippet: object, user: Any, next_url: str | None = None) -> Any:
    if isinstance(snippet, Scenario) and user.has_perm("scenarios.publish_scenario"):
        yield ListingButton(
            "Make a variant",
            reverse("wagtailsnippets_scenarios_scenario:variant", args=[snippet.pk]),
            priority=30,
            attrs={"aria-label": f"Make a variant of {snippet.title}"},
        )
