from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("staff/api-tokens/", views.api_token_list_view, name="api_token_list"),
    path("staff/api-tokens/issue/", views.api_token_issue_view, name="api_token_issue"),
    path("staff/api-tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
]
