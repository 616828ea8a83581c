"""The "Competencies" menu in the Wagtail admin: the framework, editable.

Deleting a competency that evidence cites is refused with a message that
says why and what to do instead; the refusal is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import DeleteView, SnippetViewSet

from assessments.competency_services import audit_record, competency_delete_problem
from assessments.models import AuditAction, Competency


class CompetencyDeleteView(DeleteView):
    competency_edit_url_name = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        competency = Competency.objects.filter(pk=kwargs.get("pk")).first()
        problem = competency_delete_problem(competency) if competency else None
        if problem:
            if request.method == "POST":
                audit_record(
                    actor=request.user,  # type: ignore[arg-type]
                    action=AuditAction.FRAMEWORK,
                    what=f"Delete {competency.code} refused",
                )
            messages.error(request, problem)
            return HttpResponseRedirect(
                reverse(self.competency_edit_url_name, args=[competency.pk])
            )
        return super().dispatch(request, *args, **kwargs)


class CompetencyViewSet(SnippetViewSet):
    model = Competency
    icon = "tasks"
    menu_label = "Competencies"
    menu_order = 310
    add_to_admin_menu = True
    delete_view_class = CompetencyDeleteView
    list_display = ["title", "code", "kind", "level", "is_active"]
    list_filter = ["kind", "level", "is_active"]
    search_fields = ["title", "code", "description"]
    ordering = ["level", "kind", "position"]

    def get_delete_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_delete_view_kwargs(
            competency_edit_url_name=self.get_url_name("edit"), **kwargs
        )


register_snippet(CompetencyViewSet)
