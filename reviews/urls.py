from django.urls import include, path

from reviews import views

app_name = "reviews"

urlpatterns = [
    # Reviewer side
    path("", views.inbox, name="inbox"),
    path("profile/", views.profile_edit, name="profile"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path(
        "assignments/<int:pk>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    # Staff: the pool
    path("staff/reviewers/", views.staff_pool, name="staff_pool"),
    path("staff/reviewers/invite/", views.staff_invite, name="staff_invite"),
    path("staff/invitations/<int:pk>/revoke/", views.staff_invitation_revoke, name="staff_invitation_revoke"),
    path("staff/reviewers/<int:pk>/", views.staff_reviewer, name="staff_reviewer"),
    path("staff/reviewers/<int:pk>/active/", views.staff_reviewer_active, name="staff_reviewer_active"),
    path("staff/reviewers/<int:pk>/conflicts/", views.staff_reviewer_conflict, name="staff_reviewer_conflict"),
    # Staff: assignments
    path("staff/programmes/", views.staff_programmes, name="staff_programmes"),
    path("staff/programmes/<slug:slug>/", views.staff_assignment, name="staff_programme"),
    path("staff/programmes/<slug:slug>/add/", views.staff_assignment_add, name="staff_assignment_add"),
    path("staff/programmes/<slug:slug>/assignments/", views.staff_assignment_list, name="staff_assignment_list"),
    path("staff/assignments/<int:pk>/", views.staff_assignment_detail, name="staff_assignment"),
    path("staff/assignments/<int:pk>/extend/", views.staff_assignment_extend, name="staff_assignment_extend"),
    path("staff/assignments/<int:pk>/withdraw/", views.staff_assignment_withdraw, name="staff_assignment_withdraw"),
    path("staff/runs/<int:pk>/", views.staff_run, name="run_detail"),
    path("staff/runs/<int:pk>/progress/", views.staff_run_progress, name="run_progress"),
    path("staff/runs/<int:pk>/edit/", views.staff_run_edit, name="run_edit"),
    path("staff/runs/<int:pk>/apply/", views.staff_run_apply, name="run_apply"),
    path("staff/runs/<int:pk>/discard/", views.staff_run_discard, name="run_discard"),
    # Staff: the ranking board and the decisions (part B of issue 8)
    path("", include("reviews.urls_staff_ranking")),
]
