"""The project's URLs plus a stand-in for the applications flow's entry point, so
the "Apply" button can be tested before the applications app lands."""

from django.http import HttpResponse
from django.urls import include, path

from diana_portal.urls import urlpatterns as project_urlpatterns


def start(request, challenge_id: int) -> HttpResponse:
    return HttpResponse(f"start {challenge_id}")


urlpatterns = [
    *project_urlpatterns,
    path("applications/", include(([path("new/<int:challenge_id>/", start, name="start")], "applications"))),
]
