"""Test-centre bookings and Phase 2; included by sites/urls.py into the `sites` namespace,
before the `<slug>` routes ("bookings" is a reserved slug)."""

from django.urls import path

from sites import views_bookings as views

urlpatterns = [
    # Teams
    path("bookings/", views.booking_list, name="booking_list"),
    path("bookings/request/<int:team>/", views.booking_request, name="booking_request"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    # Test centre managers
    path("bookings/inbox/", views.booking_inbox, name="booking_inbox"),
    path("bookings/inbox/<int:pk>/", views.booking_answer, name="booking_answer"),
    path("bookings/inbox/<int:pk>/approve/", views.booking_approve, name="booking_approve"),
    path("bookings/inbox/<int:pk>/decline/", views.booking_decline, name="booking_decline"),
    # Programme managers
    path("bookings/staff/", views.booking_staff, name="booking_staff"),
    path("cohorts/<int:pk>/phase2/", views.phase2, name="phase2"),
    path("cohorts/<int:pk>/phase2/<int:team>/", views.phase2_mark, name="phase2_mark"),
]
