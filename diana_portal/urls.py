from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from challenges import views as challenge_views
from diana_portal import views

# The admin signs in through allauth, so its login gets MFA too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = _("DIANA Portal administration")
admin.site.site_title = _("DIANA Portal administration")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", challenge_views.home, name="home"),
    path("", include("challenges.urls")),
    path("", include("notifications.urls")),
    path("", include("accounts.urls")),
    path("applications/", include("applications.urls")),
    path("reviews/", include("reviews.urls")),
    path("sites/", include("sites.urls")),
    path("api/", include("api.urls")),
]

# JSON under /api/, the portal's pages elsewhere (api.errors).
handler404 = "api.errors.page_not_found"
handler500 = "api.errors.server_error"
