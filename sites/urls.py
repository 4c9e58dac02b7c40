from django.urls import include, path

from sites import views

app_name = "sites"

# Fixed words first: a site's slug may not take them (forms.RESERVED_SLUGS).
urlpatterns = [
    path("", views.directory, name="directory"),
    # Staff: the registry
    path("staff/", views.staff_site_list, name="staff_site_list"),
    path("staff/new/", views.staff_site_create, name="staff_site_create"),
    path("staff/<slug:slug>/edit/", views.staff_site_edit, name="staff_site_edit"),
    path("staff/<slug:slug>/active/", views.staff_site_active, name="staff_site_active"),
    # Site managers
    path("workspace/", views.workspace, name="workspace"),
    path("offers/<int:pk>/", views.offer_detail, name="offer_detail"),
    path("offers/<int:pk>/accept/", views.offer_answer, {"answer": "accept"}, name="offer_accept"),
    path("offers/<int:pk>/decline/", views.offer_answer, {"answer": "decline"}, name="offer_decline"),
    # Teams
    path("preferences/", views.my_teams, name="my_teams"),
    path("preferences/<int:pk>/", views.preferences, name="preferences"),
    # Programme managers: cohorts and allocation runs
    path("cohorts/", views.cohort_list, name="cohort_list"),
    path("cohorts/new/", views.cohort_build, name="cohort_build"),
    path("cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/edit/", views.cohort_edit, name="cohort_edit"),
    path("cohorts/<int:pk>/run/", views.cohort_run, name="cohort_run"),
    path("cohorts/<int:pk>/confirm/", views.cohort_confirm, name="cohort_confirm"),
    path("allocations/<int:pk>/confirm/", views.allocation_confirm, name="allocation_confirm"),
    path("allocations/<int:pk>/withdraw/", views.allocation_withdraw, name="allocation_withdraw"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:pk>/approve/", views.run_approve, name="run_approve"),
    path("", include("sites.urls_bookings")),  # test-centre bookings and Phase 2
    # A site: public page, its manager's edit page and its roster
    path("<slug:slug>/", views.site_detail, name="detail"),
    path("<slug:slug>/manage/", views.manager_site_edit, name="manager_site_edit"),
    path("<slug:slug>/roster/", views.roster, name="roster"),
    path("<slug:slug>/roster.csv", views.roster_csv, name="roster_csv"),
]
