from __future__ import annotations

from django.urls import path

from assessments import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/delegate/", views.delegate_dashboard, name="delegate_dashboard"),
    path("dashboard/trainer/", views.trainer_dashboard, name="trainer_dashboard"),
    path("dashboard/manager/", views.manager_dashboard, name="manager_dashboard"),
]
