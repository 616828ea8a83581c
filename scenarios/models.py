"""Scenarios as Wagtail snippets: drafts, revisions, preview and moderation.

The canonical form of a scenario is its YAML pack (``source``), the same text
``load_scenarios`` reads and ``export_scenario`` writes, so authoring in the
admin and exchanging files never disagree. The columns beside it are copies
of a few fields for listing and searching.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.http import HttpRequest
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.search import index

from scenarios.forms import ScenarioForm
from simulations.engine.vocabulary import ConferenceType

SOURCE_HELP = (
    "The whole scenario in the threshold-scenario/1 format (see docs/scenario-format.md). "
    "A draft may be incomplete; publishing checks that every child has a complete answer "
    "key, every must-share item sits in some role's pack, every citation resolves and no "
    "text looks like a real person's identifier."
)


class Scenario(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    index.Indexed,
    models.Model,
):
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=255)
    summary = models.TextField(blank=True)
    conference_type = models.CharField(
        max_length=20,
        choices=[(t.value, t.value.replace("_", " ").capitalize()) for t in ConferenceType],
        default=ConferenceType.INITIAL.value,
    )
    source = models.TextField(help_text=SOURCE_HELP)
    template = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="variants",
        help_text="The scenario this one was generated from, for variants.",
    )
    variant_seed = models.IntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="scenario")
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="scenario",
        for_concrete_model=False,
    )

    base_form_class = ScenarioForm  # type: ignore[assignment]

    panels = [
        HelpPanel(
            content="<p>Edit the YAML pack below. Save a draft at any time; publishing runs every check.</p>"
        ),
        FieldPanel("source"),
    ]
    search_fields = [
        index.SearchField("title"),
        index.SearchField("summary"),
        index.AutocompleteField("title"),
        index.FilterField("conference_type"),
    ]

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def revisions(self) -> Any:
        return self._revisions

    def get_preview_template(self, request: HttpRequest, mode_name: str) -> str:
        return "scenarios/scenario_detail.html"

    def get_preview_context(self, request: HttpRequest, mode_name: str) -> dict[str, Any]:
        from scenarios.selectors import scenario_render_for_trainer

        context = super().get_preview_context(request, mode_name)
        context.update(scenario_render_for_trainer(scenario=self))
        return context
