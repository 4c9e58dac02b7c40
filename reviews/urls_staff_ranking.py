"""Routes of the ranking board and the decisions (reviews.views_ranking), included in the
reviews namespace by reviews/urls.py."""

from django.urls import path

from reviews import views_ranking as views

urlpatterns = [
    path("staff/ranking/", views.ranking_index, name="ranking_index"),
    path("staff/ranking/<slug:programme_slug>/", views.ranking_programme, name="ranking_programme"),
    path("staff/ranking/<slug:programme_slug>/reviews.csv", views.ranking_export, name="ranking_export"),
    path("staff/ranking/<slug:programme_slug>/release/", views.ranking_release, name="ranking_release"),
    path(
        "staff/ranking/<slug:programme_slug>/challenges/<slug:challenge_slug>/",
        views.ranking_board,
        name="ranking_board",
    ),
    path(
        "staff/ranking/<slug:programme_slug>/challenges/<slug:challenge_slug>/decide/",
        views.ranking_decide,
        name="ranking_decide",
    ),
    path("staff/decisions/<int:application_id>/", views.decision_detail, name="decision_detail"),
]
