from django.urls import path

from challenges import views

app_name = "challenges"

urlpatterns = [
    # Public catalogue
    path("challenges/", views.challenge_list, name="list"),
    path("challenges/<slug:programme_slug>/<slug:challenge_slug>/", views.challenge_detail, name="detail"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<slug:slug>/", views.programme_detail, name="programme_detail"),
    # Staff: programme managers and admins
    path("staff/programmes/", views.staff_programme_list, name="staff_programme_list"),
    path("staff/programmes/new/", views.staff_programme_create, name="staff_programme_create"),
    path("staff/programmes/clone/", views.staff_programme_clone, name="staff_programme_clone"),
    path("staff/programmes/<slug:slug>/", views.staff_programme_detail, name="staff_programme_detail"),
    path("staff/programmes/<slug:slug>/edit/", views.staff_programme_edit, name="staff_programme_edit"),
    path("staff/programmes/<slug:slug>/publish/", views.staff_programme_publish, name="staff_programme_publish"),
    path(
        "staff/programmes/<slug:slug>/unpublish/",
        views.staff_programme_unpublish,
        name="staff_programme_unpublish",
    ),
    path("staff/programmes/<slug:slug>/rubric/", views.staff_rubric_edit, name="staff_rubric_edit"),
    path(
        "staff/programmes/<slug:slug>/challenges/new/",
        views.staff_challenge_create,
        name="staff_challenge_create",
    ),
    path(
        "staff/programmes/<slug:slug>/challenges/<slug:challenge_slug>/edit/",
        views.staff_challenge_edit,
        name="staff_challenge_edit",
    ),
    path(
        "staff/programmes/<slug:slug>/challenges/<slug:challenge_slug>/delete/",
        views.staff_challenge_delete,
        name="staff_challenge_delete",
    ),
]
