"""The portal's URLs plus two views that fail, to see what a 500 under /api/ answers."""

from django.urls import path
from rest_framework.decorators import api_view

from diana_portal.urls import handler404, handler500, urlpatterns


@api_view(["GET"])
def failing(request):
    raise RuntimeError("an API view that fails")


def failing_plain(request):
    raise RuntimeError("a plain Django view that fails")


urlpatterns = [
    path("api/v1/failing/", failing),
    path("api/v1/failing-plain/", failing_plain),
    *urlpatterns,
]
__all__ = ["handler404", "handler500", "urlpatterns"]
