import pytest
from django.apps import apps
from django.contrib import admin

from accounts.enums import Role
from tests.test_route_inventory import OUR_APPS


def test_every_model_of_ours_is_in_the_admin():
    ours = [model for model in apps.get_models() if model._meta.app_label in OUR_APPS]

    missing = [model._meta.label for model in ours if not admin.site.is_registered(model)]

    assert ours
    assert missing == []


@pytest.mark.django_db
def test_admin_changelists_open_for_the_superuser(role_client):
    client = role_client(Role.ADMIN)
    for model in admin.site._registry:
        if model._meta.app_label in OUR_APPS:
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            assert client.get(url).status_code == 200, url
