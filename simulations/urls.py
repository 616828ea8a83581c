from __future__ import annotations

from django.urls import path

from simulations import analytics_views, views

urlpatterns = [
    # Trainers: seminars, rooms and seats.
    path("seminars/", views.seminar_list, name="seminar_list"),
    path(
        "analytics/agreement/",
        analytics_views.partnership_analytics,
        name="partnership_analytics",
    ),
    path("seminars/<int:seminar_id>/", views.seminar_detail, name="seminar_detail"),
    path("seminars/<int:seminar_id>/register/", views.seminar_register, name="seminar_register"),
    path("seminars/<int:seminar_id>/rooms/", views.room_add, name="room_add"),
    path(
        "seminars/<int:seminar_id>/rooms/<int:room_id>/seats/",
        views.seat_change,
        name="seat_change",
    ),
    path("rooms/<str:code>/console/", views.room_console, name="room_console"),
    path("rooms/<str:code>/projector/", views.room_projector, name="room_projector"),
    # Delegates: join by code or link, then the room.
    path("join/", views.join, name="join"),
    path("join/<str:code>/", views.join_room, name="join_room"),
    path("rooms/<str:code>/", views.room, name="room"),
    path("rooms/<str:code>/panels/", views.room_panels, name="room_panels"),
]
