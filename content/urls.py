"""Public reading URLs of the content app that are not Wagtail pages.

Included before Wagtail's catch-all: the guidance library's pages go through
the anonymous page cache first (``content.search_views.guidance_page``),
which hands anything it does not serve from the cache to Wagtail's ``serve``.
"""

from __future__ import annotations

from django.urls import path, re_path

from content import glossary, search_views

urlpatterns = [
    path("search/", search_views.search, name="search"),
    path("glossary/", glossary.glossary_index, name="glossary"),
    re_path(r"^(?P<path>guidance/(?:[-\w]+/)*)$", search_views.guidance_page, name="guidance_page"),
]
