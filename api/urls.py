"""/api/: the schema and its two readers, and the endpoints under /api/v1/ (DESIGN §9)."""

from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api import docs, views

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("programmes", views.ProgrammeViewSet, basename="programme")
router.register("challenges", views.ChallengeViewSet, basename="challenge")
router.register("applications", views.ApplicationViewSet, basename="application")
router.register("sites", views.SiteViewSet, basename="site")
router.register(r"cohorts/(?P<id>[0-9]+)/allocations", views.CohortAllocationViewSet, basename="cohort-allocation")

# Redoc styles itself with <style> elements it writes at run time, and searches in a
# web worker it starts from a blob: the portal's policy forbids both everywhere else.
redoc_policy = csp_override(
    {
        "default-src": [CSP.SELF],
        "script-src": [CSP.SELF],
        "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
        "img-src": [CSP.SELF, "data:"],
        "worker-src": [CSP.SELF, "blob:"],
        "object-src": [CSP.NONE],
        "frame-ancestors": [CSP.NONE],
    }
)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path(
        "redoc/",
        redoc_policy(SpectacularRedocView.as_view(url_name="api:schema")),
        name="redoc",
    ),
    path("redoc/redoc.standalone.js", docs.redoc_bundle, name="redoc_bundle"),
    path("v1/", include(router.urls)),
]
