from django.urls import path

from applications import views

app_name = "applications"

urlpatterns = [
    # Applicant side
    path("", views.application_list, name="list"),
    path("new/", views.challenge_choose, name="choose_challenge"),
    # Where the catalogue's "Apply" button leads: reverse("applications:start", kwargs={"challenge_id": ...})
    path("new/<int:challenge_id>/", views.application_start, name="start"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/sections/<slug:section>/", views.application_section, name="section"),
    path("<int:pk>/sections/<slug:section>/autosave/", views.application_autosave, name="autosave"),
    path("<int:pk>/attachments/", views.application_attachments, name="attachments"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
    path("<int:pk>/attachments/<int:attachment_id>/delete/", views.attachment_delete, name="attachment_delete"),
    path("<int:pk>/submit/", views.application_submit, name="submit"),
    path("<int:pk>/confirmation/", views.application_confirmation, name="confirmation"),
    path("<int:pk>/withdraw/", views.application_withdraw, name="withdraw"),
    # Organisations
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/invite/", views.organisation_invite, name="organisation_invite"),
    path(
        "organisations/<int:pk>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "organisations/<int:pk>/members/<int:membership_id>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    # Staff (programme managers)
    path("staff/", views.staff_index, name="staff_index"),
    path("staff/programmes/<slug:programme_slug>/", views.staff_list, name="staff_list"),
    path("staff/programmes/<slug:programme_slug>/export.csv", views.staff_export, name="staff_export"),
    path("staff/applications/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/applications/<int:pk>/eligibility/", views.staff_override, name="staff_override"),
]
