"""The guidance library in the Wagtail admin: glossary, review dates, reports.

- "Glossary" (menu): the glossary terms, as snippets.
- Reports > "Reviews due": pages whose review date has passed or falls in
  the next 30 days, with their owners; exportable as CSV or XLSX.
- Reports > "Review dates": every page's review date and owner, editable;
  a "Review date" button in each page's header leads there.
- Publishing, unpublishing, moving or deleting a page, and editing the
  glossary, retire the cached guidance pages.

Editors who may edit pages may keep review dates and the glossary: both are
editorial housekeeping, so they follow page permissions rather than asking
for model permissions of their own.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn, UserColumn
from wagtail.admin.views.generic.models import CreateView
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button
from wagtail.models import Page
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from content.guidance_selectors import REVIEW_WINDOW_DAYS, reviews_due
from content.guidance_services import guidance_cache_bump
from content.models import GlossaryTerm, PageReview

EDITING_ACTIONS = ("add", "change", "publish")


def can_edit_pages(user: Any) -> bool:
    return bool(
        user.is_active
        and (
            user.is_superuser
            or PagePermissionPolicy().user_has_any_permission(user, EDITING_ACTIONS)
        )
    )


class PageEditorsPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, and everything for anyone who may edit pages."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        return can_edit_pages(user) or super().user_has_permission(user, action)

    def user_has_any_permission(self, user: Any, actions: Any) -> bool:
        return can_edit_pages(user) or super().user_has_any_permission(user, actions)

    def user_has_permission_for_instance(self, user: Any, action: str, instance: Any) -> bool:
        return can_edit_pages(user) or super().user_has_permission_for_instance(
            user, action, instance
        )

    def user_has_any_permission_for_instance(self, user: Any, actions: Any, instance: Any) -> bool:
        return can_edit_pages(user) or super().user_has_any_permission_for_instance(
            user, actions, instance
        )

    def instances_user_has_any_permission_for(self, user: Any, actions: Any) -> QuerySet[Any]:
        if can_edit_pages(user):
            return self.model._default_manager.all()
        return super().instances_user_has_any_permission_for(user, actions)


register_permission_policy(GlossaryTerm, PageEditorsPermissionPolicy(GlossaryTerm))
register_permission_policy(PageReview, PageEditorsPermissionPolicy(PageReview))


# -- Glossary ---------------------------------------------------------------------


class GlossaryTermViewSet(SnippetViewSet):
    model = GlossaryTerm
    icon = "help"
    menu_label = "Glossary"
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["term", "expansion", "match_case", "explain_in_text"]
    list_filter = ["match_case", "explain_in_text"]
    search_fields = ["term", "expansion", "definition", "aliases"]
    ordering = ["term"]


register_snippet(GlossaryTermViewSet)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def glossary_saved(request: HttpRequest, instance: Any) -> None:
    if isinstance(instance, GlossaryTerm):
        guidance_cache_bump()


@hooks.register("after_delete_snippet")
def glossary_deleted(request: HttpRequest, instances: Any) -> None:
    if any(isinstance(instance, GlossaryTerm) for instance in instances):
        guidance_cache_bump()


# -- Cached guidance pages ------------------------------------------------------------


@hooks.register("after_publish_page")
@hooks.register("after_unpublish_page")
@hooks.register("after_delete_page")
@hooks.register("after_move_page")
def page_changed(request: HttpRequest, page: Any) -> None:
    guidance_cache_bump()


# -- Review dates -----------------------------------------------------------------


class PageReviewCreateView(CreateView):
    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        if self.request.GET.get("page", "").isdigit():
            initial["page"] = int(self.request.GET["page"])
        return initial


class PageReviewViewSet(ModelViewSet):
    model = PageReview
    icon = "date"
    menu_label = "Review dates"
    add_to_admin_menu = False
    add_view_class = PageReviewCreateView
    list_display = [
        TitleColumn("page", label="Page", url_name="page_review:edit"),
        "review_by",
        UserColumn("owner", blank_display_name="Nobody yet"),
        "notes",
    ]
    list_filter = ["review_by", "owner"]
    search_fields = ["page__title", "notes"]
    ordering = ["review_by"]
    url_namespace = "page_review"
    url_prefix = "reports/review-dates"


page_review_viewset = PageReviewViewSet("page_review")


@hooks.register("register_admin_viewset")
def register_page_review_viewset() -> PageReviewViewSet:
    return page_review_viewset


def _review_status(review: PageReview) -> str:
    days = (review.review_by - timezone.localdate()).days
    if days < 0:
        return f"Overdue by {-days} day{'s' if days != -1 else ''}"
    if days == 0:
        return "Due today"
    return f"Due in {days} day{'s' if days != 1 else ''}"


def _page_type(review: PageReview) -> str:
    model = review.page.content_type.model_class()
    return str(model._meta.verbose_name).capitalize() if model else "Page"


class ReviewsDueView(ReportView):
    """Pages overdue for review, or due within the review window."""

    page_title = "Reviews due"
    header_icon = "date"
    index_url_name = "guidance_reviews_due"
    index_results_url_name = "guidance_reviews_due_results"
    paginate_by = 100
    columns = [
        TitleColumn(
            "page",
            label="Page",
            accessor="page.title",
            get_url=lambda review: reverse("wagtailadmin_pages:edit", args=[review.page_id]),
        ),
        Column("type", label="Type", accessor=_page_type),
        DateColumn("review_by", label="Review by"),
        Column("status", label="Status", accessor=_review_status),
        UserColumn("owner", label="Owner", blank_display_name="Nobody yet"),
        TitleColumn(
            "change",
            label="",
            accessor=lambda review: "Change review date",
            get_url=lambda review: reverse("page_review:edit", args=[review.pk]),
        ),
    ]
    list_export = ["page.title", "review_by", "owner", "notes"]
    export_headings = {"page.title": "Page", "review_by": "Review by", "owner": "Owner"}

    def get_queryset(self) -> QuerySet[PageReview]:
        return reviews_due(today=timezone.localdate())

    def get_filename(self) -> str:
        return f"reviews-due-{timezone.localdate().isoformat()}"

    def user_has_permission(self, permission: str) -> bool:
        return can_edit_pages(self.request.user)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        from django.core.exceptions import PermissionDenied

        if not can_edit_pages(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(*args, **kwargs)
        context["window_days"] = REVIEW_WINDOW_DAYS
        return context


class EditorsMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return can_edit_pages(request.user)


@hooks.register("register_admin_urls")
def register_reviews_due_urls() -> list[Any]:
    return [
        path("reports/reviews-due/", ReviewsDueView.as_view(), name="guidance_reviews_due"),
        path(
            "reports/reviews-due/results/",
            ReviewsDueView.as_view(results_only=True),
            name="guidance_reviews_due_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def reviews_due_menu_item() -> MenuItem:
    return EditorsMenuItem(
        "Reviews due", reverse("guidance_reviews_due"), icon_name="date", order=150
    )


@hooks.register("register_reports_menu_item")
def review_dates_menu_item() -> MenuItem:
    return EditorsMenuItem(
        "Review dates", reverse("page_review:index"), icon_name="date", order=151
    )


@hooks.register("register_page_header_buttons")
def review_date_button(page: Page, user: Any, view_name: str, next_url: str | None = None) -> Any:
    if not can_edit_pages(user) or page.is_root():
        return
    review = PageReview.objects.filter(page_id=page.pk).only("pk").first()
    if review is not None:
        url = reverse("page_review:edit", args=[review.pk])
    else:
        url = reverse("page_review:add") + f"?page={page.pk}"
    yield Button("Review date", url, icon_name="date", priority=80)
