"""The admin speaks people's words: one section per app title, role labels instead of group codes."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.enums import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_admin_index_titles_our_accounts_app_apart_from_allauths(role_client):
    response = role_client(Role.ADMIN).get(reverse("admin:index"))

    titles = [app["name"] for app in response.context["app_list"]]
    assert len(titles) == len(set(titles)), titles
    assert {app["app_label"]: app["name"] for app in response.context["app_list"]}["accounts"] == "People and access"


def test_user_list_shows_role_labels_and_filters_by_role(role_client):
    admin = role_client(Role.ADMIN)
    manager = make_user(Role.PROGRAMME_MANAGER, email="claire@nato.example")
    reviewer = make_user(Role.REVIEWER, email="marek@review.example")

    response = admin.get(reverse("admin:accounts_user_changelist"), {"role": "programme_manager"})

    assert [user.email for user in response.context["cl"].result_list] == [manager.email]
    html = response.content.decode()
    assert '<td class="field-roles">Programme manager</td>' in html
    assert "?role=reviewer" in html
    assert ">Reviewer</a>" in html
    assert reviewer.email not in html


def test_user_form_offers_groups_by_role_label(role_client):
    admin = role_client(Role.ADMIN)
    user = make_user(Role.INNOVATOR)
    manager_group = Group.objects.get(name="programme_manager")

    html = admin.get(reverse("admin:accounts_user_change", args=[user.pk])).content.decode()

    assert f'<option value="{manager_group.pk}">Programme manager</option>' in html
