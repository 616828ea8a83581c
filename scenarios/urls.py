from __future__ import annotations

from django.urls import path

from scenarios import views

urlpatterns = [
    path("scenarios/", views.scenario_index, name="scenario_index"),
    path("scenarios/<slug:slug>/", views.scenario_detail, name="scenario_detail"),
    path("scenarios/<slug:slug>/packs/<str:role>/", views.scenario_pack, name="scenario_pack"),
]
