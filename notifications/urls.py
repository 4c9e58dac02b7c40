from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/<int:pk>/", views.message_detail, name="detail"),
    path("messages/read-all/", views.mark_all_read, name="mark_all_read"),
    path("messages/preferences/", views.preferences, name="preferences"),
    path("staff/outbox/", views.outbox, name="outbox"),
    path("staff/outbox/<int:pk>/", views.outbox_detail, name="outbox_detail"),
    path("staff/outbox/<int:pk>/resend/", views.outbox_resend, name="outbox_resend"),
]
