"""Scorecards, the debrief and their PDFs, under each room's address."""

from __future__ import annotations

from django.urls import path

from simulations import scoring_views

urlpatterns = [
    path("rooms/<str:code>/scorecard/", scoring_views.scorecard, name="room_scorecard"),
    path("rooms/<str:code>/scorecard.pdf", scoring_views.scorecard_pdf, name="room_scorecard_pdf"),
    path("rooms/<str:code>/debrief/", scoring_views.debrief, name="room_debrief"),
    path("rooms/<str:code>/debrief.pdf", scoring_views.debrief_pdf, name="room_debrief_pdf"),
    path("rooms/<str:code>/score/", scoring_views.room_score_now, name="room_score_now"),
]
