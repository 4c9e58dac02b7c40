# The home page lists open programmes, so it lives in challenges (accounts may not
# import challenges, DESIGN §3); diana_portal.urls routes "" to challenges.views.home.
urlpatterns: list = []
