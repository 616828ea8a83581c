from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import urls as accounts_urls
from assessments import urls as assessments_urls
from audit import urls as audit_urls
from config import views
from content import urls as content_urls
from dataprotection.views import subject_access_view
from scenarios import urls as scenarios_urls
from simulations import urls as simulations_urls

urlpatterns = [
    path("healthz/", views.healthz, name="healthz"),
    path("django-admin/subject-access/", subject_access_view, name="subject_access"),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("", include(accounts_urls)),
    path("", include(assessments_urls)),
    path("", include(audit_urls)),
    path("", include(scenarios_urls)),
    path("", include(simulations_urls)),
    path("", include("simulations.scoring_urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(content_urls)), path("", include(wagtail_urls))]
